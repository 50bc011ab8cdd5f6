"""`nianbao query`, `nianbao export`, `nianbao show`: the datasets for journalists."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import duckdb

from nianbao.datasets.export import ExportError, export
from nianbao.datasets.query import NoDatasets, RefusedQuery, agency_reports, query
from nianbao.options import allow_files_option, data_dir_option


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
@allow_files_option
@click.argument("sql")
def query_command(data_dir: Path, fmt: str, allow_files: bool, sql: str) -> None:
    """Run SQL (DuckDB) over the published datasets; each dataset is a view of its name:
    reports, proactive, applications, review_litigation, checks, documents, crawl_runs,
    crawl_sources.

    Safe to run SQL from others: only queries run (SELECT, DESCRIBE, SUMMARIZE, PIVOT,
    EXPLAIN), reading the published datasets and no other file, URL or extension;
    --allow-files lifts this.

    \b
    Examples:
      nianbao query "SELECT year, level, sum(value) FROM applications JOIN reports
                     USING (report_id) WHERE row_key='new_received' AND column_key='total'
                     GROUP BY ALL ORDER BY ALL"
      nianbao query --format csv "SELECT * FROM checks WHERE NOT passed" > failing.csv
      nianbao query --allow-files "COPY reports TO 'reports.json'"
    """
    try:
        table = query(data_dir, sql, allow_files=allow_files)
    except (NoDatasets, RefusedQuery, duckdb.Error) as exc:
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
@allow_files_option
@click.argument("what", metavar="TABLE|SQL")
def export_command(
    data_dir: Path, fmt: str, output: Path | None, allow_files: bool, what: str
) -> None:
    """Write a dataset or a query result to a CSV (Excel-friendly, UTF-8 with BOM) or XLSX.

    SQL runs as in `nianbao query`: only queries over the published datasets, unless
    --allow-files.

    \b
    Examples:
      nianbao export reports --format xlsx
      nianbao export "SELECT * FROM checks WHERE NOT passed" -o failing.csv
    """
    out = output or Path(f"{what if what.isidentifier() else 'export'}.{fmt}")
    try:
        rows = export(data_dir, what, fmt, out, allow_files=allow_files)
    except (NoDatasets, RefusedQuery, ExportError, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{rows} rows written to {out}")


@click.command("show")
@data_dir_option
@click.argument("agency")
def show_command(data_dir: Path, agency: str) -> None:
    """An agency's reports year by year, with source links and failed checks. AGENCY is an
    agency id (ag-…) or part of its name.

    \b
    Examples:
      nianbao show 莆田市城市管理局
      nianbao show 城市管理
    """
    try:
        rows = agency_reports(data_dir, agency)
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
