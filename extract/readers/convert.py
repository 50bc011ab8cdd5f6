"""Old and odd word-processor formats (DOC, WPS, ODT, RTF) to DOCX with LibreOffice.

Each conversion runs `soffice --headless` in its own temporary directory with its own
user profile: LibreOffice refuses to start a second instance on a shared profile, so
parallel extraction workers would otherwise fail at random.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
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
        # Its own session, so a timeout ends oosplash and soffice.bin too, not just the
        # wrapper script.
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ExtractError(
                "failed", f"LibreOffice did not convert the .{kind} within {timeout:.0f} s"
            ) from exc
        result = out / "input.docx"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            said = (stderr or stdout).decode("utf-8", "replace").strip()
            last = said.splitlines()[-1] if said else f"exit status {proc.returncode}"
            raise ExtractError("failed", f"LibreOffice could not convert the .{kind}: {last}")
        log.debug("converted %d bytes of .%s to DOCX", len(data), kind)
        return result.read_bytes()
