"""An agency's key figures year by year: what a journalist asks of it first.

The figures are the `indicators` panel (docs/crosswalk.md): one comparable series from
2008, each value from the best basis its report has. The SQL runs unchanged on DuckDB
(`nianbao show`) and on the SQLite file Datasette serves (the agency page), so the
terminal and the browser show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# indicator key → (Chinese, English), in the order they are shown.
FIGURES: dict[str, tuple[str, str]] = {
    "applications_received": ("本年新收申请", "applications received"),
    "granted": ("予以公开", "granted"),
    "partially_granted": ("部分公开", "partially granted"),
    "denied": ("不予公开", "denied"),
    "reviews": ("行政复议", "administrative reviews"),
    "litigations": ("行政诉讼", "lawsuits"),
    "proactive_total": ("主动公开信息", "published proactively"),
    "fees": ("收费（万元）", "fees (10,000 yuan)"),
}

# Latest versions only; one row per (year, indicator). {agency}: the agency_id parameter,
# `?` for DuckDB and sqlite3, `:agency_id` for a Datasette canned query.
_FIGURES_SQL = """
SELECT r.year AS year, i.indicator AS indicator, sum(i.value) AS value,
       min(i.basis) AS basis
FROM indicators i JOIN reports r ON r.report_id = i.report_id
WHERE r.is_latest AND r.agency_id = {agency}
GROUP BY r.year, i.indicator
ORDER BY r.year, i.indicator
"""


def figures_sql(agency: str = "?") -> str:
    return _FIGURES_SQL.format(agency=agency)


def by_indicator(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[list[int], dict[str, list[float | None]]]:
    """Years present, and per indicator its value in each of those years (None: not stated)."""
    rows = list(rows)
    years = sorted({r["year"] for r in rows if r["year"] is not None})
    series: dict[str, list[float | None]] = {}
    for key in FIGURES:
        values = {r["year"]: r["value"] for r in rows if r["indicator"] == key}
        if values:
            series[key] = [values.get(y) for y in years]
    return years, series
