"""A record (`Record.to_dict()`) into rows of the published tables: small pure functions.

Rows are plain dicts keyed by the registry's column names; `build` gathers them into
Arrow tables and the registry validates them before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import unicodedata
from typing import Any

from nianbao.common.keys import labels, units
from nianbao.datasets.schema import iso_date
from nianbao.datasets.tables.fields import FORMATS, LEGACY_PERIODS, NARRATIVE_SCOPES, YEAR

log = logging.getLogger(__name__)

CELL_TABLES = ("proactive", "applications", "review_litigation")

# A parent place name in front of a lower one ("淮安市洪泽区…", "江苏省淮安市…") is dropped
# so that one agency keeps one id when a report prints its name with or without it.
_PARENT_PLACE = re.compile(
    r"^(?:\w{2,7}?(?:省|自治区))?(?:\w{2,6}?(?:市|自治州|地区|盟))?(?=\w{2,6}?(?:区|县|市|旗))"
)
_NOT_WORD = re.compile(r"[\W_]+")


def report_id(sha256: str) -> str:
    """A report version is the document read: its id comes from the bytes."""
    return sha256[:16]


def canonical_agency(name: str) -> str:
    """The agency name compared across years: NFKC, no spaces or punctuation, no parent place."""
    text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", name))
    stripped = _PARENT_PLACE.sub("", text, count=1)
    return stripped or text


def agency_id(scope: str, name: str) -> str:
    """Stable across URLs and re-publications: depends only on where and who, not on a link.

    `scope` is the division code when the source has one, else the source id."""
    digest = hashlib.sha256(f"{scope}|{canonical_agency(name)}".encode()).hexdigest()
    return f"ag-{digest[:12]}"


_INT64 = 2**63


def _count(value: Any, where: str) -> int | None:
    """A count as an integer; anything else (a fraction, text, out of range) is null."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and -_INT64 <= value < _INT64:
        return value
    log.warning("%s: %r is not a count, kept as null (raw text kept)", where, value)
    return None


def _number(value: Any, where: str) -> float | None:
    """A finite number (counts and 万元 amounts); anything else is null."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    log.warning("%s: %r is not a number, kept as null (raw text kept)", where, value)
    return None


def _loc(cell: dict[str, Any]) -> dict[str, Any]:
    loc = cell.get("loc") or {}
    bbox = loc.get("bbox")
    return {
        "source_table": loc.get("table"),
        "source_page": loc.get("page"),
        "source_row": loc.get("row"),
        "source_col": loc.get("col"),
        "source_bbox": json.dumps(bbox) if bbox else None,
        "source_dpi": loc.get("dpi"),
        "ocr_confidence": loc.get("confidence"),
    }


def proactive_rows(rid: str, aid: str, year: int | None, record: dict[str, Any]) -> list[dict]:
    """Rows of one report, in primary-key order (so a whole table is built already sorted)."""
    item_labels = labels("proactive", "item")
    metric_labels = labels("proactive", "metric")
    metric_units = units("proactive", "metric")
    fmt = table_format(record, "proactive")
    rows = []
    for cell in record.get("proactive") or []:
        item, metric = cell["item"], cell["metric"]
        rows.append(
            {
                "report_id": rid,
                "agency_id": aid,
                "year": year,
                "row_key": item,
                "column_key": metric,
                "row_label": cell.get("label") or item_labels.get(item, item),
                "column_label": metric_labels.get(metric),
                "value": _number(cell.get("value"), f"{rid} proactive.{item}.{metric}"),
                "unit": metric_units.get(metric),
                "raw": cell.get("raw"),
                "derived": bool(cell.get("derived", False)),
                "format": fmt,
                **_loc(cell),
            }
        )
    _disambiguate(rows, ("row_key", "row_label", "column_key"), "row_label")
    return sorted(rows, key=lambda r: (r["row_key"], r["row_label"], r["column_key"]))


def matrix_rows(
    table: str, rid: str, aid: str, year: int | None, record: dict[str, Any]
) -> list[dict]:
    """`applications` or `review_litigation`: row key → column key → cell, one row per cell."""
    row_labels = labels(table, "row")
    column_labels = labels(table, "column")
    fmt = table_format(record, table)
    rows = []
    for row_key, columns in (record.get(table) or {}).items():
        for column_key, cell in columns.items():
            rows.append(
                {
                    "report_id": rid,
                    "agency_id": aid,
                    "year": year,
                    "row_key": row_key,
                    "column_key": column_key,
                    "row_label": row_labels.get(row_key, row_key),
                    "column_label": column_labels.get(column_key),
                    "value": _count(cell.get("value"), f"{rid} {table}.{row_key}.{column_key}"),
                    "raw": cell.get("raw"),
                    "derived": bool(cell.get("derived", False)),
                    "format": fmt,
                    **_loc(cell),
                }
            )
    return sorted(rows, key=lambda r: (r["row_key"], r["column_key"]))


def legacy_rows(rid: str, aid: str, year: int | None, record: dict[str, Any]) -> list[dict]:
    """The 统计表 of a pre-2019 report (`record["legacy"]`), one row per indicator and period."""
    indicator_labels = labels("legacy", "indicator")
    rows = []
    for cell in record.get("legacy") or []:
        indicator, period = cell["indicator"], cell.get("period")
        if period not in LEGACY_PERIODS:
            log.warning("%s legacy.%s: period %r kept as year", rid, indicator, period)
            period = "year"
        rows.append(
            {
                "report_id": rid,
                "agency_id": aid,
                "year": year,
                "indicator": indicator,
                "period": period,
                "label": cell.get("label") or indicator_labels.get(indicator, indicator),
                "value": _number(cell.get("value"), f"{rid} legacy.{indicator}.{period}"),
                "unit": cell.get("unit"),
                "raw": cell.get("raw"),
                "approximate": bool(cell.get("approximate", False)),
                **_loc(cell),
            }
        )
    _disambiguate(rows, ("indicator", "label", "period"), "label")
    return sorted(rows, key=lambda r: (r["indicator"], r["label"], r["period"]))


def narrative_rows(rid: str, aid: str, year: int | None, record: dict[str, Any]) -> list[dict]:
    """Figures stated in the prose (`record["narrative"]`): at most one per indicator by the
    record contract; a second one is left out with a warning rather than stop the build."""
    rows: dict[str, dict[str, Any]] = {}
    for figure in record.get("narrative") or []:
        indicator = figure["indicator"]
        value = _number(figure.get("value"), f"{rid} narrative.{indicator}")
        if indicator in rows or value is None:
            log.warning(
                "%s narrative.%s: %r left out (repeated or no number)", rid, indicator, figure
            )
            continue
        scope = figure.get("scope") or "agency"
        rows[indicator] = {
            "report_id": rid,
            "agency_id": aid,
            "year": year,
            "indicator": indicator,
            "value": value,
            "quote": figure.get("quote"),
            "scope": scope if scope in NARRATIVE_SCOPES else "region",
        }
    return [rows[k] for k in sorted(rows)]


def _disambiguate(rows: list[dict[str, Any]], key: tuple[str, ...], field: str) -> None:
    """Two rows with one key (two 其他 rows printed under the same label, say) are both
    kept, the second as "label#2": a repeated row is a fact about the report, and a
    duplicate primary key would stop the whole publication."""
    seen: dict[tuple, int] = {}
    for row in rows:
        k = tuple(row[f] for f in key)
        seen[k] = seen.get(k, 0) + 1
        if seen[k] > 1:
            row[field] = f"{row[field]}#{seen[k]}"


def check_key(kind: str, table: str, name: str, row: str | None, column: str | None) -> str:
    return f"{kind}:{table}:{name}:{row or ''}:{column or ''}"


def check_rows(rid: str, aid: str, year: int | None, record: dict[str, Any]) -> list[dict]:
    rows = []
    for check in record.get("checks") or []:
        left, right = check.get("left"), check.get("right")
        rows.append(
            {
                "report_id": rid,
                "agency_id": aid,
                "year": year,
                "check_key": check_key(
                    "in_report",
                    check["table"],
                    check["name"],
                    check.get("row"),
                    check.get("column"),
                ),
                "kind": "in_report",
                "name": check["name"],
                "table_name": check["table"],
                "row_key": check.get("row"),
                "column_key": check.get("column"),
                "passed": bool(check["passed"]),
                "left": left,
                "right": right,
                "difference": None if left is None or right is None else left - right,
                "left_expr": check.get("left_expr"),
                "right_expr": check.get("right_expr"),
                "other_report_id": None,
            }
        )
    _disambiguate(rows, ("check_key",), "check_key")
    return sorted(rows, key=lambda r: r["check_key"])


def table_format(record: dict[str, Any], table: str) -> str | None:
    """The format key of one table, or None for a key SCHEMA.md does not know."""
    fmt = (record.get("formats") or {}).get(table)
    if fmt is None or fmt in FORMATS:
        return fmt
    log.warning("%s: unknown %s format %r left empty", record.get("source"), table, fmt)
    return None


def plausible_year(year: Any) -> int | None:
    """A covered year in the registry's range; anything else is unknown, not a failed build."""
    if (
        isinstance(year, int)
        and not isinstance(year, bool)
        and YEAR.minimum <= year <= YEAR.maximum
    ):
        return year
    if year is not None:
        log.warning("implausible year %r left empty", year)
    return None


def summary_row(sha256: str, record: dict[str, Any]) -> dict[str, Any]:
    """What the reports table needs of a record, besides its cells and checks."""
    return {
        "sha256": sha256,
        "status": record.get("status") or "failed",
        "error": record.get("error"),
        "reader": record.get("kind"),
        "ocr_engine": record.get("ocr_engine"),
        "title": record.get("title"),
        "agency_name": record.get("agency"),
        "year": plausible_year(record.get("year")),
        "published_date": iso_date(record.get("published_date")),
        "proactive_format": table_format(record, "proactive"),
        "applications_format": table_format(record, "applications"),
        "review_litigation_format": table_format(record, "review_litigation"),
        "extractor_version": record.get("extractor_version") or "",
        "cells": cell_count(record),
        "checks": len(record.get("checks") or []),
        "warnings": "\n".join(record.get("warnings") or []) or None,
    }


def cell_count(record: dict[str, Any]) -> int:
    """Cells read from tables: the national ones and, before 2019, the 统计表."""
    tables = len(record.get("proactive") or []) + len(record.get("legacy") or [])
    return tables + sum(
        len(columns)
        for table in ("applications", "review_litigation")
        for columns in (record.get(table) or {}).values()
    )
