"""Every published table, in publishing order (the keys of their cells: nianbao.common.keys).

The tables are declared in `nianbao.datasets.tables`, the machinery they use in
`nianbao.datasets.schema`.
"""

from __future__ import annotations

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
