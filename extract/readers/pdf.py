"""PDF reader: ruled tables as grids with merged cells resolved, the rest as paragraphs.

Agencies print their reports from Word/WPS, so the national tables are ruled and
pdfplumber finds them from the lines. What it needs help with:

- WPS/Jisupdf output paints every body-text line on a white, unstroked rectangle; taken
  as ruling, those turn whole pages into one-column "tables". Invisible rectangles are
  dropped before table finding, and any one-column table left is read as text.
- pdfplumber reports a merged cell once, in the row where it starts, and None for the
  grid positions it covers. The grid is rebuilt from cell bounding boxes instead, so every
  position gets the text and origin of the cell that covers it.
- A table that runs over a page break comes back as two tables; `pages.py` joins them when the
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
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psparser import PSLiteral
from pdfplumber.utils.exceptions import PdfminerException

from extract.model import Document, ExtractError
from extract.readers.cleantext import join_cell_text
from extract.readers.pages import (
    SNAP,
    Line,
    PageAssembler,
    Part,
    PCell,
    cluster,
    is_page_number,
    nearest,
)

log = logging.getLogger(__name__)

# A picture covering this share of a page without ruled tables is a scanned page.
_PICTURE_SHARE = 0.4


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
        reader = PageAssembler(doc)
        renderer = _Renderer(data)
        chars = 0
        for page in pages:
            try:
                chars += len(page.chars)
                if _is_picture(page):
                    parts, lines = renderer.read(page, doc)
                else:
                    parts, text_page = _find_tables(page)
                    lines = _lines(text_page)
                reader.add(page.page_number, parts, lines)
            except ExtractError:
                raise
            except Exception as exc:
                raise ExtractError(
                    "failed",
                    f"PDF page {page.page_number} cannot be read: {_describe(_cause(exc))}",
                ) from exc
            finally:
                page.close()
        if chars == 0 and doc.ocr is None:
            raise ExtractError(
                "failed", f"blank PDF: none of its {len(pages)} pages has text or pictures"
            )
        reader.finish()
    return doc


def _is_picture(page: Any) -> bool:
    """A page to read by OCR: no text layer but something printed (a scan, or text drawn
    as outlines), or a page-sized picture where no table is ruled (a scanned table
    pasted between typed pages)."""
    if not page.chars:
        return bool(page.images or page.curves or page.rects or page.lines)
    area = float(page.width * page.height)
    big = any(
        (img["x1"] - img["x0"]) * (img["bottom"] - img["top"]) >= _PICTURE_SHARE * area
        for img in page.images
    )
    return big and not any(_visible(r) for r in page.rects) and not page.lines


class _Renderer:
    """Renders the pages that need OCR (pdfium, which pdfplumber already uses), opening
    the PDF for it only when the first such page comes."""

    def __init__(self, data: bytes):
        self.data = data
        self.pdf: Any = None

    def read(self, page: Any, doc: Document) -> tuple[list[Part], list[Line]]:
        import numpy as np
        import pypdfium2

        from extract.readers import ocr_reader

        ocr = ocr_reader()
        if self.pdf is None:
            self.pdf = pypdfium2.PdfDocument(self.data)
        dpi = _picture_dpi(page)
        bitmap = self.pdf[page.page_number - 1].render(scale=dpi / 72, grayscale=False)
        rgb = np.asarray(bitmap.to_pil().convert("RGB"))
        picture = ocr.PagePicture(page.page_number, rgb[:, :, ::-1].copy(), dpi)
        reading = ocr.read_page(picture, ocr.info_of(doc))
        return reading.parts, reading.lines


def _picture_dpi(page: Any) -> int:
    """The resolution to render at: that of the page's largest picture, within 150–300
    (finer than the scan adds nothing; coarser loses strokes)."""
    best = 0.0
    for img in page.images:
        width = img["x1"] - img["x0"]
        if width > 0 and img.get("srcsize"):
            best = max(best, img["srcsize"][0] / (float(width) / 72))
    return int(min(300, max(150, best or 200)))


def _find_tables(page: Any) -> tuple[list[Part], Any]:
    """Table parts on a page and the page without the tables' text.

    Only the rows inside visible ruling count: the white line backgrounds WPS paints make
    pdfplumber take the body text above a table for more rows of it.
    """
    ruling = [o for o in page.lines] + [r for r in page.rects if _visible(r)]
    if not ruling:
        return [], page
    parts: list[Part] = []
    boxes: list[tuple[float, float, float, float]] = []
    for table in page.find_tables():
        x0, top, x1, bottom = table.bbox
        inside = [
            o
            for o in ruling
            if o["x1"] >= x0 - SNAP
            and o["x0"] <= x1 + SNAP
            and o["bottom"] >= top - SNAP
            and o["top"] <= bottom + SNAP
        ]
        if not inside:
            continue
        top = max(top, min(o["top"] for o in inside))
        bottom = min(bottom, max(o["bottom"] for o in inside))
        part = _part(table, top, bottom)
        # A one-column "table" is a ruled box around body text: its text stays text.
        if part is not None and len(part.edges) > 2:
            parts.append(part)
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


def _part(table: Any, top: float, bottom: float) -> Part | None:
    """The part of one table between `top` and `bottom`, its rows counted from there."""
    kept = [
        (row, texts)
        for row, texts in zip(table.rows, table.extract(), strict=True)
        if row.bbox[1] >= top - SNAP and row.bbox[3] <= bottom + SNAP
    ]
    tops = cluster(row.bbox[1] for row, _ in kept)
    if not tops:
        return None
    cells: list[PCell] = []
    xs: list[float] = []
    for row, texts in kept:
        for bbox, text in zip(row.cells, texts, strict=True):
            if bbox is None:
                continue
            x0, cell_top, x1, cell_bottom = bbox
            span = sum(1 for t in tops if cell_top - SNAP <= t < cell_bottom - SNAP) or 1
            cells.append(PCell(join_cell_text(text), nearest(tops, cell_top), span, x0, x1))
            xs += [x0, x1]
    edges = cluster(xs)
    cells += _missed_cells(table.page, cells, edges, tops, min(bottom, table.bbox[3]))
    return Part(top, edges, cells, len(tops))


def _missed_cells(
    page: Any, cells: list[PCell], edges: list[float], tops: list[float], bottom: float
) -> list[PCell]:
    """Cells pdfplumber did not find (a border drawn as a fill, not a line) but that hold
    text: "信息内容" atop a table part in js-hongze-2023.pdf, page 3."""
    covered = {
        (r, c)
        for cell in cells
        for r in range(cell.row, cell.row + cell.rowspan)
        for c in range(
            nearest(edges, cell.x0), max(nearest(edges, cell.x1), nearest(edges, cell.x0) + 1)
        )
    }
    found: list[PCell] = []
    bottoms = [*tops[1:], bottom]
    for r, (top, low) in enumerate(zip(tops, bottoms, strict=True)):
        for c in range(len(edges) - 1):
            if (r, c) in covered or low - top < 1 or edges[c + 1] - edges[c] < 1:
                continue
            text = page.crop((edges[c], top, edges[c + 1], low), strict=False).extract_text()
            if text.strip():
                found.append(PCell(join_cell_text(text), r, 1, edges[c], edges[c + 1]))
    return found


def _lines(page: Any) -> list[Line]:
    out: list[Line] = []
    for line in page.extract_text_lines(strip=True, return_chars=False):
        text = join_cell_text(line["text"])
        if not text or is_page_number(text):
            continue
        size = max(1.0, line["bottom"] - line["top"])
        out.append(Line(text, line["top"], line["x0"], line["x1"], size))
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
