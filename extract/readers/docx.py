"""DOCX reader: body paragraphs and tables in document order, merged cells as origins.

python-docx's `table.rows[i].cells` repeats a merged cell's object at every position it
covers, which hides where the merge starts. The grid is built from the `w:tc` elements
instead: `w:gridSpan` gives a cell's width in grid columns, `w:vMerge` without
`restart` continues the cell above, and `w:gridBefore` skips leading grid columns.

The zip is checked before anything parses it: a DOCX is a zip, and a small zip can
inflate to gigabytes.
"""

from __future__ import annotations

import io
import logging
import zipfile
from typing import Any

import docx
from docx.oxml.ns import qn

from extract.model import Cell, Document, ExtractError, Paragraph, Table, fill_grid
from extract.readers.cleantext import join_cell_text

log = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
# Members smaller than this may compress as well as they like (XML of empty tables does).
RATIO_FLOOR = 10 * 1024 * 1024

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_VAL = qn("w:val")
# Content controls and custom XML wrap rows, cells and paragraphs without changing them.
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")}


def read_docx(data: bytes) -> Document:
    check_zip(data, "DOCX")
    try:
        package = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx/lxml raise KeyError, ValueError, XMLSyntaxError…
        raise ExtractError("failed", f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    doc = Document(kind="docx", meta=_meta(package.core_properties))
    if doc.meta.get("title"):
        doc.title = doc.meta["title"]
    tables: list[Table] = []
    for element in _children(package.element.body):
        if element.tag == _P:
            text = join_cell_text(_text(element))
            if text:
                doc.blocks.append(Paragraph(text))
        elif element.tag == _TBL:
            for table in _tables(element):
                table.index = len(tables)
                tables.append(table)
                doc.blocks.append(table)
    if not doc.text.strip() and _has_pictures(package.element.body):
        # Scanned pages pasted into Word, as some agencies publish them.
        raise ExtractError("needs_ocr", "image-only DOCX: pictures but no text")
    return doc


def _has_pictures(body: Any) -> bool:
    return any(True for _ in body.iter(qn("w:drawing"), qn("w:pict")))


def check_zip(data: bytes, what: str) -> None:
    """Refuse a corrupt zip, or one that would inflate far beyond any real report."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ExtractError("failed", f"corrupt {what}: not a readable zip ({exc})") from exc
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ExtractError(
            "failed",
            f"refusing {what}: it inflates to {total // (1024 * 1024)} MB, looks like a zip bomb",
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise ExtractError(
                "failed",
                f"refusing {what}: member {info.filename} compresses {ratio}:1,"
                " looks like a zip bomb",
            )


def _children(element: Any) -> list[Any]:
    """Child elements, looking through content-control and custom-XML wrappers."""
    out: list[Any] = []
    for child in element:
        if child.tag in _WRAPPERS:
            out += _children(child)
        else:
            out.append(child)
    return out


def _text(paragraph: Any) -> str:
    parts: list[str] = []
    for el in paragraph.iter(_T, _TAB, _BR, _CR):
        if el.tag == _T:
            parts.append(el.text or "")
        elif el.tag == _TAB:
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _prop(element: Any, *path: str) -> Any:
    """The w:… property element at path under element, or None."""
    for name in path:
        if element is None:
            return None
        element = element.find(qn(name))
    return element


def _tables(tbl: Any) -> list[Table]:
    """The grid of one w:tbl, followed by the grids of tables nested in its cells."""
    taken: dict[tuple[int, int], Cell] = {}
    nested: list[Table] = []
    rows = [el for el in _children(tbl) if el.tag == _TR]
    width = 0
    for r, tr in enumerate(rows):
        before = _prop(tr, "w:trPr", "w:gridBefore")
        c = int(before.get(_VAL, 0)) if before is not None else 0
        for tc in (el for el in _children(tr) if el.tag == _TC):
            span_el = _prop(tc, "w:tcPr", "w:gridSpan")
            span = max(1, int(span_el.get(_VAL, 1))) if span_el is not None else 1
            vmerge = _prop(tc, "w:tcPr", "w:vMerge")
            above = taken.get((r - 1, c))
            if vmerge is not None and vmerge.get(_VAL) != "restart" and above is not None:
                origin, text = above.origin, above.text
            else:
                origin, text = (r, c), _cell_text(tc, nested)
            for dc in range(span):
                taken[(r, c + dc)] = Cell(text, r, c + dc, origin)
            c += span
        width = max(width, c)
    grid = fill_grid(taken, len(rows), width)
    return [Table(rows=grid, row_pages=[None] * len(grid)), *nested]


def _cell_text(tc: Any, nested: list[Table]) -> str:
    lines: list[str] = []
    for child in _children(tc):
        if child.tag == _P:
            lines.append(_text(child))
        elif child.tag == _TBL:
            nested.extend(_tables(child))
    return join_cell_text("\n".join(lines))


def _meta(props: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for name in ("title", "author", "created", "modified", "last_modified_by", "subject"):
        try:
            value = getattr(props, name)
        except (ValueError, TypeError) as exc:  # malformed dates in docProps/core.xml
            log.debug("DOCX core property %s unreadable: %s", name, exc)
            continue
        if value:
            meta[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return meta
