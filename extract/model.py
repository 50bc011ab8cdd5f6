"""The document model every reader produces and the mapper consumes.

A reader turns bytes (HTML, PDF, DOCX, text) into a `Document`: an ordered list of
paragraphs and tables. Tables are grids with merged cells already resolved: every grid
position holds a `Cell`, and a cell covered by a rowspan/colspan repeats the text of the
cell it belongs to, with `origin` pointing at that cell's top-left position. Consumers
that must not count a merged value twice look at `Cell.is_origin`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ExtractError(Exception):
    """A document that cannot be read, with the status it ends in.

    `status` is one of the record statuses of SCHEMA/CLI: `failed`, `needs_ocr`,
    `unsupported`, `not_report`.
    """

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Seen:
    """Where OCR read a cell, so a user can crop it and look: the pixel box
    [x0, y0, x1, y1] on the page picture at `dpi`, and the recogniser's confidence. A
    number read below the confidence threshold is `doubtful`, with the other `readings`
    the recogniser half-saw: what the table's sums may choose from (extract/arithmetic)."""

    box: tuple[int, int, int, int]
    dpi: int
    confidence: float
    doubtful: bool = False
    readings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    row: int
    col: int
    origin: tuple[int, int]
    seen: Seen | None = None

    @property
    def is_origin(self) -> bool:
        return self.origin == (self.row, self.col)


@dataclass(slots=True)
class Paragraph:
    text: str
    page: int | None = None


@dataclass(slots=True)
class Table:
    """A grid of cells. `row_pages[i]` is the page row i was printed on (PDF), else None."""

    rows: list[list[Cell]]
    index: int = 0
    page: int | None = None
    row_pages: list[int | None] = field(default_factory=list)

    def page_of(self, row: int) -> int | None:
        if row < len(self.row_pages):
            return self.row_pages[row]
        return self.page

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(slots=True)
class OcrInfo:
    """How the pictures of a document were read: the engine and its models, the pages
    read by OCR, letters taken for digits in numeric cells, and the cells read with
    low confidence (kept as read, to be flagged)."""

    engine: str
    pages: list[int] = field(default_factory=list)
    substitutions: list[str] = field(default_factory=list)
    doubtful: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """What a reader found in one file.

    `kind` is the reader (`html`, `pdf`, `text`, `docx`); `meta` holds whatever
    metadata the container carried (HTML `<meta>` tags such as ArticleTitle/PubDate/
    ContentSource, PDF info, the page's 发布机构/发文日期 block), keyed as printed.
    """

    kind: str
    blocks: list[Paragraph | Table] = field(default_factory=list)
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    pages: int | None = None
    # What the reader could not be sure of (a copied row whose numbers did not line up…).
    warnings: list[str] = field(default_factory=list)
    # Pictures in the report body: tables published as images need OCR.
    images: int = 0
    # Their addresses (img src) in the order printed: a picture report's pages.
    pictures: list[str] = field(default_factory=list)
    # Set when some pages were read from pictures.
    ocr: OcrInfo | None = None

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def text(self) -> str:
        """All the text in reading order, tables row by row, for metadata searches."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            else:
                for row in block.rows:
                    parts.append(" ".join(c.text for c in row if c.is_origin))
        return "\n".join(parts)


def grid_from_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Resolve rows of (text, rowspan, colspan) into a rectangular grid of Cells.

    Follows the HTML table model: a cell is placed at the first column of its row not
    already covered by a rowspan from above. Rows shorter than the widest one are padded
    with empty cells, so header and data rows whose spans do not line up still give
    one grid.
    """
    taken: dict[tuple[int, int], Cell] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            rowspan = max(1, min(rowspan, len(rows) - r))
            colspan = max(1, min(colspan, 200))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = Cell(text, r + dr, c + dc, (r, c))
            c += colspan
        width = max(width, c, max((k[1] + 1 for k in taken if k[0] == r), default=0))
    return fill_grid(taken, len(rows), width)


def fill_grid(taken: dict[tuple[int, int], Cell], nrows: int, width: int) -> list[list[Cell]]:
    """The rows of an `nrows` × `width` grid from the cells placed at their positions; a
    position no cell covers gets an empty cell of its own, so every row is as wide."""
    return [
        [taken.get((r, c)) or Cell("", r, c, (r, c)) for c in range(width)] for r in range(nrows)
    ]
