"""Pictures of report pages → the document model, cell for cell.

Each page is straightened (its skew measured on the table ruling), its ruled tables are
found (`ruling.py`) and every cell is read on its own crop: the ink inside the cell is
cut into lines by its horizontal profile, so a wrapped header or a vertical label
(one character a line) reads line by line with no text detection; each line goes to the
recogniser. Text outside the tables is found with the engine's detector. Pages then go
through the same assembler as PDF pages (`pages.py`): tables across page breaks, paragraphs.

What is kept for trust: every cell's pixel box on the picture as given (before
straightening) and the recogniser's confidence. A numeric cell is read over digits only;
a letter taken for a digit (O→0, l→1) is recorded, and a cell read with low confidence
is listed in `Document.ocr.doubtful` — the pipeline turns that into a failed
`reader.ocr_confident` check naming the cells. Values are never invented.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import cv2
import numpy as np

from extract import labels as L
from extract.model import Document, ExtractError, OcrInfo, Seen
from extract.normalize import norm_label
from extract.readers import ocr_engine, ruling
from extract.readers.cleantext import join_cell_text
from extract.readers.pages import Line, PageAssembler, Part, PCell, is_page_number

log = logging.getLogger(__name__)

# Below this, a cell's reading is doubtful (kept, and flagged by a failed check).
CONFIDENCE = 0.8
_INSET = 4  # pixels kept off the ruling inside a cell
_MIN_BAND = 5  # a line of text is at least this many pixels high
# Pixels kept above and below a detected text line: detection at reduced scale cuts lines
# tighter than the engine's own (31 px high against 35 at 150 dpi), and a tight crop is
# read as a wider line, at more cost (17% of a text page).
_LINE_PAD = 3
_CONFUSED = str.maketrans({"O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1"})
_NUMERIC = re.compile(r"[\d.,\-]+")
_A4_INCHES = 8.27
# Below this, a label may be put right against the template's labels.
_SURE_LABEL = 0.95


@dataclass(slots=True)
class PagePicture:
    """One page as a picture: BGR pixels, the page number, its resolution."""

    number: int
    image: np.ndarray
    dpi: int


@dataclass(slots=True)
class _Crop:
    """A line of text inside a cell (or on the page) waiting for the recogniser."""

    key: int  # the cell or line it belongs to
    image: np.ndarray


@dataclass(slots=True)
class PageReading:
    parts: list[Part] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def read_pictures(pages: Iterable[PagePicture], doc: Document) -> None:
    """OCR the pages into `doc` (a fresh document of any kind)."""
    assembler = PageAssembler(doc)
    ocr = info_of(doc)
    for page in pages:
        reading = read_page(page, ocr)
        assembler.add(page.number, reading.parts, reading.lines)
    assembler.finish()


def info_of(doc: Document) -> OcrInfo:
    """The document's OCR record, started on its first page read by OCR."""
    if doc.ocr is None:
        doc.ocr = OcrInfo(engine=ocr_engine.engine_name())
    return doc.ocr


def read_page(page: PagePicture, ocr: OcrInfo) -> PageReading:
    """One page picture → its table parts and text lines, in points."""
    ocr.pages.append(page.number)
    grey = ruling.grey(page.image)
    angle = ruling.skew_angle(grey)
    straight = ruling.rotate(grey, angle)
    back = _unrotate(grey.shape, angle)
    tables, text_ink = ruling.find_tables(straight)
    scale = 72.0 / page.dpi
    out = PageReading()
    crops: list[_Crop] = []
    cells: list[tuple[ruling.RuledTable, ruling.GridCell]] = []
    for table in tables:
        for cell in table.cells:
            key = len(cells)
            cells.append((table, cell))
            crops += [_Crop(key, c) for c in _cell_lines(straight, text_ink, cell.box)]
    boxes = _text_boxes(straight, text_ink, [t.box for t in tables])
    line_keys = range(len(cells), len(cells) + len(boxes))
    for key, (x0, y0, x1, y1) in zip(line_keys, boxes, strict=True):
        crops.append(_Crop(key, _bgr(straight[max(0, y0 - _LINE_PAD) : y1 + _LINE_PAD, x0:x1])))
    readings = ocr_engine.recognise([c.image for c in crops])
    texts: dict[int, list[ocr_engine.Reading]] = {}
    for crop, reading in zip(crops, readings, strict=True):
        texts.setdefault(crop.key, []).append(reading)
    where = f"page {page.number}"
    by_table: dict[int, list[PCell]] = {}
    for key, (table, cell) in enumerate(cells):
        reading = _cell_text(texts.get(key, []), ocr, where)
        box = back(cell.box)
        doubtful = bool(_NUMERIC.fullmatch(reading.text)) and reading.confidence < CONFIDENCE
        if doubtful:
            ocr.doubtful.append(f"{where} {box} {reading.text!r} ({reading.confidence:.2f})")
        seen = Seen(
            box,
            page.dpi,
            round(reading.confidence, 3),
            doubtful,
            reading.alternatives if doubtful else (),
        )
        by_table.setdefault(id(table), []).append(
            PCell(
                reading.text,
                cell.row,
                cell.rowspan,
                table.xs[cell.col] * scale,
                table.xs[cell.col + cell.colspan] * scale,
                seen,
            )
        )
    for table in tables:
        edges = [x * scale for x in table.xs]
        cells = by_table.get(id(table), [])
        out.parts.append(Part(table.ys[0] * scale, edges, cells, len(table.ys) - 1))
    for key, (x0, y0, x1, y1) in zip(line_keys, boxes, strict=True):
        lines = texts.get(key, [])
        text = join_cell_text(" ".join(r.text for r in lines))
        if text and not is_page_number(text):
            out.lines.append(Line(text, y0 * scale, x0 * scale, x1 * scale, (y1 - y0) * scale))
    return out


@dataclass(frozen=True, slots=True)
class CellReading:
    """A cell's text, its confidence (that of its weakest line) and, for a numeric cell,
    the other numbers the recogniser half-saw in it."""

    text: str
    confidence: float
    alternatives: tuple[str, ...] = ()


def _cell_text(readings: list[ocr_engine.Reading], ocr: OcrInfo, where: str) -> CellReading:
    """A cell's reading from its lines."""
    if not readings:
        return CellReading("", 1.0)
    whole = "".join(r.text for r in readings)
    mapped = whole.translate(_CONFUSED)
    if _NUMERIC.fullmatch(mapped) and any(ch.isdigit() for ch in mapped + whole):
        digits = "".join(r.digits for r in readings)
        if digits != whole:
            ocr.substitutions.append(f"{where}: {whole!r} read as {digits!r} (numeric cell)")
        others = [mapped] + [
            "".join(r.digits for r in readings[:i])
            + other
            + "".join(r.digits for r in readings[i + 1 :])
            for i, line in enumerate(readings)
            for other in line.alternatives
        ]
        return CellReading(
            digits,
            min(r.digits_confidence for r in readings),
            tuple(
                o
                for o in dict.fromkeys(others)
                if o != digits and _NUMERIC.fullmatch(o) and any(ch.isdigit() for ch in o)
            ),
        )
    text = join_cell_text("\n".join(r.text for r in readings))
    confidence = min(r.confidence for r in readings)
    if confidence < _SURE_LABEL:
        fixed = _nearest_label(text)
        if fixed != text:
            ocr.substitutions.append(f"{where}: label {text!r} read as {fixed!r}")
            text = fixed
    return CellReading(text, confidence)


@cache
def _lexicon() -> dict[int, tuple[str, ...]]:
    """The template's labels (extract.labels), normalised, by length."""
    words: dict[int, set[str]] = {}
    for table in (
        L.PROACTIVE_ITEMS,
        L.PROACTIVE_METRICS,
        L.APPLICANT_COLUMNS,
        L.APPLICATION_ROWS,
        L.REVIEW_GROUPS,
        L.REVIEW_COLUMNS,
    ):
        for variants in table.values():
            for variant in variants:
                word = norm_label(variant)
                if len(word) >= 4:
                    words.setdefault(len(word), set()).add(word)
    return {n: tuple(sorted(ws)) for n, ws in words.items()}


def _nearest_label(text: str) -> str:
    """A doubtful label one character away from exactly one template label, with that
    character put right (子以公开 → 予以公开): what a lexicon gives a recogniser that
    took one stroke for another. Anything else stays as read."""
    norm = norm_label(text)
    near = [
        w
        for w in _lexicon().get(len(norm), ())
        if sum(a != b for a, b in zip(w, norm, strict=True)) == 1
    ]
    if len(near) != 1 or norm in _lexicon().get(len(norm), ()):
        return text
    ((wrong, right),) = [(a, b) for a, b in zip(norm, near[0], strict=True) if a != b]
    return text.replace(wrong, right, 1) if text.count(wrong) == 1 else text


def _cell_lines(
    page: np.ndarray, text_ink: np.ndarray, box: tuple[int, int, int, int]
) -> list[np.ndarray]:
    """The lines of text inside a cell as BGR crops, top to bottom (none if blank). A
    vertical label (one character a line) becomes one line, its characters set side by
    side, which is how the recogniser reads best."""
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + _INSET, y0 + _INSET, x1 - _INSET, y1 - _INSET
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    ink = _despeckle(text_ink[y0:y1, x0:x1])
    bands = []
    for top, bottom in _bands(ink.any(axis=1), gap=2):
        cols = np.nonzero(ink[top:bottom].any(axis=0))[0]
        if len(cols):
            bands.append((top, bottom, int(cols[0]), int(cols[-1]) + 1))
    if len(bands) > 2 and all(b - t > 0.6 * (r - le) for t, b, le, r in bands):
        return [_side_by_side(page, x0, y0, bands)]
    crops = []
    for top, bottom, left, right in bands:
        if bottom - top > 2.5 * (right - left) and bottom - top > 3 * _MIN_BAND * 2:
            chars = _characters(ink[top:bottom, left:right], right - left)
            crops.append(
                _side_by_side(page, x0, y0, [(top + a, top + b, left, right) for a, b in chars])
            )
            continue
        crops.append(_bgr(_cut(page, x0 + left, y0 + top, x0 + right, y0 + bottom)))
    return crops


def _characters(ink: np.ndarray, width: int) -> list[tuple[int, int]]:
    """A column of characters cut into characters: runs of inked rows joined while the
    result stays about as high as the column is wide (CJK characters are square)."""
    runs = _bands(ink.any(axis=1), gap=0, thinnest=1)
    chars: list[list[int]] = []
    for top, bottom in runs:
        if chars and bottom - chars[-1][0] <= 1.15 * width:
            chars[-1][1] = bottom
        else:
            chars.append([top, bottom])
    return [(a, b) for a, b in chars]


def _side_by_side(
    page: np.ndarray, x0: int, y0: int, boxes: list[tuple[int, int, int, int]]
) -> np.ndarray:
    """The boxes' pictures set on one line, left to right, on white."""
    cuts = [
        _cut(page, x0 + left, y0 + top, x0 + right, y0 + bottom)
        for top, bottom, left, right in boxes
    ]
    height = max(c.shape[0] for c in cuts) + 4
    pieces = []
    for piece in cuts:
        canvas = np.full((height, piece.shape[1] + 6), 255, np.uint8)
        dy = (height - piece.shape[0]) // 2
        canvas[dy : dy + piece.shape[0], 3 : 3 + piece.shape[1]] = piece
        pieces.append(canvas)
    return _bgr(np.hstack(pieces))


def _cut(page: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """The page between the ink's bounds, with a margin like the recogniser's training."""
    pad = max(3, (y1 - y0) // 4)
    return page[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]


def _despeckle(ink: np.ndarray) -> np.ndarray:
    """Ink without the specks of paper noise and JPEG artefacts."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 6
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _bands(rows: np.ndarray, gap: int, thinnest: int = _MIN_BAND) -> list[tuple[int, int]]:
    """Runs of inked pixel rows, gaps up to `gap` closed, thinner runs (specks) dropped."""
    bands: list[list[int]] = []
    for y in np.nonzero(rows)[0]:
        if bands and y - bands[-1][1] <= gap + 1:
            bands[-1][1] = int(y)
        else:
            bands.append([int(y), int(y)])
    return [(a, b + 1) for a, b in bands if b + 1 - a >= thinnest]


def _text_boxes(
    page: np.ndarray, text_ink: np.ndarray, tables: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Text lines outside the tables, from the engine's detector, run only over the band
    of the page that has ink outside the tables (a table page's heading, not the page)."""
    masked = page.copy()
    ink = text_ink.copy()
    for x0, y0, x1, y1 in tables:
        masked[max(0, y0 - 2) : y1 + 3, max(0, x0 - 2) : x1 + 3] = 255
        ink[max(0, y0 - 2) : y1 + 3, max(0, x0 - 2) : x1 + 3] = 0
    rows = np.nonzero(_despeckle(ink).any(axis=1))[0]
    if len(rows) == 0:
        return []
    h, w = page.shape
    top, bottom = max(0, int(rows[0]) - 16), min(h, int(rows[-1]) + 17)
    boxes = ocr_engine.detect(_bgr(masked[top:bottom]))
    return [
        (max(0, x0), max(0, y0 + top), min(w, x1), min(h, y1 + top))
        for x0, y0, x1, y1 in boxes
        if x1 - x0 >= 4 and y1 - y0 >= 4
    ]


def _bgr(grey: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def _unrotate(shape: tuple[int, ...], angle: float):
    """Maps a box on the straightened page back to the picture as given."""
    h, w = shape[:2]
    matrix = cv2.invertAffineTransform(cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0))

    def back(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], float)
        moved = corners @ matrix.T
        return (
            int(moved[:, 0].min()),
            int(moved[:, 1].min()),
            int(round(moved[:, 0].max())),
            int(round(moved[:, 1].max())),
        )

    return back


def pictures_of(data: bytes, first_page: int = 1) -> list[PagePicture]:
    """The pages of an image file (JPEG, PNG, GIF, BMP, WebP; every page of a multi-page
    TIFF). The resolution is the file's own, or else that of an A4 page as wide."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ExtractError("failed", f"picture cannot be decoded: {exc}") from exc
    pages = []
    for i, frame in enumerate(frames):
        stated = image.info.get("dpi", (0, 0))[0]
        dpi = int(round(stated)) if stated and stated > 50 else round(frame.width / _A4_INCHES)
        pixels = cv2.cvtColor(np.asarray(frame), cv2.COLOR_RGB2BGR)
        pages.append(PagePicture(first_page + i, pixels, max(dpi, 50)))
    return pages


def read_image(data: bytes) -> Document:
    """An image file as a document of as many pages as it has frames."""
    pages = pictures_of(data)
    doc = Document(kind="image", pages=len(pages))
    read_pictures(pages, doc)
    return doc
