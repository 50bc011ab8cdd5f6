"""PDF reader: ruled tables as grids with merged cells resolved, the rest as paragraphs.

Agencies print their reports from Word/WPS, so the national tables are ruled and
pdfplumber finds them from the lines. What it needs help with:

- WPS/Jisupdf output paints every body-text line on a white, unstroked rectangle; taken
  as ruling, those turn whole pages into one-column "tables". Invisible rectangles are
  dropped before table finding, and any one-column table left is read as text.
- pdfplumber reports a merged cell once, in the row where it starts, and None for the
  grid positions it covers. The grid is rebuilt from cell bounding boxes instead, so every
  position gets the text and origin of the cell that covers it.
- A table that runs over a page break comes back as two tables; they are joined when the
  first one ends its page and the second one opens the next with the same outer edges, and a
  label cell cut by the break ("（四）无" / "法提供") is joined back into one cell.

The PDF is opened once and each page is read once: tables are found once per page (only
on pages that have any ruling) and the text outside them is taken from the same page.
"""

from __future__ import annotations

import gc
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psparser import PSLiteral
from pdfplumber.utils.exceptions import PdfminerException

from extract.model import Cell, Document, ExtractError, Paragraph, Table
from extract.readers.cleantext import is_number, join_cell_text

log = logging.getLogger(__name__)

# Cell edges closer than this (points) are one grid line; pages of one table may be
# shifted against each other by a few points.
_SNAP = 3.0
_PAGE_SHIFT = 6.0
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?(\s*/\s*(共\s*)?\d+\s*页?)?[-—–\s]*$")
_ENUMERATED = re.compile(r"^\s*(\d+)\s*[.、．]")


@dataclass(slots=True)
class _PCell:
    """One cell of a table part: absolute row within its table, x extent on the page."""

    text: str
    row: int
    rowspan: int
    x0: float
    x1: float


@dataclass(slots=True)
class _Builder:
    """A table being assembled from the parts found on consecutive pages."""

    edges: list[float]
    cells: list[_PCell] = field(default_factory=list)
    row_pages: list[int] = field(default_factory=list)

    @property
    def nrows(self) -> int:
        return len(self.row_pages)


@dataclass(slots=True)
class _Line:
    text: str
    top: float
    x0: float
    x1: float
    size: float


def read_pdf(data: bytes) -> Document:
    """Read a PDF; the cyclic garbage collector is paused meanwhile.

    pdfplumber turns every glyph into a dict, hundreds of thousands per report, and the
    collector would scan them over and over (about a tenth of the reading time); they are
    freed by reference counting when each page is closed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(data)
    finally:
        if was_enabled:
            gc.enable()


def _read(data: bytes) -> Document:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types on corrupt input
        cause = _cause(exc)
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ExtractError(
                "failed",
                f"encrypted PDF that cannot be opened without a password ({_describe(cause)})",
            ) from exc
        raise ExtractError("failed", f"corrupt PDF: {_describe(cause)}") from exc
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise ExtractError(
                "failed", f"corrupt PDF: no readable pages ({_describe(_cause(exc))})"
            ) from exc
        if not pages:
            raise ExtractError("failed", "PDF without pages")
        doc = Document(kind="pdf", pages=len(pages), meta=_meta(pdf.doc.info))
        title = doc.meta.get("Title", "")
        if re.search(r"[\u4e00-\u9fff]", title):
            doc.title = title
        reader = _Assembler(doc)
        chars = 0
        for page in pages:
            try:
                chars += len(page.chars)
                reader.add_page(page)
            except ExtractError:
                raise
            except Exception as exc:
                raise ExtractError(
                    "failed",
                    f"PDF page {page.page_number} cannot be read: {_describe(_cause(exc))}",
                ) from exc
            finally:
                page.close()
        if chars == 0:
            raise ExtractError(
                "needs_ocr",
                f"image-only PDF: none of its {len(pages)} pages has text characters",
            )
        reader.finish()
    return doc


class _Assembler:
    """Collects each page's paragraphs and table parts into the document, in order."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.open_table: _Builder | None = None  # a table that reached the end of its page
        self.open_para: Paragraph | None = None  # a paragraph that ran to the end of its page
        self.tables: list[tuple[int, _Builder]] = []

    def add_page(self, page: Any) -> None:
        number = page.page_number
        parts, text_page = _find_tables(page)
        lines = _lines(text_page)
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=0.0)
        items: list[tuple[float, int, Any]] = [(ln.top, 1, ln) for ln in lines]
        items += [(top, 0, cells) for top, cells in parts]
        items.sort(key=lambda it: (it[0], it[1]))
        first = True
        para: Paragraph | None = None
        prev: _Line | None = None
        for _, _, item in items:
            if isinstance(item, _Line):
                if first and self.open_para is not None and item.x0 <= left + item.size:
                    para = self.open_para  # the paragraph goes on from the last page
                    para.text = join_cell_text(para.text + "\n" + item.text)
                elif (
                    para is not None
                    and prev is not None
                    and prev.x1 >= right - 1.5 * prev.size
                    and item.x0 <= left + 0.8 * item.size
                ):
                    para.text = join_cell_text(para.text + "\n" + item.text)
                else:
                    para = Paragraph(item.text, number)
                    self.doc.blocks.append(para)
                prev = item
                self.open_table = None
            else:
                part: tuple[list[float], list[_PCell], int] = item
                if not (first and self._continue_table(part, number)):
                    builder = _Builder(edges=part[0])
                    _append(builder, part, number)
                    self.tables.append((len(self.doc.blocks), builder))
                    self.doc.blocks.append(Table(rows=[]))
                    self.open_table = builder
                para, prev = None, None
            first = False
        self.open_para = (
            para
            if para is not None and prev is not None and prev.x1 >= right - 1.5 * prev.size
            else None
        )
        if not items or not isinstance(items[-1][2], tuple):
            self.open_table = None

    def _continue_table(self, part: tuple[list[float], list[_PCell], int], page: int) -> bool:
        builder = self.open_table
        if builder is None or builder.row_pages[-1] != page - 1:
            return False
        edges = _union_edges(builder.edges, part[0])
        if edges is None:
            return False
        builder.edges = edges
        _attach(builder, part, page)
        return True

    def finish(self) -> None:
        for index, (position, builder) in enumerate(self.tables):
            self.doc.blocks[position] = _grid(builder, index)


def _find_tables(page: Any) -> tuple[list[tuple[float, tuple]], Any]:
    """Table parts on a page (with their tops) and the page without the tables' text.

    Only the rows inside visible ruling count: the white line backgrounds WPS paints make
    pdfplumber take the body text above a table for more rows of it.
    """
    ruling = [o for o in page.lines] + [r for r in page.rects if _visible(r)]
    if not ruling:
        return [], page
    parts: list[tuple[float, tuple]] = []
    boxes: list[tuple[float, float, float, float]] = []
    for table in page.find_tables():
        x0, top, x1, bottom = table.bbox
        inside = [
            o
            for o in ruling
            if o["x1"] >= x0 - _SNAP
            and o["x0"] <= x1 + _SNAP
            and o["bottom"] >= top - _SNAP
            and o["top"] <= bottom + _SNAP
        ]
        if not inside:
            continue
        top = max(top, min(o["top"] for o in inside))
        bottom = min(bottom, max(o["bottom"] for o in inside))
        part = _part(table, top, bottom)
        # A one-column "table" is a ruled box around body text: its text stays text.
        if part is not None and len(part[0]) > 2:
            parts.append((top, part))
            boxes.append((x0, top, x1, bottom))
    if not boxes:
        return parts, page

    def outside(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    return parts, page.filter(outside)


def _visible(rect: dict) -> bool:
    """False for the white, unstroked rectangles WPS paints behind text lines."""
    if rect.get("stroke"):
        return True
    if not rect.get("fill"):
        return False
    color = rect.get("non_stroking_color")
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not color:
        return True
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):
        return True
    if len(values) == 4:  # CMYK: white is no ink
        return not all(v <= 0.05 for v in values)
    return not all(v >= 0.95 for v in values)


def _part(table: Any, top: float, bottom: float) -> tuple[list[float], list[_PCell], int] | None:
    """(column edges, cells with rows counted within the part, row count) of one table,
    keeping the rows between `top` and `bottom`."""
    kept = [
        (row, texts)
        for row, texts in zip(table.rows, table.extract(), strict=True)
        if row.bbox[1] >= top - _SNAP and row.bbox[3] <= bottom + _SNAP
    ]
    tops = _cluster(row.bbox[1] for row, _ in kept)
    if not tops:
        return None
    cells: list[_PCell] = []
    xs: list[float] = []
    for row, texts in kept:
        for bbox, text in zip(row.cells, texts, strict=True):
            if bbox is None:
                continue
            x0, cell_top, x1, cell_bottom = bbox
            span = sum(1 for t in tops if cell_top - _SNAP <= t < cell_bottom - _SNAP) or 1
            cells.append(_PCell(join_cell_text(text), _index(tops, cell_top), span, x0, x1))
            xs += [x0, x1]
    edges = _cluster(xs)
    cells += _missed_cells(table.page, cells, edges, tops, min(bottom, table.bbox[3]))
    return edges, cells, len(tops)


def _missed_cells(
    page: Any, cells: list[_PCell], edges: list[float], tops: list[float], bottom: float
) -> list[_PCell]:
    """Cells pdfplumber did not find (a border drawn as a fill, not a line) but that hold
    text: "信息内容" atop a table part in js-hongze-2023.pdf, page 3."""
    covered = {
        (r, c)
        for cell in cells
        for r in range(cell.row, cell.row + cell.rowspan)
        for c in range(
            _index(edges, cell.x0), max(_index(edges, cell.x1), _index(edges, cell.x0) + 1)
        )
    }
    found: list[_PCell] = []
    bottoms = [*tops[1:], bottom]
    for r, (top, low) in enumerate(zip(tops, bottoms, strict=True)):
        for c in range(len(edges) - 1):
            if (r, c) in covered or low - top < 1 or edges[c + 1] - edges[c] < 1:
                continue
            text = page.crop((edges[c], top, edges[c + 1], low), strict=False).extract_text()
            if text.strip():
                found.append(_PCell(join_cell_text(text), r, 1, edges[c], edges[c + 1]))
    return found


def _cluster(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
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


def _append(builder: _Builder, part: tuple[list[float], list[_PCell], int], page: int) -> None:
    edges, cells, nrows = part
    offset = builder.nrows
    for cell in cells:
        cell.row += offset
        builder.cells.append(cell)
    builder.row_pages += [page] * nrows


def _attach(builder: _Builder, part: tuple[list[float], list[_PCell], int], page: int) -> None:
    """Append the next page's part, joining cells that the page break cut in two."""
    edges, cells, nrows = part
    last = builder.nrows - 1

    def key(cell: _PCell) -> tuple[int, int]:
        return _index(builder.edges, cell.x0), _index(builder.edges, cell.x1)

    above = {key(c): c for c in builder.cells if c.row <= last < c.row + c.rowspan}
    first = sorted((c for c in cells if c.row == 0), key=lambda c: c.x0)
    if first and not any(is_number(c.text) for c in first) and all(key(c) in above for c in first):
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
        joined: list[_PCell] = []
        for i, cell in enumerate(first):
            target = above.get(key(cell))
            if target is None or is_number(target.text) or is_number(cell.text):
                continue
            right = first[i + 1] if i + 1 < len(first) else None
            if cell.text == "" or _enumeration_goes_on(
                right, above.get(key(right)) if right else None
            ):
                target.text = join_cell_text(target.text + "\n" + cell.text)
                target.rowspan += cell.rowspan
                joined.append(cell)
        cells = [c for c in cells if all(c is not j for j in joined)]
    _append(builder, (edges, cells, nrows), page)


def _enumeration_goes_on(right: _PCell | None, right_above: _PCell | None) -> bool:
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
        c0 = _index(edges, cell.x0)
        c1 = max(c0 + 1, _index(edges, cell.x1))
        for r in range(cell.row, min(cell.row + cell.rowspan, builder.nrows)):
            for c in range(c0, c1):
                taken.setdefault((r, c), Cell(cell.text, r, c, (cell.row, c0)))
    width = max(1, len(edges) - 1)
    rows = [
        [taken.get((r, c)) or Cell("", r, c, (r, c)) for c in range(width)]
        for r in range(builder.nrows)
    ]
    pages: list[int | None] = list(builder.row_pages)
    return Table(rows=rows, index=index, page=pages[0] if pages else None, row_pages=pages)


def _lines(page: Any) -> list[_Line]:
    out: list[_Line] = []
    for line in page.extract_text_lines(strip=True, return_chars=False):
        text = join_cell_text(line["text"])
        if not text or _PAGE_NUMBER.match(text):
            continue
        size = max(1.0, line["bottom"] - line["top"])
        out.append(_Line(text, line["top"], line["x0"], line["x1"], size))
    return out


def _meta(info: list[dict]) -> dict[str, str]:
    """The document info dictionary as text (WPS writes UTF-16LE with a BOM)."""
    meta: dict[str, str] = {}
    for entry in info:
        for key, value in entry.items():
            text = _decode(value)
            if text:
                meta[str(key)] = text
    return meta


def _decode(value: Any) -> str:
    if isinstance(value, PSLiteral):
        return str(value.name)
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            text = value[2:].decode("utf-16-be", "replace")
        elif value.startswith(b"\xff\xfe"):
            text = value[2:].decode("utf-16-le", "replace")
        else:
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                text = value.decode("latin-1")
        return text.strip("\x00 ").strip()
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return ""


def _cause(exc: BaseException) -> BaseException:
    """The pdfminer error that pdfplumber wrapped in a PdfminerException."""
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
