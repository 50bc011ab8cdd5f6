"""`nianbao query`, `nianbao export`, `nianbao show`: the datasets for journalists."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import duckdb

from nianbao.datasets.export import ExportError, export
from nianbao.datasets.query import NoDatasets, agency_changes, agency_reports, query
from nianbao.options import data_dir_option


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@click.command("query")
@data_dir_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.argument("sql")
def query_command(data_dir: Path, fmt: str, sql: str) -> None:
    """Run SQL (DuckDB) over the published datasets; each dataset is a view of its name:
    reports, proactive, applications, review_litigation, checks, documents, crawl_runs,
    crawl_sources.

    \b
    Examples:
      nianbao query "SELECT year, level, sum(value) FROM applications JOIN reports
                     USING (report_id) WHERE row_key='new_received' AND column_key='total'
                     GROUP BY ALL ORDER BY ALL"
      nianbao query --format csv "SELECT * FROM checks WHERE NOT passed" > failing.csv
    """
    try:
        table = query(data_dir, sql)
    except (NoDatasets, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(table.to_pylist(), ensure_ascii=False, default=_json_default))
    elif fmt == "csv":
        click.echo(table.to_pandas().to_csv(index=False), nl=False)
    else:
        frame = table.to_pandas().astype(object)
        frame = frame.where(frame.notna(), "")  # blanks, not NaN, for missing values
        click.echo(frame.to_string(index=False) if table.num_rows else "(no rows)")


@click.command("export")
@data_dir_option
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file; default: TABLE.FORMAT (or export.FORMAT for SQL).",
)
@click.argument("what", metavar="TABLE|SQL")
def export_command(data_dir: Path, fmt: str, output: Path | None, what: str) -> None:
    """Write a dataset or a query result to a CSV (Excel-friendly, UTF-8 with BOM) or XLSX.

    \b
    Examples:
      nianbao export reports --format xlsx
      nianbao export "SELECT * FROM checks WHERE NOT passed" -o failing.csv
    """
    out = output or Path(f"{what if what.isidentifier() else 'export'}.{fmt}")
    try:
        rows = export(data_dir, what, fmt, out)
    except (NoDatasets, ExportError, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{rows} rows written to {out}")


@click.command("show")
@data_dir_option
@click.argument("agency")
def show_command(data_dir: Path, agency: str) -> None:
    """An agency's reports year by year, with source links and failed checks, and what
    changed after publication (withdrawn reports, cells a new version changed). AGENCY is an
    agency id (ag-…) or part of its name.

    \b
    Examples:
      nianbao show 莆田市城市管理局
      nianbao show 城市管理
    """
    try:
        rows = agency_reports(data_dir, agency)
        changes = agency_changes(data_dir, sorted({r["agency_id"] for r in rows}))
    except (NoDatasets, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    if not rows:
        raise click.ClickException(f"no agency matches {agency!r}")
    current = None
    for row in rows:
        if row["agency_id"] != current:
            current = row["agency_id"]
            click.echo(f"\n{row['agency_name']}  [{row['agency_id']}]  {row['source_name'] or ''}")
        latest = "" if row["is_latest"] else " (superseded)"
        click.echo(
            f"  {row['year'] or '????'} v{row['version']}{latest}  {row['status']}"
            f"  checks {row['checks'] - row['failed_checks']}/{row['checks']} passed"
            f"  published {row['published_date'] or '?'}"
        )
        click.echo(f"       page: {row['page_url']}")
        if row["url"] != row["page_url"]:
            click.echo(f"       read: {row['url']}")
        for check in row["failed"]:
            where = "/".join(p for p in (check["row_key"], check["column_key"]) if p)
            click.echo(
                f"       FAILED {check['name']} {check['table_name']} {where}: "
                f"{check['left_expr']} = {check['left']:g} ≠ {check['right_expr']} = "
                f"{check['right']:g}"
                if check["left"] is not None and check["right"] is not None
                else f"       FAILED {check['name']} {check['table_name']} {where}"
            )
    if changes:
        click.echo("\nchanges after publication:")
    for change in changes:
        click.echo(f"  {_change_line(change)}")


def _change_line(change: dict[str, Any]) -> str:
    """One line of `show` for a `changes` row."""
    year = change["year"] or "????"
    if change["kind"] == "withdrawn":
        seen = change["last_seen_at"]
        return (
            f"{year} WITHDRAWN {change['report_id']} ({change['evidence']});"
            f" last seen {seen:%Y-%m-%d}: {change['url']}"
            if seen
            else f"{year} WITHDRAWN {change['report_id']} ({change['evidence']}): {change['url']}"
        )
    if change["kind"] == "new_version":
        return f"{year} new version {change['report_id']} replaces {change['previous_report_id']}"
    where = f"{change['table_name']} {change['row_label']} / {change['column_key']}"
    return (
        f"{year} {change['kind']} {where}: {change['old_raw'] or '-'} → {change['new_raw'] or '-'}"
    )
