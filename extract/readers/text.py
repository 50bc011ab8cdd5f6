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
from extract.normalize import norm_label, reads_as_number
from nianbao.common.charset import decode

_SECTION_START = re.compile(r"^二\s*[、.．]\s*主动公开")
_SECTION_END = re.compile(r"^五\s*[、.．]")
_CAPTION = re.compile(r"第二十条第")
# Paragraphs up to this long are table cells run together, cut at white space.
_MAX_CELL_LINE = 80
_NUMBERED = re.compile(r"^[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]")
_HEADER_TABLES = (L.PROACTIVE_METRICS, L.APPLICANT_COLUMNS, L.REVIEW_GROUPS, L.REVIEW_COLUMNS)
_HEADER_WORDS = {norm_label(w) for w in ("信息内容", "申请人情况", "法人或其他组织", "行政诉讼")}
# The national template's header rows for sections 三 and 四, re-laid when the copied
# text shows them (their spans cannot survive copying).
# Words only the headers of sections 三 and 四 print.
_MATRIX_HEADER = re.compile(
    "自然人|申请人情况|法人或其他组织|勾稽关系|本列数据|行政复议|复议后起诉"
)
_HEADER_WORD = re.compile(
    "|".join(
        re.escape(w)
        for w in sorted(
            {v for t in _HEADER_TABLES for vs in t.values() for v in vs}
            | {"信息内容", "申请人情况", "法人或其他组织", "行政诉讼"},
            key=len,
            reverse=True,
        )
    )
)
_HEADER_RUN = re.compile(f"(?:{_HEADER_WORD.pattern})+")
# Where a label runs into a number: 规章0 → 规章 | 0 (not 1.属于… or 7730.28).
_LABEL_NUMBER = re.compile(
    r"(?<=[^\d\s.+\-])(?=[+\-]?\d+(?:\.\d+)?(?:\s|$|[件条项个万元]))"  # 规章0
    r"|(?<=\d)(?=[\u4e00-\u9fff（(](?<![件条项个万元]))"  # 26二、上年结转
)
_APPLICANT_HEADER = [v[0] for v in L.APPLICANT_COLUMNS.values()]
_REVIEW_GROUP_ROW = [g for g in ("行政复议", "未经复议直接起诉", "复议后起诉") for _ in range(5)]
_REVIEW_METRIC_ROW = [v[0] for v in L.REVIEW_COLUMNS.values()] * 3


def read_text(data: bytes) -> Document:
    lines = [line.strip() for line in decode(data).splitlines()]
    doc = Document(kind="text")
    span = _table_span(lines)
    if span is None:
        doc.blocks += [Paragraph(line) for line in lines if line]
        return doc
    start, end = span
    doc.blocks += [Paragraph(line) for line in lines[: start + 1] if line]
    # Sentences between the tables are prose, not cells: kept for the figures they state.
    doc.blocks += [Paragraph(line) for line in lines[start + 1 : end] if "。" in line]
    doc.blocks.append(_right_aligned(_rows(lines[start + 1 : end], doc.warnings)))
    doc.blocks += [Paragraph(line) for line in lines[end:] if line]
    return doc


def table_from_paragraphs(doc: Document) -> Table | None:
    """The tables of a page that prints them as running text (a cell per paragraph or
    div, or a PDF without ruling whose lines hold several cells), laid out as one table.

    Short paragraphs are cut at white space into cells; reader doubts go to
    `doc.warnings`. None when the page has no section 二 heading.
    """
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            text = block.text.strip()
            lines += _cells_of(text) if len(text) <= _MAX_CELL_LINE else [text]
    span = _table_span(lines)
    if span is None:
        return None
    rows = _rows(lines[span[0] + 1 : span[1]], doc.warnings)
    return _right_aligned(rows) if rows else None


def _cells_of(line: str) -> list[str]:
    """Cells run together on one line: header words one by one ("信息内容本年制发件数…"),
    otherwise cut at white space and where a label runs into a number ("规章0")."""
    squeezed = re.sub(r"\s+", "", line)
    if _HEADER_RUN.fullmatch(squeezed):
        return _HEADER_WORD.findall(squeezed)
    cells: list[str] = []
    for piece in line.split():
        cells += [c for c in _LABEL_NUMBER.split(piece) if c]
    return cells


def _table_span(lines: list[str]) -> tuple[int, int] | None:
    """Lines from the section 二 heading to the section 五 heading."""
    start = next((i for i, line in enumerate(lines) if _SECTION_START.match(line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if _SECTION_END.match(lines[i])), None)
    return start, end if end is not None else len(lines)


def _in_matrix_header(header: list[str]) -> bool:
    """Inside the header of section 三 or 四, whose wrapped words come out in pieces and
    in any order; its first row label (一、…) or first number ends it."""
    return any(_MATRIX_HEADER.search(norm_label(w)) for w in header)


def _is_header_word(line: str) -> bool:
    if _NUMBERED.match(line):
        return False  # （七）总计 is a row, 总计 a column
    norm = norm_label(line)
    return (
        norm in _HEADER_WORDS
        or _MATRIX_HEADER.search(norm) is not None
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
        joined = norm_label("".join(header))
        if any(w in joined for w in ("自然人", "申请人情况", "法人或其他组织")):
            rows.append(([], _APPLICANT_HEADER))
            layout.update(width=7, check=totals_check(7), group=7)
        elif "行政复议" in joined:
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
        if reads_as_number(line) or line in ("-", "/"):
            flush_header()
            numbers.append(line)
            continue
        flush_row()
        if _CAPTION.search(line):
            flush_header()
            labels.clear()
            rows.append(([line], []))
        elif (
            _is_header_word(line)
            or (header and len(line) == 1 and not labels)
            or (_in_matrix_header(header) and not _NUMBERED.match(line))
        ):
            labels.clear()  # a section heading or caption before the header
            header.append(line)
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
