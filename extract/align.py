"""Put a copied row's numbers back in their columns when copying lost the layout.

Text copied from a page drops blank cells and sometimes splits a number over two lines
("1" / "62" for 162). When a row has more or fewer numbers than its header has columns,
the only evidence left is the table's own arithmetic: the placement (or the merge) that
makes the row's total equal the sum of its parts is taken, and only when it is the
first such in reading order. Nothing is invented: a dropped cell is written back as a
blank, which SCHEMA.md reads as 0, with its raw text empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations

from extract.normalize import NumberError, parse_number

RowCheck = Callable[[list[float]], bool]


def _values(tokens: list[str]) -> list[float] | None:
    try:
        return [float(parse_number(t)[0]) for t in tokens]
    except NumberError:
        return None


def totals_check(group: int) -> RowCheck:
    """Rows made of groups of `group` cells whose last cell is the sum of the others."""

    def check(values: list[float]) -> bool:
        if len(values) % group:
            return False
        return all(
            abs(sum(values[i : i + group - 1]) - values[i + group - 1]) < 1e-6
            for i in range(0, len(values), group)
        )

    return check


def _merges(tokens: list[str], extra: int) -> Iterator[list[str]]:
    """Every way of joining `extra` adjacent digit tokens back into one number."""
    if extra == 0:
        yield tokens
        return
    for i in range(len(tokens) - 1):
        if tokens[i].isdigit() and tokens[i + 1].isdigit():
            yield from _merges(
                [*tokens[:i], tokens[i] + tokens[i + 1], *tokens[i + 2 :]], extra - 1
            )


def _placements(tokens: list[str], width: int, group: int) -> Iterator[list[str]]:
    """Every way of spreading the tokens over `width` columns in order, blanks elsewhere,
    keeping each group's last column (its total) filled first."""
    totals = list(range(group - 1, width, group))
    others = [i for i in range(width) if i not in totals]
    free = len(tokens) - len(totals)
    if free < 0:
        return
    for chosen in combinations(others, free):
        positions = sorted([*chosen, *totals])
        row = [""] * width
        for pos, token in zip(positions, tokens, strict=True):
            row[pos] = token
        yield row


def align_row(
    tokens: list[str], width: int, check: RowCheck | None, group: int = 0
) -> tuple[list[str] | None, bool]:
    """The row's tokens laid over `width` columns, and whether that was the only layout
    the arithmetic allows (False: the first of several, to be flagged; None: none fits)."""
    if len(tokens) == width:
        return tokens, True
    if check is None:
        return None, False
    if len(tokens) > width:
        candidates = _merges(tokens, len(tokens) - width)
    else:
        candidates = _placements(tokens, width, group or width)
    found: list[list[str]] = []
    for candidate in candidates:
        values = _values(candidate)
        if values is not None and check(values):
            found.append(candidate)
            if len(found) > 1:
                break
    if not found:
        return None, False
    return found[0], len(found) == 1
