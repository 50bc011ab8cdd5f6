"""The `indicators` panel: a few comparable figures per report, 2008–2025, from its cells.

Which cells feed which indicator in each era is data (`crosswalk.csv`, explained in
docs/crosswalk.md); this module turns it into one DuckDB query over a year's cell tables,
so the panel is always what the published cells say, never a second reading of a report.
A report with several bases for one indicator gets the most comparable one — a national
table, then the local 统计表 (legacy), then the prose (narrative) — and the others' values
are kept beside it in `other_bases`. Region-wide figures from the prose and cumulative
统计表 figures never enter the panel.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from nianbao.common.keys import units
from nianbao.datasets.tables.fields import INDICATORS
from nianbao.datasets.tables.panel import INDICATORS_TABLE

SOURCES = ("applications", "review_litigation", "legacy", "narrative")
# Preference among the bases a report has (lower first); the two national tables never meet.
_RANK = {"table": 0, "legacy": 1, "narrative": 2}


class CrosswalkError(ValueError):
    """crosswalk.csv names an indicator, basis or table the registry does not know."""


@dataclass(frozen=True)
class Feed:
    """One line of the crosswalk: `indicator` from `keys` (summed) of `source_table`."""

    indicator: str
    basis: str  # table | legacy | narrative
    source_table: str
    keys: tuple[str, ...]
    column: str | None  # column_key of a national table; period of the 统计表


@cache
def crosswalk() -> tuple[Feed, ...]:
    text = resources.files("nianbao.datasets").joinpath("crosswalk.csv").read_text("utf-8")
    feeds = tuple(
        Feed(
            r["indicator"],
            r["basis"],
            r["source_table"],
            tuple(r["keys"].split()),
            r["column"] or None,
        )
        for r in csv.DictReader(text.splitlines())
    )
    for feed in feeds:
        if (
            feed.indicator not in INDICATORS
            or feed.basis not in _RANK
            or feed.source_table not in SOURCES
        ):
            raise CrosswalkError(f"crosswalk.csv: unknown indicator, basis or table in {feed}")
    return feeds


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _select(feed: Feed) -> str:
    """The candidates of one feed: one row per report that has its cells."""
    head = f"report_id, agency_id, year, '{feed.indicator}' AS indicator"
    rank = _RANK[feed.basis]
    if feed.basis == "table":
        # Section 四 is the same in both templates and its format is seldom said: the
        # report's section 三 format stands in, then its year. A figure summed over
        # several cells is unknown when one of them is unreadable.
        fmt = "coalesce(t.format, a.format, CASE WHEN t.year >= 2021 THEN '2021' ELSE '2019' END)"
        return f"""
        SELECT {head},
            CASE WHEN count(value) = count(*) THEN sum(value)::DOUBLE END AS value,
            'table_' || any_value({fmt}) AS basis, '{feed.source_table}' AS source_table,
            string_agg(row_key || '/' || column_key, ' + ' ORDER BY row_key) AS source_ref,
            false AS approximate, {rank} AS rank, 0 AS position
        FROM {feed.source_table} t LEFT JOIN section_formats a USING (report_id)
        WHERE row_key IN ({_quoted(feed.keys)}) AND column_key = '{feed.column}'
            AND {fmt} IN ('2019', '2021')
        GROUP BY report_id, agency_id, year"""
    if feed.basis == "legacy":
        money = units("indicators", "indicator").get(feed.indicator) == "万元"
        value = "CASE WHEN unit = '元' THEN value / 10000 ELSE value END" if money else "value"
        return f"""
        SELECT {head}, {value} AS value, 'legacy' AS basis, 'legacy' AS source_table,
            indicator || '/' || period || ' ' || label AS source_ref,
            approximate, {rank} AS rank, coalesce(source_row, 0) AS position
        FROM legacy
        WHERE indicator IN ({_quoted(feed.keys)}) AND period = '{feed.column}'"""
    return f"""
        SELECT {head}, value, 'narrative' AS basis, 'narrative' AS source_table,
            coalesce(quote, indicator) AS source_ref, false AS approximate,
            {rank} AS rank, 0 AS position
        FROM narrative
        WHERE indicator IN ({_quoted(feed.keys)}) AND scope = 'agency'"""


@cache
def panel_sql() -> str:
    unit_of = units("indicators", "indicator")
    unit_values = ", ".join(f"('{k}', '{unit_of[k]}')" for k in INDICATORS)
    candidates = "\n        UNION ALL".join(_select(f) for f in crosswalk())
    return f"""
    WITH section_formats AS MATERIALIZED (
        SELECT report_id, any_value(format) AS format FROM applications GROUP BY report_id
    ),
    candidates AS ({candidates}
    ),
    ranked AS (
        SELECT *, row_number() OVER (
            PARTITION BY report_id, indicator ORDER BY rank, position, source_ref
        ) AS n
        FROM candidates
    ),
    others AS (
        SELECT report_id, indicator,
            string_agg(basis || '=' || coalesce(regexp_replace(value::VARCHAR, '\\.0$', ''), ''),
                '; ' ORDER BY n) AS other_bases
        FROM ranked WHERE n > 1 GROUP BY ALL
    ),
    unit_of(indicator, unit) AS (VALUES {unit_values})
    SELECT r.report_id, r.agency_id, r.year, r.indicator, r.value, u.unit, r.basis,
        r.source_table, r.source_ref, r.approximate, o.other_bases
    FROM ranked r
    LEFT JOIN others o USING (report_id, indicator)
    LEFT JOIN unit_of u USING (indicator)
    WHERE r.n = 1
    """


def indicator_table(cells: dict[str, pa.Table]) -> pa.Table:
    """The panel rows of the reports whose cell tables (`applications`,
    `review_litigation`, `legacy`, `narrative`, as published) are given."""
    # only the columns the crosswalk reads: a tenth of section 三's cells
    columns = pa.array(sorted({f.column for f in crosswalk() if f.basis == "table"}))
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")  # no bar on a run's standard output
        for name in SOURCES:
            table = cells[name]
            if name in ("applications", "review_litigation"):
                table = table.filter(pc.is_in(table["column_key"], columns))
            con.register(name, table)
        table = con.sql(panel_sql()).to_arrow_table()
    finally:
        con.close()
    return INDICATORS_TABLE.conform(table)
