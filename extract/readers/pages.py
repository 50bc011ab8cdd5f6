"""Paged documents into blocks: each page's text lines and table parts, in order.

Shared by the PDF reader (pages with a text layer) and the OCR reader (pictures of
pages): both give, per page, the table parts found on it — column edges, cells with
their row spans and x extents, in points — and the text lines outside them. Tables that
run over a page break are joined here, and a label cell cut by the break
("（四）无" / "法提供") is joined back into one cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from extract.model import Cell, Document, Paragraph, Seen, Table, fill_grid
from extract.readers.cleantext import is_digit_figure, join_cell_text

# Cell edges closer than this (points) are one grid line; pages of one table may be
# shifted against each other by a few points.
SNAP = 3.0
_PAGE_SHIFT = 6.0
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?(\s*/\s*(共\s*)?\d+\s*页?)?[-—–\s]*$")
_ENUMERATED = re.compile(r"^\s*(\d+)\s*[.、．]")


def is_page_number(text: str) -> bool:
    """A page's folio ("- 3 -", "第3页", "3/12"), which is no paragraph of the report."""
    return bool(_PAGE_NUMBER.match(text))


@dataclass(slots=True)
class PCell:
    """One cell of a table part: absolute row within its table, x extent on the page."""

    text: str
    row: int
    rowspan: int
    x0: float
    x1: float
    seen: Seen | None = None  # where OCR read it


@dataclass(slots=True)
class Part:
    """The piece of a table found on one page: where it starts on the page, its column
    edges, its cells (rows counted within the part) and how many rows it has."""

    top: float
    edges: list[float]
    cells: list[PCell]
    nrows: int


@dataclass(slots=True)
class _Builder:
    """A table being assembled from the parts found on consecutive pages."""

    edges: list[float]
    cells: list[PCell] = field(default_factory=list)
    row_pages: list[int] = field(default_factory=list)

    @property
    def nrows(self) -> int:
        return len(self.row_pages)


@dataclass(slots=True)
class Line:
    text: str
    top: float
    x0: float
    x1: float
    size: float


@dataclass(slots=True)
class _Page:
    """Where the assembly of one page stands: its text margins, whether anything was
    placed yet, and the paragraph being written with its last line."""

    number: int
    left: float
    right: float
    first: bool = True
    para: Paragraph | None = None
    prev: Line | None = None

    def runs_on(self, line: Line | None) -> bool:
        """True when `line` reaches the right margin: its paragraph goes on below."""
        return line is not None and line.x1 >= self.right - 1.5 * line.size


class PageAssembler:
    """Collects each page's paragraphs and table parts into the document, in order."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.open_table: _Builder | None = None  # a table that reached the end of its page
        self.open_para: Paragraph | None = None  # a paragraph that ran to the end of its page
        self.tables: list[tuple[int, _Builder]] = []

    def add(self, number: int, parts: list[Part], lines: list[Line]) -> None:
        """Add page `number`: its table parts and its text lines, merged top to bottom (a
        part before a line at the same height)."""
        page = _Page(
            number,
            left=min((ln.x0 for ln in lines), default=0.0),
            right=max((ln.x1 for ln in lines), default=0.0),
        )
        waiting = sorted(parts, key=lambda p: p.top)
        for line in sorted(lines, key=lambda ln: ln.top):
            while waiting and waiting[0].top <= line.top:
                self._add_part(page, waiting.pop(0))
            self._add_line(page, line)
        for part in waiting:
            self._add_part(page, part)
        self.open_para = page.para if page.para is not None and page.runs_on(page.prev) else None
        if not parts and not lines:
            self.open_table = None  # an empty page: no table runs to its end

    def _add_line(self, page: _Page, line: Line) -> None:
        if page.first and self.open_para is not None and line.x0 <= page.left + line.size:
            page.para = self.open_para  # the paragraph goes on from the last page
            page.para.text = join_cell_text(page.para.text + "\n" + line.text)
        elif (
            page.para is not None
            and page.runs_on(page.prev)
            and line.x0 <= page.left + 0.8 * line.size
        ):
            page.para.text = join_cell_text(page.para.text + "\n" + line.text)
        else:
            page.para = Paragraph(line.text, page.number)
            self.doc.blocks.append(page.para)
        page.prev = line
        page.first = False
        self.open_table = None

    def _add_part(self, page: _Page, part: Part) -> None:
        if not (page.first and self._continue_table(part, page.number)):
            builder = _Builder(edges=part.edges)
            _append(builder, part, page.number)
            self.tables.append((len(self.doc.blocks), builder))
            self.doc.blocks.append(Table(rows=[]))
            self.open_table = builder
        page.para, page.prev = None, None
        page.first = False

    def _continue_table(self, part: Part, page: int) -> bool:
        builder = self.open_table
        if builder is None or builder.row_pages[-1] != page - 1:
            return False
        edges = _union_edges(builder.edges, part.edges)
        if edges is None:
            return False
        builder.edges = edges
        _attach(builder, part, page)
        return True

    def finish(self) -> None:
        for index, (position, builder) in enumerate(self.tables):
            self.doc.blocks[position] = _grid(builder, index)


def cluster(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def nearest(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _union_edges(a: list[float], b: list[float]) -> list[float] | None:
    """Column edges of two page parts of one table, or None when they are not one table.

    Same outer edges, and the inner edges of one are among the other's: the 2021
    template's section 二 table has four columns in its first block and two later on.
    """
    if abs(a[0] - b[0]) > _PAGE_SHIFT or abs(a[-1] - b[-1]) > _PAGE_SHIFT:
        return None
    a_in = all(any(abs(x - y) <= _PAGE_SHIFT for y in b) for x in a)
    b_in = all(any(abs(x - y) <= _PAGE_SHIFT for y in a) for x in b)
    if not (a_in or b_in):
        return None
    return a if b_in else b


def _append(builder: _Builder, part: Part, page: int) -> None:
    offset = builder.nrows
    for cell in part.cells:
        cell.row += offset
        builder.cells.append(cell)
    builder.row_pages += [page] * part.nrows


def _attach(builder: _Builder, part: Part, page: int) -> None:
    """Append the next page's part, joining cells that the page break cut in two."""
    cells, nrows = part.cells, part.nrows
    last = builder.nrows - 1

    def key(cell: PCell) -> tuple[int, int]:
        return nearest(builder.edges, cell.x0), nearest(builder.edges, cell.x1)

    above = {key(c): c for c in builder.cells if c.row <= last < c.row + c.rowspan}
    first = sorted((c for c in cells if c.row == 0), key=lambda c: c.x0)
    if (
        first
        and not any(is_digit_figure(c.text) for c in first)
        and all(key(c) in above for c in first)
    ):
        # The row itself was cut: its label goes on and its numbers are all above.
        for cell in first:
            target = above[key(cell)]
            target.text = join_cell_text(target.text + "\n" + cell.text)
            target.rowspan += cell.rowspan - 1
        cells = [c for c in cells if c.row > 0]
        for cell in cells:
            cell.row -= 1
        nrows -= 1
    else:
        joined: list[PCell] = []
        for i, cell in enumerate(first):
            target = above.get(key(cell))
            if target is None or is_digit_figure(target.text) or is_digit_figure(cell.text):
                continue
            right = first[i + 1] if i + 1 < len(first) else None
            if cell.text == "" or _enumeration_goes_on(
                right, above.get(key(right)) if right else None
            ):
                target.text = join_cell_text(target.text + "\n" + cell.text)
                target.rowspan += cell.rowspan
                joined.append(cell)
        cells = [c for c in cells if all(c is not j for j in joined)]
    _append(builder, replace(part, cells=cells, nrows=nrows), page)


def _enumeration_goes_on(right: PCell | None, right_above: PCell | None) -> bool:
    """True when the sub-items beside a group label go on numbering across the break
    ("1.本机关不掌握…" above, "2.没有现成信息…" below), so the group label is one cell."""
    if right is None or right_above is None:
        return False
    now = _ENUMERATED.match(right.text)
    before = _ENUMERATED.match(right_above.text)
    return bool(now and before and int(now.group(1)) == int(before.group(1)) + 1)


def _grid(builder: _Builder, index: int) -> Table:
    edges = builder.edges
    taken: dict[tuple[int, int], Cell] = {}
    for cell in builder.cells:
        c0 = nearest(edges, cell.x0)
        c1 = max(c0 + 1, nearest(edges, cell.x1))
        for r in range(cell.row, min(cell.row + cell.rowspan, builder.nrows)):
            for c in range(c0, c1):
                taken.setdefault((r, c), Cell(cell.text, r, c, (cell.row, c0), cell.seen))
    rows = fill_grid(taken, builder.nrows, max(1, len(edges) - 1))
    pages: list[int | None] = list(builder.row_pages)
    return Table(rows=rows, index=index, page=pages[0] if pages else None, row_pages=pages)
