"""`nianbao query`, `export` and `show` over datasets built from the hand-checked answers,
and SQL from others that cannot reach past them (issue 7, failure 6): files, URLs,
writes, ATTACH, extensions and settings are refused while every journalist query still
runs; `--allow-files` lifts the refusal."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.datasets.query import connect
from nianbao.datasets.registry import TABLES
from nianbao.datasets.release import current_release, publish
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


def _refused(data_dir: Path, sql: str, *, command: str = "query") -> str:
    code, out = invoke(command, "--data-dir", str(data_dir), sql)
    assert code == 1, out
    assert "Traceback" not in out and "--allow-files" in out
    return out


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
        ("SELECT content FROM read_text('/etc/shadow')", 'Cannot access file "/etc/shadow"'),
        ("SELECT * FROM glob('/*')", "Cannot access file"),
        (
            "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
            'Cannot access file "http://127.0.0.1:9/x.parquet"',
        ),
        ("INSTALL httpfs", "refused the LOAD statement"),
        ("LOAD httpfs", "refused the LOAD statement"),
        ("SET enable_external_access = true", "refused the SET statement"),
        ("RESET lock_configuration", "refused the SET statement"),
        ("CREATE TABLE t AS SELECT 1", "refused the CREATE statement"),
    ],
)
def test_reaching_past_the_datasets_is_refused(data_dir: Path, sql: str, says: str) -> None:
    assert says in _refused(data_dir, sql)


def test_no_file_is_written_or_attached(data_dir: Path, tmp_path: Path) -> None:
    release = current_release(data_dir)
    assert release is not None
    targets = {
        "COPY (SELECT 1) TO '{}'": tmp_path / "out.csv",
        # inside the release, which DuckDB may read: still no writing
        "COPY reports TO '{}'": release / "reports" / "evil.parquet",
        "EXPORT DATABASE '{}'": release / "exported",
        "ATTACH '{}' AS other": tmp_path / "other.duckdb",
        "SELECT 1; COPY (SELECT 2) TO '{}'": tmp_path / "second.csv",
    }
    for template, target in targets.items():
        out = _refused(data_dir, template.format(target))
        assert "refused the" in out and not target.exists(), template
    out = _refused(data_dir, f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'", command="export")
    assert "refused the COPY statement" in out and not (tmp_path / "x.csv").exists()
    _refused(data_dir, "SELECT * FROM read_csv('/etc/passwd')", command="export")


def test_the_configuration_is_locked_on_every_connection(data_dir: Path) -> None:
    con = connect(data_dir)  # what `show` uses, with no statement check in front
    try:
        settings = dict(
            con.sql(
                "SELECT name, value FROM duckdb_settings() WHERE name IN ("
                "'enable_external_access', 'autoinstall_known_extensions', "
                "'autoload_known_extensions', 'lock_configuration')"
            ).fetchall()
        )
        assert settings == {
            "enable_external_access": "false",
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "lock_configuration": "true",
        }
        with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_text('/etc/passwd')")
    finally:
        con.close()


def test_journalist_queries_read_every_dataset(data_dir: Path) -> None:
    counts = " UNION ALL ".join(f"SELECT '{t}' AS t, count(*) AS n FROM {t}" for t in TABLES)
    code, out = invoke("query", "--data-dir", str(data_dir), "--format", "json", counts)
    assert code == 0, out
    rows = {r["t"]: r["n"] for r in json.loads(out)}
    assert set(rows) == set(TABLES)
    assert rows["reports"] == 22 and rows["proactive"] == 164
    for sql in (
        "DESCRIBE applications",
        "SUMMARIZE reports",
        "SHOW TABLES",
        "EXPLAIN SELECT * FROM checks",
        "PIVOT (SELECT year, status FROM reports) ON status USING count(*) ORDER BY year",
        "WITH y AS (SELECT year, count(*) n FROM reports GROUP BY year) SELECT max(n) FROM y",
    ):
        code, out = invoke("query", "--data-dir", str(data_dir), sql)
        assert code == 0, (sql, out)
    by_year = "SELECT year, count(*) AS n FROM reports WHERE year >= 2023 GROUP BY year"
    code, out = invoke("query", "--data-dir", str(data_dir), "--format", "json", by_year)
    expected = {str(r["year"]): r["n"] for r in json.loads(out)}
    pivot = "PIVOT (SELECT year FROM reports WHERE year >= 2023) ON year USING count(*)"
    code, out = invoke("query", "--data-dir", str(data_dir), "--format", "json", pivot)
    assert code == 0 and json.loads(out) == [expected] and expected["2024"] == 4


def test_allow_files_gives_duckdb_its_full_reach(data_dir: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "years.csv"
    code, out = invoke(
        "query",
        "--data-dir",
        str(data_dir),
        "--allow-files",
        f"COPY (SELECT DISTINCT year FROM reports ORDER BY year) TO '{out_csv}'",
    )
    assert code == 0, out
    assert out_csv.read_text().splitlines()[:2] == ["year", "2008"]
    code, out = invoke(
        "query",
        "--data-dir",
        str(data_dir),
        "--allow-files",
        "--format",
        "json",
        f"SELECT count(*) AS n FROM read_csv('{out_csv}')",
    )
    assert code == 0 and json.loads(out)[0]["n"] > 1
    code, out = invoke(
        "export",
        "--data-dir",
        str(data_dir),
        "--allow-files",
        f"FROM read_csv('{out_csv}')",
        "-o",
        str(tmp_path / "again.csv"),
    )
    assert code == 0 and "rows written" in out


def test_help_documents_the_refusal_and_the_flag() -> None:
    for command in ("query", "export"):
        code, out = invoke(command, "--help")
        assert code == 0 and "--allow-files" in out and "published datasets" in out
