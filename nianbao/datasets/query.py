"""DuckDB over the published Parquet: one view per dataset, named after it.

The views point into the release current when the connection opens, so a session keeps
reading one consistent release even if a run publishes a new one meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from nianbao.datasets.publish import current_release
from nianbao.datasets.registry import TABLES


class NoDatasets(RuntimeError):
    """Nothing has been published under this data directory yet."""


def connect(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per dataset (reports, proactive, applications, …)."""
    release = current_release(Path(data_dir))
    if release is None:
        raise NoDatasets(
            f"no published datasets under {data_dir}: run `nianbao run --data-dir {data_dir}`"
        )
    con = duckdb.connect()
    for name in TABLES:
        pattern = ((release / name).as_posix() + "/**/*.parquet").replace("'", "''")
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{pattern}', "
            "hive_partitioning = false, union_by_name = true)"
        )
    return con


def query(data_dir: Path, sql: str) -> pa.Table:
    """Run `sql` against the dataset views; the result as an Arrow table."""
    con = connect(data_dir)
    try:
        relation = con.sql(sql)
        return pa.table({}) if relation is None else relation.to_arrow_table()
    finally:
        con.close()


AGENCY_REPORTS_SQL = """
SELECT r.agency_id, r.agency_name, r.source_name, r.year, r.version, r.is_latest, r.status,
       r.report_id, r.title, r.published_date, r.page_url, r.url, r.checks, r.failed_checks
FROM reports r
WHERE r.agency_id = $agency
   OR r.agency_id IN (SELECT agency_id FROM reports WHERE agency_name LIKE '%' || $agency || '%')
ORDER BY r.agency_id, r.year, r.version
"""

FAILED_CHECKS_SQL = """
SELECT report_id, kind, name, table_name, row_key, column_key, "left", "right",
       left_expr, right_expr
FROM checks WHERE NOT passed AND report_id IN (SELECT unnest($ids))
ORDER BY report_id, check_key
"""


def agency_reports(data_dir: Path, agency: str) -> list[dict[str, Any]]:
    """Every report version of the agencies matching `agency` (id, or part of a name),
    year by year, each with its failed checks."""
    con = connect(data_dir)
    try:
        reports = con.sql(AGENCY_REPORTS_SQL, params={"agency": agency}).to_arrow_table()
        rows = reports.to_pylist()
        ids = [r["report_id"] for r in rows]
        failed = con.sql(FAILED_CHECKS_SQL, params={"ids": ids}).to_arrow_table().to_pylist()
    finally:
        con.close()
    by_report: dict[str, list[dict[str, Any]]] = {}
    for check in failed:
        by_report.setdefault(check["report_id"], []).append(check)
    for row in rows:
        row["failed"] = by_report.get(row["report_id"], [])
    return rows


def agency_figures(data_dir: Path, agency_id: str) -> list[dict[str, Any]]:
    """The agency's key figures, one row per (year, indicator), latest versions only."""
    from nianbao.datasets.figures import figures_sql

    con = connect(data_dir)
    try:
        return con.sql(figures_sql(), params=[agency_id]).to_arrow_table().to_pylist()
    finally:
        con.close()


REPORT_CELLS_SQL = {
    table: f"SELECT * FROM {table} WHERE report_id = ? ORDER BY source_row, source_col"
    for table in ("proactive", "applications", "review_litigation")
}


def report_detail(data_dir: Path, report_id: str) -> dict[str, Any] | None:
    """One report version: its `reports` row, its cells per table and its failed checks."""
    con = connect(data_dir)
    try:
        found = con.sql("SELECT * FROM reports WHERE report_id = ?", params=[report_id])
        rows = found.to_arrow_table().to_pylist()
        if not rows:
            return None
        detail = rows[0]
        for table, sql in REPORT_CELLS_SQL.items():
            detail[table] = con.sql(sql, params=[report_id]).to_arrow_table().to_pylist()
        failed = con.sql(FAILED_CHECKS_SQL, params={"ids": [report_id]})
        detail["failed"] = failed.to_arrow_table().to_pylist()
    finally:
        con.close()
    return detail
