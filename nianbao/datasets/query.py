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


COVERAGE_SQL = """
WITH c AS (
  SELECT *, CASE WHEN $by_city THEN coalesce(city_code, province_code)
                 ELSE province_code END AS area
  FROM coverage
  WHERE ($year IS NULL OR year = $year)
    AND ($division IS NULL OR starts_with(coalesce(division_code, ''), $division))
)
SELECT c.area, any_value(p.name) AS name,
       count(*) FILTER (WHERE status = 'published') AS published,
       count(*) FILTER (WHERE status = 'published_late') AS published_late,
       count(*) FILTER (WHERE status = 'missing') AS missing,
       count(*) FILTER (WHERE status = 'blocked') AS blocked,
       count(*) FILTER (WHERE status = 'unreadable') AS unreadable,
       count(*) FILTER (WHERE status = 'not_yet_due') AS not_yet_due,
       count(*) FILTER (WHERE status = 'no_source') AS no_source,
       count(*) AS total
FROM c LEFT JOIN publishers p ON p.division_code = c.area AND p.level IN ('province', 'city')
GROUP BY c.area ORDER BY c.area NULLS LAST
"""


def coverage_summary(data_dir: Path, year: int | None, division: str | None) -> pa.Table:
    """Per-status counts of `coverage` per province, or per prefecture within a province
    when `division` (a code prefix) is given."""
    params = {
        "year": year,
        "division": division.rstrip("0") or None if division else None,
        "by_city": bool(division),
    }
    con = connect(data_dir)
    try:
        return con.sql(COVERAGE_SQL, params=params).to_arrow_table()
    finally:
        con.close()


AGENCY_CHANGES_SQL = """
SELECT agency_id, year, kind, report_id, previous_report_id, url, table_name, row_key,
       row_label, column_key, old_value, new_value, old_raw, new_raw, last_seen_at,
       detected_at, evidence
FROM changes WHERE agency_id IN (SELECT unnest($ids))
ORDER BY agency_id, year, detected_at, change_key
"""


def agency_changes(data_dir: Path, agency_ids: list[str]) -> list[dict[str, Any]]:
    """The `changes` rows of these agencies: withdrawals, new versions, changed cells."""
    con = connect(data_dir)
    try:
        return con.sql(AGENCY_CHANGES_SQL, params={"ids": agency_ids}).to_arrow_table().to_pylist()
    finally:
        con.close()
