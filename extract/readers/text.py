"""Text copied from a report page: one table cell per line.

Copying a table from a browser gives its cells one per line (tab-indented), labels
broken over several lines, vertical labels one character a line, blank cells gone and
now and then a number split over two lines ("1" / "62" for 162). The reader aligns
that stream with the national template: header words start a header row, label lines
gather into a row label, and the numbers after them are the row's values. It produces
ordinary tables, so the mapper reads them like any other.
"""

from __future__ import annotations

import re

from extract import labels as L
from extract.align import align_row, totals_check
from extract.match import match_exact, match_label
from extract.model import Cell, Document, Paragraph, Table
from extract.normalize import is_number, norm_label
from extract.readers.encoding import decode_bytes

_SECTION_START = re.compile(r"^二\s*[、.．]\s*主动公开")
_SECTION_END = re.compile(r"^五\s*[、.．]")
_CAPTION = re.compile(r"第二十条第")
_NUMBERED = re.compile(r"^[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]")
_HEADER_TABLES = (L.PROACTIVE_METRICS, L.APPLICANT_COLUMNS, L.REVIEW_GROUPS, L.REVIEW_COLUMNS)
_HEADER_WORDS = {norm_label(w) for w in ("信息内容", "申请人情况", "法人或其他组织", "行政诉讼")}
# The national template's header rows for sections 三 and 四, re-laid when the copied
# text shows them (their spans cannot survive copying).
_APPLICANT_HEADER = [v[0] for v in L.APPLICANT_COLUMNS.values()]
_REVIEW_GROUP_ROW = [g for g in ("行政复议", "未经复议直接起诉", "复议后起诉") for _ in range(5)]
_REVIEW_METRIC_ROW = [v[0] for v in L.REVIEW_COLUMNS.values()] * 3


def read_text(data: bytes) -> Document:
    text = decode_bytes(data)
    lines = [line.strip() for line in text.splitlines()]
    doc = Document(kind="text")
    start = next((i for i, line in enumerate(lines) if _SECTION_START.match(line)), None)
    end = len(lines)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if _SECTION_END.match(lines[i])), end)
    body = lines[start:end] if start is not None else []
    for line in lines[: start if start is not None else len(lines)]:
        if line:
            doc.blocks.append(Paragraph(line))
    if body:
        rows = _rows(body[1:], doc.warnings)
        doc.blocks.append(Paragraph(body[0]))
        doc.blocks.append(_right_aligned(rows))
    for line in lines[end:]:
        if line:
            doc.blocks.append(Paragraph(line))
    return doc


def _is_header_word(line: str) -> bool:
    if _NUMBERED.match(line):
        return False  # （七）总计 is a row, 总计 a column
    norm = norm_label(line)
    return (
        norm in _HEADER_WORDS
        or any(match_exact(line, t) for t in _HEADER_TABLES)
        or match_label(line, L.PROACTIVE_METRICS) is not None
    )


Row = tuple[list[str], list[str]]  # (label cells, value cells)


def _rows(lines: list[str], warnings: list[str]) -> list[Row]:
    rows: list[Row] = []
    labels: list[str] = []
    numbers: list[str] = []
    header: list[str] = []
    # Columns of the latest header and the arithmetic its rows obey (see extract.align).
    layout: dict = {"width": 0, "check": None, "group": 0}

    def flush_row() -> None:
        if numbers:
            values = numbers[:]
            if layout["width"] and len(values) != layout["width"]:
                aligned, certain = align_row(
                    values, layout["width"], layout["check"], layout["group"]
                )
                if aligned is None or not certain:
                    warnings.append(
                        f"row {''.join(labels)!r}: {len(values)} numbers for "
                        f"{layout['width']} columns; "
                        + ("no layout adds up" if aligned is None else "layout is ambiguous")
                    )
                values = aligned if aligned is not None else values
            rows.append((labels[:], values))
            labels.clear()
            numbers.clear()

    def flush_header() -> None:
        if not header:
            return
        words = {match_exact(w, L.APPLICANT_COLUMNS) for w in header}
        if "natural_person" in words:
            rows.append(([], _APPLICANT_HEADER))
            layout.update(width=7, check=totals_check(7), group=7)
        elif {match_exact(w, L.REVIEW_GROUPS) for w in header} & {"review"}:
            rows.append(([], _REVIEW_GROUP_ROW))
            rows.append(([], _REVIEW_METRIC_ROW))
            layout.update(width=15, check=totals_check(5), group=5)
        else:
            metrics = [w for w in header if norm_label(w) != norm_label("信息内容")]
            rows.append((["信息内容"], metrics))
            layout.update(width=len(metrics), check=None, group=0)
        header.clear()

    for line in lines:
        if not line:
            continue
        if is_number(line) or line in ("-", "/"):
            flush_header()
            numbers.append(line)
            continue
        flush_row()
        if _CAPTION.search(line):
            flush_header()
            labels.clear()
            rows.append(([line], []))
        elif _is_header_word(line) or (header and len(line) == 1 and not labels):
            labels.clear()  # a section heading or caption before the header
            header.append(line)
        elif line.startswith(("（本列", "(本列")):
            continue
        else:
            flush_header()
            labels.append(line)
    flush_header()
    flush_row()
    return rows


def _right_aligned(rows: list[Row]) -> Table:
    """A grid where every row's last cells are its values, so columns line up from the
    right as the template's do."""
    width = max(len(labels) + len(values) for labels, values in rows)
    grid = []
    for r, (labels, values) in enumerate(rows):
        padded = labels + [""] * (width - len(labels) - len(values)) + values
        grid.append([Cell(text, r, c, (r, c)) for c, text in enumerate(padded)])
    return Table(rows=grid, index=0)
