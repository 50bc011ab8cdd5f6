"""The current release as one SQLite file with Datasette metadata, for browsing.

Titles, descriptions (English and Chinese), column descriptions, units and default
facets all come from the registry. The file is written beside the datasets under a
temporary name and renamed, so a running Datasette never opens half a database.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import sqlite_utils

from nianbao.common import atomic
from nianbao.datasets.query import NoDatasets
from nianbao.datasets.registry import TABLES
from nianbao.datasets.release import current_release

BATCH_ROWS = 50_000
FACETS = {
    "reports": ["year", "level", "status", "applications_format"],
    "applications": ["year", "row_key", "column_key"],
    "proactive": ["year", "row_key", "column_key"],
    "review_litigation": ["year", "row_key", "column_key"],
    "legacy": ["year", "indicator", "period", "approximate"],
    "narrative": ["year", "indicator", "scope"],
    "indicators": ["year", "indicator", "basis"],
    "checks": ["kind", "name", "passed"],
    "documents": ["kind", "source_id"],
    "coverage": ["year", "status", "level", "province_code"],
    "changes": ["kind", "year"],
}
# Canned queries: what a journalist asks first (`nianbao coverage` prints the same counts).
QUERIES = {
    "coverage_by_province": {
        "title": "Who published on time, late, or not at all / 年报发布情况（按省）",
        "sql": "SELECT province_code, year,"
        " sum(status = 'published') AS published,"
        " sum(status = 'published_late') AS published_late,"
        " sum(status = 'missing') AS missing, sum(status = 'blocked') AS blocked,"
        " sum(status = 'unreadable') AS unreadable,"
        " sum(status = 'not_yet_due') AS not_yet_due, sum(status = 'no_source') AS no_source"
        " FROM coverage WHERE :year = '' OR year = :year"
        " GROUP BY province_code, year ORDER BY year DESC, province_code",
    },
    "late_and_missing": {
        "title": "Late and missing reports 逾期发布与未发布的年报",
        "description": "Who published after 31 January of the following year, and who "
        "published nothing although the deadline passed and the site was crawled.",
        "sql": "SELECT year, status, name, level, division_code, source_id, deadline_date,"
        " published_date, first_seen_at, last_crawled_at, report_id"
        " FROM coverage WHERE status IN ('published_late', 'missing')"
        " ORDER BY year DESC, status, division_code",
    },
}
INDEXES = {
    "reports": [["agency_id"], ["year"]],
    "proactive": [["agency_id"], ["year"]],
    "applications": [["agency_id"], ["year"], ["row_key"]],
    "review_litigation": [["agency_id"], ["year"]],
    "legacy": [["agency_id"], ["year"]],
    "narrative": [["agency_id"], ["year"]],
    "indicators": [["agency_id"], ["year", "indicator"]],
    "checks": [["agency_id"], ["passed"]],
}


def site_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "site"


def sqlite_path(data_dir: Path) -> Path:
    return site_dir(data_dir) / "nianbao.db"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def canned_queries() -> dict[str, dict[str, Any]]:
    """The questions journalists ask, one click away on the database page."""
    from nianbao.datasets.figures import figures_sql

    return {
        "agency_over_time": {
            "title": "An agency over time 某机关历年主要数字",
            "description": "Key figures of one agency year by year (agency_id from the "
            "reports table, or follow an agency_id link).",
            "sql": figures_sql(":agency_id"),
        },
        "who_denies_most": {
            "title": "Who denies most, and why 谁不予公开最多、理由为何",
            "description": "Requests denied (不予公开) per report, with the reasons and the "
            "share of new requests; latest versions.",
            "sql": DENIED_SQL,
        },
        "totals_do_not_add_up": {
            "title": "Reports whose totals do not add up 合计对不上的报告",
            "description": "Failed consistency checks inside a report, both sides shown.",
            "sql": FAILED_SQL,
        },
        "biggest_changes": {
            "title": "Biggest changes year on year 申请量同比变化最大",
            "description": "New requests received (本年新收·总计) against the agency's "
            "previous report.",
            "sql": CHANGES_SQL,
        },
    }


DENIED_SQL = """
SELECT r.agency_name, r.year, r.report_id,
       sum(a.value) AS denied,
       (SELECT n.value FROM applications n WHERE n.report_id = r.report_id
          AND n.row_key = 'new_received' AND n.column_key = 'total') AS new_received,
       group_concat(CASE WHEN a.value > 0 THEN a.row_label || ' ' || a.value END, '；')
         AS reasons
FROM applications a JOIN reports r ON r.report_id = a.report_id
WHERE r.is_latest AND a.column_key = 'total' AND a.row_key LIKE 'denied_%'
GROUP BY r.report_id
HAVING denied > 0
ORDER BY denied DESC
"""

FAILED_SQL = """
SELECT r.agency_name, r.year, r.report_id, c.name, c.table_name, c.row_key, c.column_key,
       c.left_expr, c."left", c.right_expr, c."right", r.page_url
FROM checks c JOIN reports r ON r.report_id = c.report_id
WHERE NOT c.passed AND c.kind = 'in_report' AND r.is_latest
ORDER BY r.agency_name, r.year, c.check_key
"""

CHANGES_SQL = """
WITH received AS (
  SELECT r.agency_id, r.agency_name, r.year, a.value
  FROM applications a JOIN reports r ON r.report_id = a.report_id
  WHERE r.is_latest AND a.row_key = 'new_received' AND a.column_key = 'total'
), compared AS (
  SELECT agency_id, agency_name, year, value,
         lag(year) OVER (PARTITION BY agency_id ORDER BY year) AS previous_year,
         lag(value) OVER (PARTITION BY agency_id ORDER BY year) AS previous_value
  FROM received
)
SELECT agency_name, agency_id, previous_year, previous_value, year, value,
       value - previous_value AS change,
       CASE WHEN previous_value > 0
            THEN round(100.0 * (value - previous_value) / previous_value, 1) END AS change_pct
FROM compared
WHERE previous_year IS NOT NULL
ORDER BY abs(value - previous_value) DESC
"""


def metadata() -> dict[str, Any]:
    """Datasette metadata for the database `nianbao`, from the registry."""
    tables = {}
    for name, spec in TABLES.items():
        entry: dict[str, Any] = {
            "title": f"{spec.name} — {spec.zh}",
            "description": spec.en,
            "columns": {
                f.name: f"{f.en} / {f.zh}" + (f" ({f.unit})" if f.unit else "") for f in spec.fields
            },
        }
        if name in FACETS:
            entry["facets"] = FACETS[name]
        tables[name] = entry
    return {
        "title": "nianbao 政府信息公开工作年度报告",
        "description": "Annual reports on open government information, read into one dataset.",
        "databases": {"nianbao": {"tables": tables, "queries": canned_queries() | QUERIES}},
    }


def write_sqlite(data_dir: Path) -> Path:
    """DATA_DIR/site/nianbao.db and metadata.json from the current release."""
    release = current_release(Path(data_dir))
    if release is None:
        raise NoDatasets(f"no published datasets under {data_dir}: run `nianbao run` first")
    out_dir = site_dir(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = sqlite_path(data_dir)
    with atomic.replacing(final) as tmp:
        _fill(sqlite_utils.Database(tmp), release)
    atomic.write_text(
        out_dir / "metadata.json", json.dumps(metadata(), ensure_ascii=False, indent=1)
    )
    return final


def _fill(db: sqlite_utils.Database, release: Path) -> None:
    """Every table of `release` into `db`, with its indexes and the reports' full-text index."""
    for name, spec in TABLES.items():
        dataset = ds.dataset(release / name, format="parquet")
        columns = {
            f.name: {"string": str, "bool": int, "float64": float}.get(f.type, int)
            if f.type not in ("date", "timestamp")
            else str
            for f in spec.fields
        }
        table = db.table(name)
        table.create(
            columns, pk=spec.primary_key if len(spec.primary_key) > 1 else spec.primary_key[0]
        )
        for batch in dataset.to_batches(batch_size=BATCH_ROWS):
            rows = [{k: _plain(v) for k, v in row.items()} for row in batch.to_pylist()]
            table.insert_all(rows, batch_size=1000)
        for columns_ in INDEXES.get(name, []):
            table.create_index(columns_)
    # trigram: Chinese has no spaces for the default tokenizer to split on
    db["reports"].enable_fts(["agency_name", "title", "source_name"], tokenize="trigram")
    db.close()


def datasette_args(data_dir: Path, host: str, port: int) -> list[str]:
    site = site_dir(data_dir)
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(sqlite_path(data_dir)),
        "--metadata",
        str(site / "metadata.json"),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "default_facet_size",
        "20",
    ]


def serve(data_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette on the published SQLite file in the foreground; its exit code."""
    return subprocess.call(datasette_args(data_dir, host, port))
