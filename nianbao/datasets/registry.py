"""Every published table, in publishing order, and the keys of their cells (keys.csv).

The tables are declared in `nianbao.datasets.tables`, the machinery they use in
`nianbao.datasets.schema`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from nianbao.datasets.schema import Table
from nianbao.datasets.tables.crawl import CRAWL_RUNS, CRAWL_SOURCES, DOCUMENTS
from nianbao.datasets.tables.national import APPLICATIONS, PROACTIVE, REVIEW_LITIGATION
from nianbao.datasets.tables.panel import INDICATORS_TABLE, LEGACY, NARRATIVE
from nianbao.datasets.tables.publishing import CHANGES, COVERAGE, DIVISION_CODES, PUBLISHERS
from nianbao.datasets.tables.reports import CHECKS, REPORTS

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REPORTS,
        PROACTIVE,
        APPLICATIONS,
        REVIEW_LITIGATION,
        LEGACY,
        NARRATIVE,
        INDICATORS_TABLE,
        CHECKS,
        DOCUMENTS,
        CRAWL_RUNS,
        CRAWL_SOURCES,
        # Coverage and change (issue 10): who must publish, who did, on time, what changed.
        PUBLISHERS,
        DIVISION_CODES,
        COVERAGE,
        CHANGES,
    )
}


@dataclass(frozen=True)
class Key:
    table: str
    axis: str
    key: str
    zh: str
    en: str
    unit: str | None


@cache
def keys() -> tuple[Key, ...]:
    """The row and column keys of SCHEMA.md with their Chinese labels (keys.csv)."""
    text = resources.files("nianbao.datasets").joinpath("keys.csv").read_text(encoding="utf-8")
    return tuple(
        Key(r["table"], r["axis"], r["key"], r["label_zh"], r["label_en"], r["unit"] or None)
        for r in csv.DictReader(text.splitlines())
    )


@cache
def labels(table: str, axis: str) -> dict[str, str]:
    return {k.key: k.zh for k in keys() if k.table == table and k.axis == axis}


@cache
def units(table: str, axis: str) -> dict[str, str | None]:
    return {k.key: k.unit for k in keys() if k.table == table and k.axis == axis}
