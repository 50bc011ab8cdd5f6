"""An agency's key figures year by year: what a journalist asks of it first.

The SQL runs unchanged on DuckDB (`nianbao show`) and on the SQLite file Datasette
serves (the agency page), so the terminal and the browser show the same numbers.
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
}

# Latest versions only; one row per (year, indicator). {agency}: the agency_id parameter,
# `?` for DuckDB and sqlite3, `:agency_id` for a Datasette canned query.
_FIGURES_SQL = """
SELECT r.year AS year, f.indicator AS indicator, sum(f.value) AS value
FROM reports r JOIN (
  SELECT report_id,
         CASE WHEN row_key LIKE 'denied_%' THEN 'denied'
              WHEN row_key = 'new_received' THEN 'applications_received'
              ELSE row_key END AS indicator,
         value
  FROM applications
  WHERE column_key = 'total'
    AND (row_key IN ('new_received', 'granted', 'partially_granted')
         OR row_key LIKE 'denied_%')
  UNION ALL
  SELECT report_id,
         CASE row_key WHEN 'review' THEN 'reviews' ELSE 'litigations' END AS indicator,
         value
  FROM review_litigation
  WHERE column_key = 'total'
) f ON f.report_id = r.report_id
WHERE r.is_latest AND r.agency_id = {agency}
GROUP BY r.year, f.indicator
ORDER BY r.year, f.indicator
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
