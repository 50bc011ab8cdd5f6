"""`nianbao query`, `export` and `show` over datasets built from the hand-checked answers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.datasets.publish import publish
from tests.datasets_helpers import gold_tables


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data")
    publish(gold_tables(), path)
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


HUAIAN_NEW = (
    "SELECT a.value FROM applications a JOIN reports r USING (report_id) "
    "WHERE r.agency_name = '淮安市人民政府' "
    "AND a.row_key = 'new_received' AND a.column_key = 'total'"
)


def test_query_formats(data_dir: Path) -> None:
    code, out = invoke(
        "query",
        "--data-dir",
        str(data_dir),
        "SELECT year, count(*) AS n FROM reports GROUP BY year ORDER BY year",
    )
    assert code == 0
    assert out.splitlines()[0].split() == ["year", "n"]
    assert "2024 4" in out.splitlines() and "2008 3" in out.splitlines()

    code, out = invoke("query", "--data-dir", str(data_dir), "--format", "json", HUAIAN_NEW)
    assert code == 0 and json.loads(out) == [{"value": 3119}]

    code, out = invoke(
        "query",
        "--data-dir",
        str(data_dir),
        "--format",
        "csv",
        "SELECT row_key, row_label, value FROM review_litigation r JOIN reports USING (report_id) "
        "WHERE agency_name = '淮安市人民政府' AND column_key = 'total' ORDER BY row_key",
    )
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert rows[2] == {"row_key": "review", "row_label": "行政复议", "value": "351"}


def test_every_dataset_is_a_view(data_dir: Path) -> None:
    code, out = invoke(
        "query",
        "--data-dir",
        str(data_dir),
        "--format",
        "json",
        "SELECT (SELECT count(*) FROM proactive) p, (SELECT count(*) FROM checks) c, "
        "(SELECT count(*) FROM documents) d, (SELECT count(*) FROM crawl_runs) r",
    )
    assert code == 0
    counts = json.loads(out)[0]
    assert counts["p"] == 164 and counts["c"] > 0 and counts["d"] == 0 and counts["r"] == 0


def test_query_errors_are_clean(data_dir: Path, tmp_path: Path) -> None:
    code, out = invoke("query", "--data-dir", str(tmp_path), "SELECT 1")
    assert code == 1 and "no published datasets" in out and "Traceback" not in out
    code, out = invoke("query", "--data-dir", str(data_dir), "SELECT nonsense FROM reports")
    assert code == 1 and "nonsense" in out


def test_export_xlsx_and_csv(data_dir: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "reports.xlsx"
    code, out = invoke(
        "export", "--data-dir", str(data_dir), "reports", "--format", "xlsx", "-o", str(xlsx)
    )
    assert code == 0 and "22 rows" in out
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["report_id", "agency_id"] and "page_url" in header
    agencies = {
        row[header.index("agency_name")] for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert "上海市人民政府办公厅" in agencies and sheet.max_row == 23

    out_csv = tmp_path / "failing.csv"
    code, _ = invoke(
        "export",
        "--data-dir",
        str(data_dir),
        'SELECT report_id, name, "left", "right" FROM checks WHERE NOT passed ORDER BY 1',
        "-o",
        str(out_csv),
    )
    assert code == 0
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {r["name"] for r in rows} == {"in_force_continuity"} and len(rows) == 2

    code, out = invoke("export", "--data-dir", str(data_dir), "nosuch")
    assert code == 1 and "unknown dataset" in out


def test_show_agency_year_by_year(data_dir: Path) -> None:
    code, out = invoke("show", "--data-dir", str(data_dir), "城市管理")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("莆田市城市管理局  [ag-")
    years = [line.split()[0] for line in lines if line.startswith("  20")]
    assert years == ["2021", "2022", "2023", "2024", "2025"]
    assert "page: http://fj-putian-cgj.example/zfxxgknb/fj-putian-cgj-2022/index.html" in out
    assert (
        "FAILED in_force_continuity proactive normative_documents/in_force: "
        "in_force[year-1] + issued[year] - repealed[year] = -11 ≠ in_force[year] = 9" in out
    )
    code, out = invoke("show", "--data-dir", str(data_dir), "不存在的机关")
    assert code == 1 and "no agency matches" in out
