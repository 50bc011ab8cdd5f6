"""Whatever a batch of `nianbao extract` meets on disk ends with a status and a reason, and
the batch goes on (issue 7, failure 5): FIFOs, sockets and devices, files larger than
their size on disk says, unreadable files and directories, huge HTML, and file names that
are not UTF-8 or hold a newline."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.files import read_capped, source_name
from extract.model import ExtractError
from extract.readers.html import MAX_HTML_TAGS
from nianbao.cli import cli
from tests.conftest import CORPUS, require_program

REPORT = CORPUS / "docs/fj-putian-kjj-2024.html"
NIANBAO = [sys.executable, "-c", "from nianbao.cli import main; main()"]


def _json(*args: str) -> tuple[int, dict[str, dict]]:
    result = CliRunner().invoke(cli, ["extract", "--json", *args])
    return result.exit_code, {r["source"]: r for r in map(json.loads, result.stdout.splitlines())}


@pytest.mark.timeout(120)  # before, the FIFO blocked the batch for ever
def test_fifos_sockets_and_devices_are_unsupported(tmp_path: Path) -> None:
    shutil.copy(REPORT, tmp_path / "good.html")
    os.mkfifo(tmp_path / "pipe.html")
    os.mkfifo(tmp_path / "named.fifo")  # not a document suffix: read only when named
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock.html"))
        code, records = _json(str(tmp_path), str(tmp_path / "named.fifo"), "/dev/zero")
    assert code == 0  # unsupported is not a failure
    reasons = {Path(s).name: (r["status"], r["error"]) for s, r in records.items()}
    assert reasons == {
        "good.html": ("ok", None),
        "pipe.html": ("unsupported", "not a regular file: a FIFO (named pipe)"),
        "named.fifo": ("unsupported", "not a regular file: a FIFO (named pipe)"),
        "sock.html": ("unsupported", "not a regular file: a socket"),
        "zero": ("unsupported", "not a regular file: a character device"),
    }


def test_the_size_cap_is_kept_while_reading() -> None:
    cpuinfo = Path("/proc/cpuinfo")  # a regular file whose size on disk is 0
    assert cpuinfo.stat().st_size == 0 and len(cpuinfo.read_bytes()) > 100
    code, records = _json("--max-bytes", "100", str(cpuinfo))
    assert code == 1
    assert records[str(cpuinfo)]["status"] == "failed"
    assert records[str(cpuinfo)]["error"] == "file holds more than the 100 bytes cap"


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), cap=st.integers(min_value=0, max_value=3000))
def test_read_capped_returns_the_file_or_refuses_it(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, cap: int
) -> None:
    path = tmp_path_factory.mktemp("capped") / "f.bin"
    path.write_bytes(data)
    if len(data) <= cap:
        assert read_capped(path, cap) == data
    else:
        with pytest.raises(ExtractError, match=f"over the {cap} bytes cap") as refused:
            read_capped(path, cap)
        assert refused.value.status == "failed"


def _without_root_override(command: list[str]) -> list[str]:
    """Root reads any file; drop the capabilities that let it, so permissions apply."""
    if os.geteuid() != 0:
        return command
    setpriv = require_program("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]


def test_unreadable_files_and_directories_are_reported_and_the_batch_goes_on(
    tmp_path: Path,
) -> None:
    shutil.copy(REPORT, tmp_path / "good.html")
    locked = tmp_path / "locked.html"
    shutil.copy(REPORT, locked)
    hidden = tmp_path / "sub" / "hidden"
    hidden.mkdir(parents=True)
    shutil.copy(REPORT, hidden / "inside.html")
    locked.chmod(0)
    hidden.chmod(0)
    try:
        done = subprocess.run(
            _without_root_override([*NIANBAO, "extract", "--json", str(locked), str(tmp_path)]),
            capture_output=True,
            timeout=300,
        )
    finally:
        locked.chmod(0o644)
        hidden.chmod(0o755)
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    got = [(Path(r["source"]).relative_to(tmp_path), r["status"], r["error"]) for r in records]
    assert got == [
        (Path("locked.html"), "failed", "cannot read file: permission denied"),
        (Path("good.html"), "ok", None),
        (Path("locked.html"), "failed", "cannot read file: permission denied"),
        (Path("sub/hidden"), "failed", "cannot list directory: permission denied"),
    ]
    assert done.returncode == 1  # the documented scheme: 1 when any document failed
    assert b"3 of 4 documents failed" in done.stderr


def test_a_page_over_the_tag_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    page = REPORT.read_bytes().replace(
        b"</body>", b"<table>" + b"<tr><td>1</td></tr>" * (MAX_HTML_TAGS // 4) + b"</table></body>"
    )
    (tmp_path / "huge.html").write_bytes(page)
    code, records = _json(str(tmp_path / "huge.html"))
    (record,) = records.values()
    assert code == 1 and record["status"] == "failed"
    assert re.fullmatch(
        r"page has [\d,]+ tags, over the cap of 200,000 for one HTML page \(.*\)", record["error"]
    )


def test_names_that_are_not_utf8_make_valid_json(tmp_path: Path) -> None:
    odd = os.fsencode(tmp_path) + b"/\xff\xfe\xe6\x8a.html"  # cut in the middle of 报
    shutil.copy(REPORT, odd)
    shutil.copy(REPORT, tmp_path / "年报.html")
    done = subprocess.run(
        [*NIANBAO, "extract", "--json", str(tmp_path)], capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [(r["source"], r["status"]) for r in records] == [
        (f"{tmp_path}/年报.html", "ok"),  # a UTF-8 name comes out exactly as given
        (f"{tmp_path}/\\xff\\xfe\\xe6\\x8a.html", "ok"),
    ]


@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"\\" not in b))
def test_source_name_escapes_only_what_is_not_utf8(name: bytes) -> None:
    source = source_name(name)
    source.encode("utf-8")  # always valid text
    back = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes.fromhex(m[1].decode()), source.encode())
    assert back == name
    try:
        assert source == name.decode("utf-8")
    except UnicodeDecodeError:
        assert "\\x" in source


def test_a_newline_in_a_name_keeps_the_readable_view_on_one_line(tmp_path: Path) -> None:
    shutil.copy(REPORT, tmp_path / "two\nlines.html")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "two\nlines.html")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"== {tmp_path}/two\\nlines.html" and lines[1] == "status ok"
