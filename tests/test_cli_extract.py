"""`nianbao extract` end to end: output forms, exit codes, and a batch of bad files
that must each end with a status and a reason while the good ones are still read."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner

from nianbao.cli import cli
from tests.conftest import CORPUS, FIXTURES


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _records(stdout: str) -> dict[str, dict]:
    out = {}
    for line in stdout.splitlines():
        record = json.loads(line)
        out[Path(record["source"]).name] = record
    return out


def test_readable_view_shows_tables_and_failed_checks() -> None:
    code, out, _ = _run("extract", str(CORPUS / "docs/js-hongze-2023.pdf"))
    assert code == 0
    assert "agency 洪泽区人民政府  year 2023" in out
    assert "行政复议" in out and "4119" in out
    assert "FAILED review_litigation.row_total review: total = 0 but" in out


def test_readable_view_shows_the_legacy_table_and_stated_figures() -> None:
    code, out, _ = _run("extract", str(CORPUS / "docs/fj-putian-lvyou-2008.html"))
    assert code == 0
    assert "统计表 legacy (pre-2019)" in out
    assert "公开查阅点查阅人数" in out and "1500 人次 (approximate)" in out
    assert "proactive_total      111  「我局主动公开政府信息的数量共有111条" in out


def test_json_lines_for_a_directory(tmp_path: Path) -> None:
    for name in ("fj-putian-cgj-2024.html", "bj-chaoyang-kxj-2020.txt"):
        shutil.copy(CORPUS / "docs" / name, tmp_path / name)
    code, out, _ = _run("extract", "--json", str(tmp_path))
    records = _records(out)
    assert code == 0 and set(records) == {"fj-putian-cgj-2024.html", "bj-chaoyang-kxj-2020.txt"}
    putian = records["fj-putian-cgj-2024.html"]
    assert putian["source"] == str(tmp_path / "fj-putian-cgj-2024.html")
    cell = putian["applications"]["new_received"]["total"]
    assert set(cell) >= {"value", "raw", "loc"}
    assert all({"name", "passed"} <= set(c) for c in putian["checks"])


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b"\0" * (300 * 1024 * 1024))
    return buf.getvalue()


def test_bad_inputs_each_get_a_status_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = CORPUS / "docs/fj-putian-kjj-2024.html"
    pdf = (CORPUS / "docs/js-hongze-2024.pdf").read_bytes()
    files = {
        "good.html": good.read_bytes(),
        "empty.pdf": b"",
        "truncated.pdf": pdf[: len(pdf) // 3],
        "encrypted.pdf": (FIXTURES / "made/encrypted.pdf").read_bytes(),
        "scan.pdf": (FIXTURES / "made/image-only.pdf").read_bytes(),
        "notables.html": "<html><body><p>某单位2023年度工作要点</p></body></html>".encode(),
        "garbage.html": bytes(range(256)) * 64,
        "bomb.docx": _zip_bomb(),
        "big.txt": b"x" * 500_000,
        "photo.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 100,
        "sheet.xlsx": _xlsx(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    code, out, err = _run(
        "extract", "--json", "--max-bytes", "400000", *sorted(str(tmp_path / n) for n in files)
    )
    records = _records(out)
    assert set(records) == set(files)
    status = {name: r["status"] for name, r in records.items()}
    assert status["good.html"] == "ok"
    assert records["good.html"]["applications"]["new_received"]["total"]["value"] >= 0
    assert status["empty.pdf"] == "failed" and records["empty.pdf"]["error"] == "empty file"
    assert status["truncated.pdf"] == "failed"
    assert status["encrypted.pdf"] == "failed" and "encrypted" in records["encrypted.pdf"]["error"]
    assert records["scan.pdf"]["reader"] == "ocr"  # a 40 dpi scan: read, then judged
    assert status["photo.jpg"] == "failed" and "cannot be decoded" in records["photo.jpg"]["error"]
    assert status["notables.html"] == "not_report"
    assert status["garbage.html"] == "unsupported"
    assert status["bomb.docx"] == "failed" and "zip bomb" in records["bomb.docx"]["error"]
    assert status["big.txt"] == "failed" and "cap" in records["big.txt"]["error"]
    assert status["sheet.xlsx"] == "unsupported"
    for record in records.values():
        if record["status"] != "ok":
            assert record["error"] and "\n" not in record["error"]
    assert code == 1 and "failed" in err


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def test_usage_errors_exit_2() -> None:
    assert _run("extract")[0] == 2
    assert _run("extract", "/no/such/file.pdf")[0] == 2


def test_help_has_an_example() -> None:
    code, out, _ = _run("extract", "--help")
    assert code == 0 and "Examples:" in out and "--json" in out


def test_rebuild_needs_no_paths_and_refuses_both(tmp_path: Path) -> None:
    code, _, err = _run("extract", "--rebuild", str(CORPUS / "docs/js-hongze-2023.pdf"))
    assert code == 2 and "not both" in err
    code, _, err = _run("extract")
    assert code == 2 and "--rebuild" in err


def test_extractor_version_names_the_code_that_read_the_record() -> None:
    import extract

    record = json.loads(_run("extract", "--json", str(CORPUS / "docs/sh-szfbgt-2019.html"))[1])
    assert record["extractor_version"] == extract.__version__
    release, _, fingerprint = extract.__version__.partition("+")
    assert release == extract.RELEASE and len(fingerprint) == 10
