"""Ruled tables in a page picture: deskew, ruling lines, the cell grid with merged cells.

The classic way: binarise the page, keep only long horizontal and vertical runs of ink
(morphological opening with a long thin kernel), read the row and column edges off those
runs, and decide for every boundary between two neighbouring grid positions whether a
line is drawn there. Where it is not, the two positions are one merged cell. Pure
functions over numpy arrays (OpenCV); no OCR here.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A boundary is a line when at least this share of its length is inked.
_DRAWN = 0.6
# Ruling lines closer than this many pixels are one line.
_SNAP_PX = 8
# Column lines running past the last (first) row edge close a row there when at least
# this share of the column edges do (a table cut by a page break, `_open_ends`).
_OPEN_SHARE = 0.75
_MAX_SKEW = 3.0  # degrees; more is a photo to straighten by hand, not a scan


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell of a ruled table: grid position and span, and its box in pixels."""

    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1, inside the ruling


@dataclass(frozen=True, slots=True)
class RuledTable:
    xs: list[int]  # column edges, pixels
    ys: list[int]  # row edges, pixels
    cells: list[GridCell]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def grey(image: np.ndarray) -> np.ndarray:
    """The page in grey without red ink: the red channel, in which a red seal is as light
    as the paper and black text stays black."""
    if image.ndim == 2:
        return image
    return image[:, :, 2].copy()  # OpenCV images are BGR


def ink(page: np.ndarray) -> np.ndarray:
    """Binarised page: 255 where there is ink. Adaptive, so grey paper and uneven light
    do not turn into ink."""
    block = max(15, (min(page.shape) // 40) | 1)
    return cv2.adaptiveThreshold(
        page, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15
    )


def _runs(binary: np.ndarray, horizontal: bool) -> np.ndarray:
    h, w = binary.shape
    length = max(25, (w if horizontal else h) // 30)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)


def skew_angle(page: np.ndarray) -> float:
    """The page's skew in degrees, measured on its long horizontal ruling lines (0.0
    when it has none: text lines alone are straight enough for the recogniser)."""
    binary = ink(page)
    # A short kernel survives the skew; the long fit below measures it.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, page.shape[1] // 40), 1))
    lines = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    lines = cv2.dilate(lines, np.ones((3, 9), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines)
    angles, weights = [], []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < page.shape[1] // 4 or h > w // 8:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(w)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    angle = angles[order[np.searchsorted(cum, cum[-1] / 2)]]  # weighted median
    return angle if abs(angle) <= _MAX_SKEW else 0.0


def rotate(page: np.ndarray, angle: float) -> np.ndarray:
    """The page turned by `angle` degrees about its centre, new corners white."""
    if abs(angle) < 0.05:
        return page
    h, w = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(page, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))


def _edges(values: list[int]) -> list[int]:
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= _SNAP_PX:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(round(sum(g) / len(g))) for g in out]


def find_tables(page: np.ndarray) -> tuple[list[RuledTable], np.ndarray]:
    """Ruled tables on a straightened grey page, top to bottom, and the page's ink with
    the ruling taken out (what is left is text)."""
    binary = ink(page)
    hmask = _runs(binary, horizontal=True)
    vmask = _runs(binary, horizontal=False)
    ruling = cv2.dilate(hmask | vmask, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ruling)
    tables = []
    h_page, w_page = page.shape
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < w_page // 5 or h < 20:
            continue
        region = labels[y : y + h, x : x + w] == i
        table = _table(hmask[y : y + h, x : x + w] & region, vmask[y : y + h, x : x + w] & region)
        if table is not None:
            tables.append(_shift(table, x, y))
    tables.sort(key=lambda t: t.ys[0])
    text = binary & ~cv2.dilate(hmask | vmask, np.ones((3, 3), np.uint8))
    return tables, text


def _segments(mask: np.ndarray, horizontal: bool) -> list[tuple[int, int, int]]:
    """Ruling segments as (position across, start, end along)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    out = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if horizontal:
            out.append((y + h // 2, x, x + w))
        else:
            out.append((x + w // 2, y, y + h))
    return out


def _table(hmask: np.ndarray, vmask: np.ndarray) -> RuledTable | None:
    hsegs = _segments(hmask, horizontal=True)
    vsegs = _segments(vmask, horizontal=False)
    if len(hsegs) < 2:
        return None
    ys = _edges([s[0] for s in hsegs])
    x0 = min(s[1] for s in hsegs)
    x1 = max(s[2] for s in hsegs)
    xs = _edges([x0, x1, *(s[0] for s in vsegs)])
    if len(ys) < 2 or len(xs) < 2:
        return None
    ys = _open_ends(ys, xs, vsegs)
    rows, cols = len(ys) - 1, len(xs) - 1

    def drawn(mask: np.ndarray, along: slice, at: int, horizontal: bool) -> bool:
        lo, hi = max(0, at - 4), at + 5
        band = mask[lo:hi, along] if horizontal else mask[along, lo:hi]
        if band.size == 0:
            return False
        hit = band.any(axis=0 if horizontal else 1)
        return hit.mean() >= _DRAWN

    parent = list(range(rows * cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in range(rows):
        inner = slice(ys[r] + 3, max(ys[r] + 4, ys[r + 1] - 3))
        for c in range(cols - 1):
            if not drawn(vmask, inner, xs[c + 1], horizontal=False):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
    for r in range(rows - 1):
        for c in range(cols):
            inner = slice(xs[c] + 3, max(xs[c] + 4, xs[c + 1] - 3))
            if not drawn(hmask, inner, ys[r + 1], horizontal=True):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    cells = []
    for members in groups.values():
        r0 = min(m[0] for m in members)
        r1 = max(m[0] for m in members)
        c0 = min(m[1] for m in members)
        c1 = max(m[1] for m in members)
        box = (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, box))
    cells.sort(key=lambda g: (g.row, g.col))
    return RuledTable(xs, ys, cells)


def _open_ends(ys: list[int], xs: list[int], vsegs: list[tuple[int, int, int]]) -> list[int]:
    """The row edges with the edge a page break left undrawn: a table cut by the page
    end has its last row's column lines but no line under it (and a table going on from
    the page before may lack the line over its first). When the column lines run on past
    the last (first) row edge, nearly all of them and by at least half a row, they end
    (start) at the missing edge."""
    step = float(np.median(np.diff(ys)))
    need = max(2, int(np.ceil(_OPEN_SHARE * len(xs))))

    def edge(beyond: list[tuple[int, int]]) -> int | None:
        # beyond: (a column line's position, how far it runs past the row edge)
        cols = {x for x in xs for pos, by in beyond if abs(pos - x) <= _SNAP_PX}
        if len(cols) < need:
            return None
        return int(round(float(np.median([by for _, by in beyond]))))

    out = list(ys)
    below = [(pos, end - ys[-1]) for pos, _, end in vsegs if step / 2 <= end - ys[-1] <= 4 * step]
    by = edge(below)
    if by is not None:
        out.append(ys[-1] + by)
    above = [
        (pos, ys[0] - start) for pos, start, _ in vsegs if step / 2 <= ys[0] - start <= 4 * step
    ]
    by = edge(above)
    if by is not None:
        out.insert(0, ys[0] - by)
    return out


def _shift(table: RuledTable, dx: int, dy: int) -> RuledTable:
    return RuledTable(
        [x + dx for x in table.xs],
        [y + dy for y in table.ys],
        [
            GridCell(
                c.row,
                c.col,
                c.rowspan,
                c.colspan,
                (c.box[0] + dx, c.box[1] + dy, c.box[2] + dx, c.box[3] + dy),
            )
            for c in table.cells
        ],
    )
