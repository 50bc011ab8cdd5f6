"""The canonical record of one report (SCHEMA.md), as the extractor emits it.

`to_dict()` is the JSON contract of `nianbao extract --json` and the input of the
dataset builder: every table cell is an object `{"value", "raw", "loc"}` where `loc`
says where the cell came from (`table` index, `page` for paged documents, `row`/`col`
in the table grid) and `derived` marks a value computed by the extractor
(`other_total` of a three-row （六）其他处理).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("ok", "partial", "failed", "needs_ocr", "unsupported", "not_report")


@dataclass(slots=True)
class CellValue:
    value: int | float | None
    raw: str | None
    # table, page, row, col; for a cell read by OCR also bbox [x0, y0, x1, y1] in pixels
    # of the page picture at dpi, and the recogniser's confidence.
    loc: dict[str, Any] = field(default_factory=dict)
    derived: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "raw": self.raw, "loc": self.loc}
        if self.derived:
            out["derived"] = True
        return out


@dataclass(slots=True)
class ProactiveCell:
    item: str
    metric: str
    cell: CellValue
    label: str | None = None  # printed label; always set for item "extra"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"item": self.item, "metric": self.metric}
        if self.label is not None:
            out["label"] = self.label
        out.update(self.cell.to_dict())
        return out


@dataclass(slots=True)
class Check:
    """One consistency check (勾稽关系) with both sides, so a reader can see the gap."""

    name: str
    table: str
    passed: bool
    left: float | None
    right: float | None
    left_expr: str
    right_expr: str
    row: str | None = None
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "passed": self.passed,
            "left": self.left,
            "right": self.right,
            "left_expr": self.left_expr,
            "right_expr": self.right_expr,
        }


Matrix = dict[str, dict[str, CellValue]]


@dataclass(slots=True)
class LegacyValue:
    """One cell of a pre-2019 统计表 (SCHEMA.md "Before 2019"): `indicator` a key of the
    legacy label table or `extra`, `label` always the printed row label."""

    indicator: str
    period: str  # "year" or "cumulative"
    value: int | float | None
    raw: str
    unit: str | None
    label: str
    approximate: bool = False
    loc: dict[str, int | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "period": self.period,
            "value": self.value,
            "raw": self.raw,
            "unit": self.unit,
            "label": self.label,
            "approximate": self.approximate,
            "loc": self.loc,
        }


@dataclass(slots=True)
class NarrativeFigure:
    """A key figure the report states in prose, with the sentence it was read from."""

    indicator: str
    value: int | float
    quote: str
    scope: str = "agency"  # "region" for a figure stated for a whole 区/市/县

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "value": self.value,
            "quote": self.quote,
            "scope": self.scope,
        }


@dataclass(slots=True)
class Record:
    source: str
    status: str = "ok"
    error: str | None = None
    kind: str | None = None  # reader used: html, pdf, text, docx (after conversion), image
    # "ocr" when numbers were read from pictures of pages (ocr_pages), else "text".
    reader: str | None = None
    ocr_engine: str | None = None  # OCR engine and model versions
    ocr_pages: list[int] = field(default_factory=list)
    sha256: str | None = None
    bytes: int | None = None
    pages: int | None = None  # for paged formats (PDF): what progress and speed count
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published_date: str | None = None
    formats: dict[str, str] = field(default_factory=dict)
    proactive: list[ProactiveCell] = field(default_factory=list)
    applications: Matrix = field(default_factory=dict)
    review_litigation: Matrix = field(default_factory=dict)
    legacy: list[LegacyValue] = field(default_factory=list)
    narrative: list[NarrativeFigure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extractor_version: str = ""

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "kind": self.kind,
            "reader": self.reader,
            "ocr_engine": self.ocr_engine,
            "ocr_pages": self.ocr_pages,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "pages": self.pages,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published_date": self.published_date,
            "formats": self.formats,
            "proactive": [p.to_dict() for p in self.proactive],
            "applications": _matrix_dict(self.applications),
            "review_litigation": _matrix_dict(self.review_litigation),
            "legacy": [v.to_dict() for v in self.legacy],
            "narrative": [f.to_dict() for f in self.narrative],
            "checks": [c.to_dict() for c in self.checks],
            "warnings": self.warnings,
            "extractor_version": self.extractor_version,
        }


def _matrix_dict(matrix: Matrix) -> dict[str, dict[str, Any]]:
    return {
        row: {col: cell.to_dict() for col, cell in cols.items()} for row, cols in matrix.items()
    }
