"""Old and odd word-processor formats (DOC, WPS, ODT, RTF) to DOCX with LibreOffice.

Each conversion runs `soffice --headless` in its own temporary directory with its own
user profile: LibreOffice refuses to start a second instance on a shared profile, so
parallel extraction workers would otherwise fail at random.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from extract.model import ExtractError

log = logging.getLogger(__name__)

KINDS = ("doc", "wps", "odt", "rtf")
TIMEOUT = 120.0


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, kind: str, timeout: float = TIMEOUT) -> bytes:
    """The DOCX LibreOffice makes of `data`, a document of `kind` (doc, wps, odt, rtf)."""
    if kind not in KINDS:
        raise ExtractError("unsupported", f"no conversion to DOCX for .{kind}")
    soffice = find_soffice()
    if soffice is None:
        raise ExtractError(
            "unsupported", f"reading .{kind} needs LibreOffice (soffice), which is not installed"
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as tmp:
        work = Path(tmp)
        source = work / f"input.{kind}"
        source.write_bytes(data)
        out = work / "out"
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractError(
                "failed", f"LibreOffice did not convert the .{kind} within {timeout:.0f} s"
            ) from exc
        result = out / "input.docx"
        if done.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            last = said.splitlines()[-1] if said else f"exit status {done.returncode}"
            raise ExtractError("failed", f"LibreOffice could not convert the .{kind}: {last}")
        log.debug("converted %d bytes of .%s to DOCX", len(data), kind)
        return result.read_bytes()
