"""The row and column keys of SCHEMA.md with their Chinese and English labels.

`keys.csv` beside this module is their only home: the readable view of `nianbao extract`,
the datasets' label columns, the printed layouts and the data dictionary all read it.
A label of an applications row names its group ("不予公开：属于国家秘密"), so a row
read alone still says what it counts; the printed layouts split it at "：".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Key:
    table: str
    axis: str
    key: str
    zh: str
    en: str
    unit: str | None


@cache
def keys() -> tuple[Key, ...]:
    """Every key of keys.csv, in its order (the printed order of each table)."""
    text = resources.files(__package__).joinpath("keys.csv").read_text(encoding="utf-8")
    return tuple(
        Key(r["table"], r["axis"], r["key"], r["label_zh"], r["label_en"], r["unit"] or None)
        for r in csv.DictReader(text.splitlines())
    )


@cache
def labels(table: str, axis: str) -> dict[str, str]:
    """Key → Chinese label of one axis of a table ("applications", "row")."""
    return {k.key: k.zh for k in keys() if k.table == table and k.axis == axis}


@cache
def units(table: str, axis: str) -> dict[str, str | None]:
    """Key → unit of one axis of a table (None where the key has no unit)."""
    return {k.key: k.unit for k in keys() if k.table == table and k.axis == axis}
