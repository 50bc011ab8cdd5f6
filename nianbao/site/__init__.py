"""Datasette pages that read like a report: nianbao's Datasette plugin.

Registered through the `datasette` entry point, so `nianbao serve` (and any Datasette in
this environment) gets, beside the table pages:

- `/-/nianbao/report/REPORT_ID`: the report's three tables as the agency printed them,
  its failed checks and its source links;
- `/-/nianbao/agency/AGENCY_ID`: the agency's key figures over the years, as a chart
  (inline SVG, so it draws offline) and a table, with links to each report;
- on every table page the data first, the column descriptions folded below it;
- links from `report_id`, a report's `title` and `agency_id` cells to those pages.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from nianbao.datasets.figures import FIGURES, by_indicator, figures_sql
from nianbao.printed import applications_grid, proactive_grid, review_grid
from nianbao.site.chart import line_chart

DATABASE = "nianbao"
STATIC = "/-/static-plugins/nianbao"


def _rows(results: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in results.rows]


async def report_page(datasette: Any, request: Any) -> Response:
    report_id = request.url_vars["report_id"]
    db = datasette.get_database(DATABASE)
    found = _rows(await db.execute("SELECT * FROM reports WHERE report_id = ?", [report_id]))
    if not found:
        return Response.html(f"no report {escape(report_id)}", status=404)
    cells = {}
    for table in ("proactive", "applications", "review_litigation"):
        sql = f"SELECT * FROM {table} WHERE report_id = ? ORDER BY source_row, source_col"
        cells[table] = _rows(await db.execute(sql, [report_id]))
    grids = [
        build(cells[table])
        for table, build in (
            ("proactive", proactive_grid),
            ("applications", applications_grid),
            ("review_litigation", review_grid),
        )
        if cells[table]
    ]
    failed = _rows(
        await db.execute(
            "SELECT * FROM checks WHERE report_id = ? AND NOT passed ORDER BY check_key",
            [report_id],
        )
    )
    context = {"report": found[0], "grids": grids, "failed": failed, "static": STATIC}
    return Response.html(
        await datasette.render_template("nianbao_report.html", context, request=request)
    )


async def agency_page(datasette: Any, request: Any) -> Response:
    agency_id = request.url_vars["agency_id"]
    db = datasette.get_database(DATABASE)
    reports = _rows(
        await db.execute(
            "SELECT * FROM reports WHERE agency_id = ? ORDER BY year, version", [agency_id]
        )
    )
    if not reports:
        return Response.html(f"no agency {escape(agency_id)}", status=404)
    years, series = by_indicator(_rows(await db.execute(figures_sql(), [agency_id])))
    context = {
        "agency": reports[-1],
        "reports": reports,
        "years": years,
        "series": [(FIGURES[key], values) for key, values in series.items()],
        "chart": Markup(line_chart(years, {FIGURES[k][0]: v for k, v in series.items()})),
        "static": STATIC,
    }
    return Response.html(
        await datasette.render_template("nianbao_agency.html", context, request=request)
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/nianbao/report/(?P<report_id>[^/]+)$", report_page),
        (r"^/-/nianbao/agency/(?P<agency_id>[^/]+)$", agency_page),
    ]


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str, database: str) -> Markup | None:
    """agency_id links to the agency page; a report's id or title to the report page."""
    if database != DATABASE or not isinstance(value, str) or not value:
        return None
    if column == "agency_id":
        return Markup(f'<a href="/-/nianbao/agency/{escape(value)}">{escape(value)}</a>')
    if column == "report_id" or (table == "reports" and column == "title"):
        report_id = escape(row["report_id"])
        return Markup(f'<a href="/-/nianbao/report/{report_id}">{escape(value)}</a>')
    return None


@hookimpl
def extra_css_urls() -> list[str]:
    return [f"{STATIC}/nianbao.css"]


@hookimpl
def extra_js_urls() -> list[str]:
    return [f"{STATIC}/nianbao.js"]
