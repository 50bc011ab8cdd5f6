"""Records and tables from the hand-checked answer files, without the extractor: the
dataset tests and the scale benchmark build real numbers into datasets with these."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nianbao.datasets.build import BuildResult, reports_table
from nianbao.datasets.cache import CELL_TABLES, RowCache
from nianbao.datasets.registry import TABLES


def record_from_gold(gold: dict[str, Any], *, source: str, sha256: str, version: str) -> dict:
    """A hand-checked answer file (plain numbers) as a record dict (cells with value/raw/loc)."""

    def cell(value: Any) -> dict[str, Any]:
        return {"value": value, "raw": None if value is None else str(value), "loc": {}}

    def matrix(m: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {r: {c: cell(v) for c, v in cols.items()} for r, cols in m.items()}

    has_tables = bool(gold.get("proactive") or gold.get("applications") or gold.get("legacy"))
    return {
        "source": source,
        "status": "ok" if has_tables else "partial",
        "error": None,
        "kind": source.rsplit(".", 1)[-1] if "." in source else None,
        "sha256": sha256,
        "bytes": None,
        "title": f"{gold['agency']}{gold['year']}年政府信息公开工作年度报告",
        "agency": gold["agency"],
        "year": gold["year"],
        "published_date": None,
        "formats": dict(gold.get("formats") or {}),
        "proactive": [
            {
                "item": p["item"],
                "metric": p["metric"],
                **({"label": p["label"]} if "label" in p else {}),
                **cell(p["value"]),
            }
            for p in gold.get("proactive") or []
        ],
        "applications": matrix(gold.get("applications") or {}),
        "review_litigation": matrix(gold.get("review_litigation") or {}),
        "legacy": [
            {"approximate": False, "loc": {}, **row, "raw": row.get("raw")}
            for row in gold.get("legacy") or []
        ],
        "narrative": [{"scope": "agency", **figure} for figure in gold.get("narrative") or []],
        "checks": [],
        "warnings": [],
        "extractor_version": version,
    }


def assemble(
    docs: list[dict[str, Any]],
    records: dict[str, dict[str, Any]],
    sources: dict[str, dict[str, Any]],
) -> tuple[dict[str, pa.Table], int]:
    """Report documents and their records → every table of the reports, whole.

    Returns (tables, report pages skipped as not reports)."""
    cache = RowCache.from_records(records)
    reports, skipped = reports_table(docs, cache.summaries(), sources)
    return whole_tables(BuildResult({"reports": reports}, cache)), skipped


def whole_tables(result: BuildResult) -> dict[str, pa.Table]:
    """Every table of a build whole, in memory: for small data only (a build makes the
    cell tables one covered year at a time, `BuildResult.years`)."""
    parts = list(result.years())
    cells = {
        name: pa.concat_tables([TABLES[name].empty(), *(p[name] for p in parts)])
        for name in (*CELL_TABLES, "indicators")
    }
    return {"reports": result.whole["reports"], **cells, **result.whole}
