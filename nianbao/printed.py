"""A report's three tables laid out the way agencies print them, and figures over years.

The datasets are long (one row per cell); a journalist checks a number against the
report itself. These grids put the cells back where the national template prints them
(row groups, the 法人或其他组织 columns, section 四 as one row of three blocks), with
the Chinese labels of `keys.csv`. One grid serves the terminal (`nianbao show --report`)
and the browser (the Datasette report page).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from extract.labels import ITEM_METRICS_2019, ITEM_METRICS_2021
from nianbao.common.keys import labels

SECTION_TITLES = {
    "proactive": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}
_ORG_COLUMNS = ("commercial", "research", "social_org", "legal_service", "other_org")
_SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Span:
    """A header cell over `span` columns."""

    text: str
    span: int = 1


@dataclass
class Grid:
    """One printed table: header rows of spans, then rows whose first cell is the label."""

    title: str
    header: list[list[Span]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    indent: list[int] = field(default_factory=list)  # label indentation per row


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cells(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Any]:
    return {(r["row_key"], r["column_key"]): r["value"] for r in rows}


def proactive_grid(rows: Iterable[Mapping[str, Any]]) -> Grid:
    """Section 二: items with the same metrics printed as one block under their header."""
    rows = list(rows)
    cells = _cells(r for r in rows if r["row_key"] != "extra")
    item_labels = labels("proactive", "item")
    metric_labels = labels("proactive", "metric")
    grid = Grid(SECTION_TITLES["proactive"])
    previous: tuple[str, ...] = ()
    for item in item_labels:
        present = {m for (i, m) in cells if i == item}
        # the item's metrics in the order of the template (2019 or 2021) the report used
        order = max(
            (ITEM_METRICS_2019.get(item, ()), ITEM_METRICS_2021.get(item, ())),
            key=lambda template: len(present & set(template)),
        )
        metrics = tuple(m for m in order if m in present)
        metrics += tuple(m for m in metric_labels if m in present and m not in metrics)
        if not metrics:
            continue
        if metrics != previous:
            grid.rows.append(["信息内容", *(metric_labels[m] for m in metrics)])
            grid.indent.append(-1)  # a block header, not data
            previous = metrics
        grid.rows.append([item_labels[item], *(number(cells[(item, m)]) for m in metrics)])
        grid.indent.append(0)
    for r in rows:
        if r["row_key"] == "extra":
            label = r.get("row_label") or item_labels["extra"]
            grid.rows.append(
                [label, f"{metric_labels.get(r['column_key'], '')} {number(r['value'])}"]
            )
            grid.indent.append(0)
    return grid


def applications_grid(rows: Iterable[Mapping[str, Any]]) -> Grid:
    """Section 三: outcome rows × applicant columns, grouped as printed."""
    cells = _cells(rows)
    row_labels = labels("applications", "row")
    column_labels = labels("applications", "column")
    columns = list(column_labels)
    grid = Grid(SECTION_TITLES["applications"])
    grid.header = [
        [Span(""), Span("申请人情况", len(columns))],
        [Span(""), Span(column_labels["natural_person"]), Span("法人或其他组织", 5), Span("总计")],
        [Span(""), Span(""), *(Span(column_labels[c]) for c in _ORG_COLUMNS), Span("")],
    ]
    group = None
    for row, label in row_labels.items():
        if not any((row, c) in cells for c in columns):
            continue
        parent, _, child = label.partition("：")
        if child and parent != group:
            grid.rows.append([parent, *([""] * len(columns))])
            grid.indent.append(1)
            group = parent
        elif not child:
            group = None
        grid.rows.append([child or label, *(number(cells.get((row, c))) for c in columns)])
        grid.indent.append(2 if child else (1 if row in _OUTCOME_ROWS else 0))
    return grid


_OUTCOME_ROWS = frozenset({"granted", "partially_granted", "other_total", "total_processed"})


def review_grid(rows: Iterable[Mapping[str, Any]]) -> Grid:
    """Section 四: one row of three blocks (行政复议 | 行政诉讼: 未经复议直接起诉 | 复议后起诉)."""
    cells = _cells(rows)
    row_labels = labels("review_litigation", "row")
    column_labels = labels("review_litigation", "column")
    columns = list(column_labels)
    grid = Grid(SECTION_TITLES["review_litigation"])
    grid.header = [
        [Span(""), Span(row_labels["review"], len(columns)), Span("行政诉讼", 2 * len(columns))],
        [
            Span(""),
            Span("", len(columns)),
            Span("未经复议直接起诉", len(columns)),
            Span("复议后起诉", len(columns)),
        ],
        [Span(""), *(Span(column_labels[c]) for _ in row_labels for c in columns)],
    ]
    grid.rows.append(["", *(number(cells.get((r, c))) for r in row_labels for c in columns)])
    grid.indent.append(0)
    return grid


def render_text(grid: Grid, value_width: int = 8) -> str:
    """The grid for a terminal, CJK-aware; spans centred over their columns."""
    label_width = max(
        [display_width(r[0]) + 2 * max(i, 0) for r, i in zip(grid.rows, grid.indent, strict=True)]
        + [4]
    )
    ncols = max([len(r) - 1 for r in grid.rows] + [sum(s.span for s in h[1:]) for h in grid.header])
    widths = [value_width] * ncols
    for row in grid.rows:
        for i, text in enumerate(row[1:]):
            widths[i] = max(widths[i], display_width(text))
    for header in grid.header:
        col = 0
        for span in header[1:]:
            if span.span == 1:
                widths[col] = max(widths[col], display_width(span.text))
            col += span.span
    lines = [grid.title]
    for header in grid.header:
        parts, col = [" " * (label_width + 2)], 0
        for span in header[1:]:
            width = sum(widths[col : col + span.span]) + span.span - 1
            col += span.span
            text = span.text
            while display_width(text) > width:
                text = text[:-1]
            left = (width - display_width(text)) // 2
            parts.append(" " * left + pad(text, width - left) + " ")
        lines.append("".join(parts).rstrip())
    for row, indent in zip(grid.rows, grid.indent, strict=True):
        label = "  " * max(indent, 0) + row[0]
        values = " ".join(pad(v, widths[i], right=indent >= 0) for i, v in enumerate(row[1:]))
        lines.append(f"  {pad(label, label_width)}{values}".rstrip())
    return "\n".join(lines)


def sparkline(values: Sequence[float | None]) -> str:
    """One character a year; a gap for a year without the figure."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    scale = (len(_SPARKS) - 1) / (high - low) if high > low else 0
    return "".join(
        " " if v is None else _SPARKS[round((v - low) * scale) if scale else 3] for v in values
    )


def trend(values: Sequence[float | None], years: Sequence[int]) -> str:
    """First and last year with the figure, and the change between them."""
    known = [(y, v) for y, v in zip(years, values, strict=True) if v is not None]
    if len(known) < 2:
        return ""
    (y0, v0), (y1, v1) = known[0], known[-1]
    if v1 == v0:
        return f"= {number(v0)} {y0}–{y1}"
    arrow = "↑" if v1 > v0 else "↓"
    change = f" ({(v1 - v0) / v0:+.0%})" if v0 else ""
    return f"{arrow} {number(v0)}→{number(v1)}{change} {y0}–{y1}"
