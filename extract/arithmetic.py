"""An uncertain OCR number chosen by the table's own sums, when they admit one reading.

A number the recogniser read below its confidence threshold comes with the other
readings it half-saw (`loc.readings`). When the reading as made breaks a sum the cell
takes part in (the checks of `checks.py`), and exactly one other reading makes every such
sum hold, that reading is taken, with a warning naming the cell, what was read and the
sums. Nothing else is touched: a confident cell, a cell whose sums already hold, a cell
two readings would fit, and a cell sharing a sum with another uncertain cell (the sum
then says nothing certain about either) stay as read — so a report's own inconsistency
is never "fixed" by a reading the picture did not suggest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from extract.checks import application_checks, review_checks
from extract.mapping import derive_other_total
from extract.normalize import NumberError, parse_number
from extract.record import CellValue, Check, Matrix

Position = tuple[str, str, str]  # table, row, column
Tables = dict[str, Matrix]
# Moves a cell far off any sum, to see which sums it takes part in.
_PROBE = 1e9


@dataclass(frozen=True, slots=True)
class Choice:
    """An uncertain cell whose reading the sums chose."""

    position: Position
    read: str
    chosen: str
    sums: tuple[str, ...]
    loc: dict

    @property
    def note(self) -> str:
        table, row, column = self.position
        where = f"page {self.loc.get('page')} {self.loc.get('bbox')}"
        return (
            f"{table}.{row}.{column} ({where}): read {self.read!r} "
            f"({self.loc.get('confidence')}), taken as {self.chosen!r}, the only reading of "
            f"the recogniser's with which {', '.join(self.sums)} hold"
        )


def choose_reading(
    read: float, candidates: Iterable[float], holds: Callable[[float], bool]
) -> float | None:
    """The one candidate with which the sums hold, when they do not hold as read;
    None when they hold as read, or no candidate or several fit."""
    if holds(read):
        return None
    fits = {c for c in candidates if c != read and holds(c)}
    return fits.pop() if len(fits) == 1 else None


def table_checks(tables: Tables, formats: dict[str, str]) -> list[Check]:
    """The sums of the tables that have them (section 二 has none)."""
    return [
        *application_checks(tables.get("applications", {}), formats.get("applications")),
        *review_checks(tables.get("review_litigation", {})),
    ]


def choose_by_sums(tables: Tables, formats: dict[str, str]) -> tuple[Tables, list[Choice]]:
    """The tables with every uncertain cell the sums decide set to their choice."""
    uncertain = [
        (t, r, c)
        for t, matrix in tables.items()
        for r, cols in matrix.items()
        for c, cell in cols.items()
        if cell.loc.get("doubtful")
    ]
    if not uncertain:
        return tables, []
    base = table_checks(tables, formats)
    sums = {p: _sums_of(tables, formats, base, p) for p in uncertain}
    choices = []
    for position in uncertain:
        mine = sums[position]
        if not mine or any(sums[p] & mine for p in uncertain if p != position):
            continue
        cell = _cell(tables, position)
        if cell.value is None:
            continue
        candidates = {}
        for text in cell.loc.get("readings", []):
            try:
                candidates.setdefault(parse_number(text)[0], text)
            except NumberError:
                continue

        def holds(value: float, position: Position = position, mine: set[int] = mine) -> bool:
            checks = table_checks(_with(tables, position, value), formats)
            return all(checks[i].passed for i in mine)

        chosen = choose_reading(cell.value, candidates, holds)
        if chosen is not None:
            names = tuple(_name(base[i]) for i in sorted(mine))
            choices.append(Choice(position, cell.raw or "", candidates[chosen], names, cell.loc))
    for choice in choices:
        cell = _cell(tables, choice.position)
        value, _ = parse_number(choice.chosen)
        loc = {**cell.loc, "read": choice.read, "chosen_by_sums": list(choice.sums)}
        tables = _with(tables, choice.position, value, raw=choice.chosen, loc=loc)
    if choices and formats.get("applications") == "2021":
        tables = {**tables, "applications": derive_other_total(tables["applications"])}
    return tables, choices


def _sums_of(tables: Tables, formats: dict[str, str], base: list[Check], p: Position) -> set[int]:
    """The checks a cell takes part in: those that move when it moves."""
    moved = table_checks(_with(tables, p, _PROBE), formats)
    return {
        i
        for i, (a, b) in enumerate(zip(base, moved, strict=True))
        if (a.left, a.right) != (b.left, b.right)
    }


def _cell(tables: Tables, p: Position) -> CellValue:
    table, row, column = p
    return tables[table][row][column]


def _with(
    tables: Tables, p: Position, value: float, raw: str | None = None, loc: dict | None = None
) -> Tables:
    """The tables with one cell's value replaced (a copy: the input is left as it was)."""
    table, row, column = p
    old = tables[table][row][column]
    cell = dataclasses.replace(
        old,
        value=value,
        raw=old.raw if raw is None else raw,
        loc=old.loc if loc is None else loc,
    )
    return {
        **tables,
        table: {**tables[table], row: {**tables[table][row], column: cell}},
    }


def _name(check: Check) -> str:
    where = check.row or check.column
    return f"{check.name} ({where})" if where else check.name
