"""DuckDB over the published Parquet: one view per dataset, named after it.

The views point into the release current when the connection opens, so a session keeps
reading one consistent release even if a run publishes a new one meanwhile.

Queries are pasted from others, so a connection is shut in by default: DuckDB may read
the release's own directory and nothing else (no other file, no URL, no extension
installed or loaded), its configuration is locked, and only statements that read run.
`allow_files=True` gives DuckDB's full reach back (docs/faults.md, "SQL safety").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from nianbao.datasets.registry import TABLES
from nianbao.datasets.release import current_release

ALLOW_FILES_HINT = (
    "nianbao query reads only the published datasets; --allow-files gives DuckDB its full "
    "reach (any file, URLs, ATTACH, COPY, extensions)"
)
# A query, EXPLAIN, and PIVOT (which DuckDB runs as several statements: MULTI).
READING_STATEMENTS = frozenset(
    {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.MULTI}
)
# Set after allowed_directories (which cannot change once external access is off);
# lock_configuration last, so that no statement can set any of them back.
SANDBOX_SETTINGS = (
    "enable_external_access = false",
    "autoinstall_known_extensions = false",
    "autoload_known_extensions = false",
    "lock_configuration = true",
)


class NoDatasets(RuntimeError):
    """Nothing has been published under this data directory yet."""


class RefusedQuery(ValueError):
    """SQL that would reach past the published datasets, refused without allow_files."""


def connect(data_dir: Path, *, allow_files: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per dataset (reports, proactive, applications, …),
    shut in to the current release unless `allow_files`."""
    release = current_release(Path(data_dir))
    if release is None:
        raise NoDatasets(
            f"no published datasets under {data_dir}: run `nianbao run --data-dir {data_dir}`"
        )
    con = duckdb.connect()
    if not allow_files:
        con.execute(f"SET allowed_directories = ['{_quote(release.as_posix() + '/')}']")
        for setting in SANDBOX_SETTINGS:
            con.execute(f"SET {setting}")
    for name in TABLES:
        pattern = _quote((release / name).as_posix() + "/**/*.parquet")
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{pattern}', "
            "hive_partitioning = false, union_by_name = true)"
        )
    return con


def _quote(text: str) -> str:
    return text.replace("'", "''")


def query(data_dir: Path, sql: str, *, allow_files: bool = False) -> pa.Table:
    """Run `sql` against the dataset views; the result as an Arrow table.

    Without `allow_files`, a statement that does not only read is refused before any
    runs, and DuckDB's own refusals (a file outside the release, a URL) say how to
    lift them."""
    con = connect(data_dir, allow_files=allow_files)
    try:
        if not allow_files:
            refuse_writes(con, sql)
        try:
            relation = con.sql(sql)
            return pa.table({}) if relation is None else relation.to_arrow_table()
        except duckdb.PermissionException as exc:
            if allow_files:
                raise
            raise RefusedQuery(f"{exc}. {ALLOW_FILES_HINT}") from exc
    finally:
        con.close()


def refuse_writes(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise RefusedQuery unless every statement of `sql` only reads."""
    for statement in con.extract_statements(sql):
        if statement.type not in READING_STATEMENTS:
            raise RefusedQuery(
                f"refused the {statement.type.name} statement: only queries run (SELECT, "
                f"DESCRIBE, SUMMARIZE, PIVOT, EXPLAIN). {ALLOW_FILES_HINT}"
            )


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
