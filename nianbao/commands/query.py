"""`nianbao query`, `nianbao export`, `nianbao show`: the datasets for journalists."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

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
    reports, proactive, applications, review_litigation, legacy, narrative, indicators,
    checks, documents, crawl_runs, crawl_sources.

    Safe to run SQL from others: only queries run (SELECT, DESCRIBE, SUMMARIZE, PIVOT,
    EXPLAIN), reading the published datasets and no other file, URL or extension;
    --allow-files lifts this.

    \b
    Examples:
      nianbao query "SELECT year, level, sum(value) FROM applications JOIN reports
                     USING (report_id) WHERE row_key='new_received' AND column_key='total'
                     GROUP BY ALL ORDER BY ALL"
      nianbao query "SELECT year, basis, sum(value) FROM indicators
                     WHERE indicator='applications_received' GROUP BY ALL ORDER BY ALL"
      nianbao query --format csv "SELECT * FROM checks WHERE NOT passed" > failing.csv
      nianbao query --allow-files "COPY reports TO 'reports.json'"
    """
    import duckdb

    from nianbao.datasets.query import NoDatasets, RefusedQuery, query

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
@click.option(
    "--wide",
    is_flag=True,
    help="One row per report and one column per cell, named by its Chinese labels "
    "(本年新收·总计), for applications, proactive, review_litigation or legacy (the "
    "2008–2018 统计表). CSV: keys in OUTPUT.keys.csv; XLSX: one sheet per table laid out "
    "as printed, and a sheet of keys.",
)
@click.option(
    "--key-header",
    is_flag=True,
    help="With --wide --format csv: name the columns by their keys (new_received.total).",
)
@allow_files_option
@click.argument("what", metavar="TABLE|SQL")
def export_command(
    data_dir: Path,
    fmt: str,
    output: Path | None,
    wide: bool,
    key_header: bool,
    allow_files: bool,
    what: str,
) -> None:
    """Write a dataset or a query result to a CSV (Excel-friendly, UTF-8 with BOM) or XLSX.

    SQL runs as in `nianbao query`: only queries over the published datasets, unless
    --allow-files.

    \b
    Examples:
      nianbao export reports --format xlsx
      nianbao export "SELECT * FROM checks WHERE NOT passed" -o failing.csv
      nianbao export applications --wide                 # applications.csv, one row a report
      nianbao export applications --wide --format xlsx   # sheets 二, 三, 四, 统计表
      nianbao export legacy --wide                       # 2008–2018, one row a report
    """
    import duckdb

    from nianbao.datasets.export import ExportError, export
    from nianbao.datasets.query import NoDatasets, RefusedQuery

    suffix = "_wide" if wide else ""
    out = output or Path(f"{what if what.isidentifier() else 'export'}{suffix}.{fmt}")
    try:
        if wide:
            _export_wide(data_dir, what, fmt, out, key_header)
            return
        rows = export(data_dir, what, fmt, out, allow_files=allow_files)
    except (NoDatasets, RefusedQuery, ExportError, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{rows} rows written to {out}")


def _export_wide(data_dir: Path, table: str, fmt: str, out: Path, key_header: bool) -> None:
    from nianbao.datasets import wide
    from nianbao.datasets.export import XLSX_MAX_ROWS, ExportError

    if table not in wide.WIDE_TABLES:
        raise ExportError(f"--wide takes one of {', '.join(wide.WIDE_TABLES)}, not {table!r}")
    if fmt == "csv":
        rows = wide.write_wide_csv(data_dir, table, out, key_header)
        click.echo(f"{rows} reports written to {out}; column keys in {wide.keys_file(out)}")
        return
    try:
        counts = wide.write_wide_xlsx(data_dir, table, out, XLSX_MAX_ROWS)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    sheets = ", ".join(f"{wide.SHEET_TITLES[t]} ({n} reports)" for t, n in counts.items())
    click.echo(f"{out}: sheets {sheets}, keys 键")


@click.command("show")
@data_dir_option
@click.option(
    "--report",
    "report_id",
    metavar="REPORT_ID",
    help="Print this report's three tables as printed, its failed checks and its links.",
)
@click.argument("agency", required=False)
def show_command(data_dir: Path, report_id: str | None, agency: str | None) -> None:
    """An agency's reports year by year, with source links and failed checks, its key
    figures over the years with a trend line, and what changed after publication
    (withdrawn reports, cells a new version changed). AGENCY is an agency id (ag-…) or part of
    its name. With --report, one report as the agency printed it.

    \b
    Examples:
      nianbao show 莆田市城市管理局
      nianbao show 城市管理
      nianbao show --report 3f2a9c0d1e4b5a67
    """
    if not agency and not report_id:
        raise click.UsageError("give AGENCY, or --report REPORT_ID")
    import duckdb

    from nianbao.datasets.query import (
        NoDatasets,
        agency_changes,
        agency_figures,
        agency_reports,
        report_detail,
    )

    try:
        if report_id:
            detail = report_detail(data_dir, report_id)
            if detail is None:
                raise click.ClickException(f"no report {report_id!r}")
            click.echo(_render_report(detail))
            return
        rows = agency_reports(data_dir, agency)
        if not rows:
            raise click.ClickException(f"no agency matches {agency!r}")
        agencies = list(dict.fromkeys(row["agency_id"] for row in rows))
        figures = {a: agency_figures(data_dir, a) for a in agencies}
        changes = agency_changes(data_dir, sorted(agencies))
    except (NoDatasets, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    for agency_id in agencies:
        own = [row for row in rows if row["agency_id"] == agency_id]
        click.echo(f"\n{own[0]['agency_name']}  [{agency_id}]  {own[0]['source_name'] or ''}")
        for row in own:
            _echo_version(row)
        click.echo(_render_figures(figures[agency_id]))
    if changes:
        click.echo("\nchanges after publication:")
    for change in changes:
        click.echo(f"  {_change_line(change)}")


def _echo_version(row: dict[str, Any]) -> None:
    latest = "" if row["is_latest"] else " (superseded)"
    click.echo(
        f"  {row['year'] or '????'} v{row['version']}{latest}  {row['status']}"
        f"  checks {row['checks'] - row['failed_checks']}/{row['checks']} passed"
        f"  published {row['published_date'] or '?'}  report {row['report_id']}"
    )
    click.echo(f"       page: {row['page_url']}")
    if row["url"] != row["page_url"]:
        click.echo(f"       read: {row['url']}")
    for check in row["failed"]:
        click.echo(f"       FAILED {_check_text(check)}")


def _check_text(check: dict[str, Any]) -> str:
    where = "/".join(p for p in (check["row_key"], check["column_key"]) if p)
    text = f"{check['name']} {check['table_name']} {where}"
    if check["left"] is None or check["right"] is None:
        return text
    return (
        f"{text}: {check['left_expr']} = {check['left']:g} ≠ "
        f"{check['right_expr']} = {check['right']:g}"
    )


def _render_figures(rows: list[dict[str, Any]]) -> str:
    """Key figures: a row per figure, a column per year, then a sparkline and the change."""
    from nianbao.datasets.figures import FIGURES, by_indicator
    from nianbao.printed import number, pad, sparkline, trend

    years, series = by_indicator(rows)
    if not series:
        return "  key figures 主要数字: none (no report with tables 三/四)"
    label_width = 34
    lines = ["  " + pad("key figures 主要数字", label_width) + "".join(f"{y:>7}" for y in years)]
    for key, values in series.items():
        zh, en = FIGURES[key]
        cells = "".join(f"{number(v):>7}" for v in values)
        line = f"  {pad(f'{zh} {en}', label_width)}{cells}"
        lines.append(f"{line}  {sparkline(values)}  {trend(values, years)}")
    return "\n".join(lines)


def _render_report(detail: dict[str, Any]) -> str:
    from nianbao.printed import applications_grid, proactive_grid, render_text, review_grid

    lines = [
        f"{detail['title'] or ''}",
        f"{detail['agency_name']}  [{detail['agency_id']}]  year {detail['year']}  "
        f"v{detail['version']}{'' if detail['is_latest'] else ' (superseded)'}  "
        f"status {detail['status']}  published {detail['published_date'] or '?'}",
        f"page: {detail['page_url']}",
        f"read: {detail['url']}  (sha256 {detail['sha256']})",
    ]
    builders = {
        "proactive": proactive_grid,
        "applications": applications_grid,
        "review_litigation": review_grid,
    }
    for table, build in builders.items():
        if detail[table]:
            lines += ["", render_text(build(detail[table]))]
    lines.append("")
    lines.append(f"checks {detail['checks'] - detail['failed_checks']}/{detail['checks']} passed")
    lines += [f"  FAILED {_check_text(check)}" for check in detail["failed"]]
    return "\n".join(lines)


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
