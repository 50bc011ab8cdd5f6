"""The one normaliser for labels and numbers (SCHEMA.md "Cell values")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_NUMBERING = re.compile(
    r"[（(][一二三四五六七八九十]{1,3}[)）]"  # （三）
    r"|(?<![一二三四五六七八九十])[一二三四五六七八九十]{1,3}[、.．]"  # 三、
    r"|(?<!\d)\d{1,2}[、.．](?!\d)"  # 1. 1、
    r"|第[一二三四五六七八九十\d]+[条项]"
)
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_ZERO_WORDS = {"", "/", "-", "—", "——", "－", "―", "─", "无", "0", "／", "\\", "--", "*"}
_UNITS = ("万元", "元", "件", "条", "项", "个", "次", "宗", "份", "人次", "家")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@lru_cache(maxsize=65536)
def norm_label(text: str) -> str:
    """A label reduced to what identifies it: no numbering, punctuation, spaces or 度.

    "三、本年度办理结果（三）不予\n公开 1.属于国家秘密" → "本年办理结果不予公开属于国家秘密".
    """
    text = unicodedata.normalize("NFKC", text)
    text = _NUMBERING.sub("", text)
    text = _DROP.sub("", text)
    return text.replace("年度", "年")


def norm_text(text: str) -> str:
    """Full-width to half-width and whitespace removed: for searching running text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class NumberError(ValueError):
    """A cell that cannot be read as a number."""


def parse_number(raw: str | None) -> tuple[int | float, str | None]:
    """Read a printed cell as (value, unit). Blank, dashes and 无 are 0.

    Raises NumberError for text that is not a number; the caller keeps the raw text and a
    null value rather than guessing.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = re.sub(r"[\s\u00a0\u3000]+", "", text)
    if text in _ZERO_WORDS:
        return 0, None
    unit = None
    for candidate in _UNITS:
        if text.endswith(candidate) and len(text) > len(candidate):
            unit = candidate
            text = text[: -len(candidate)]
            break
    text = text.replace(",", "").replace("，", "").replace("'", "")
    text = text.replace("−", "-").replace("－", "-")
    if text.startswith("+-") or text.startswith("-+"):
        text = text[1:]
    if not _NUMBER.match(text):
        raise NumberError(f"not a number: {raw!r}")
    try:
        dec = Decimal(text)
    except InvalidOperation as exc:
        raise NumberError(f"not a number: {raw!r}") from exc
    if dec == dec.to_integral_value() and "." not in text:
        return int(dec), unit
    return float(dec), unit


def reads_as_number(raw: str | None) -> bool:
    """True for a non-blank cell that `parse_number` reads: a dash or 无 (0), a unit ("5件").

    Not `cleantext.is_digit_figure`, which asks whether a PDF text is written in digits."""
    if raw is None or not raw.strip():
        return False
    try:
        parse_number(raw)
    except NumberError:
        return False
    return True


def to_wan(value: int | float, unit: str | None, header_unit: str | None) -> int | float:
    """Money in 万元: a cell printed in 元 (or under a 元 header) is divided by 10,000."""
    effective = unit or header_unit
    if effective == "元":
        return float(Decimal(str(value)) / Decimal(10000))
    return value


# A figure stated loosely ("1500多", "约200", "200余条", "近百"): the number is kept and
# marked approximate (SCHEMA.md "Before 2019").
_APPROX_BEFORE = re.compile(r"^(?:大约|约为|约|近|将近|逾|超过|超)")
_APPROX_AFTER = re.compile(r"(?:多|余|左右|以上|上下)$")
_QUANTITY_UNITS = tuple(
    sorted(
        {*_UNITS, "件次", "人次", "份", "宗", "期", "篇", "场", "人", "起", "个"},
        key=len,
        reverse=True,
    )
)
_CN_NUMERAL = re.compile(r"^[零〇○一二两三四五六七八九十百千万亿点]+$")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A printed figure read: its value, the unit printed with it, and whether the text
    qualified it ("1500多")."""

    value: int | float
    unit: str | None
    approximate: bool = False


def parse_quantity(raw: str | None) -> Quantity:
    """Read a figure as printed in a 统计表 cell or in prose.

    Blank, dashes and 无 are 0 (as `parse_number`); a trailing unit (件次, 人次, 元 …) is
    split off; Chinese numerals ("二十三") are read by cn2an; a qualifier (约, 多, 余 …)
    keeps the number and sets `approximate`. Raises NumberError for anything else.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = re.sub(r"[\s\u00a0\u3000]+", "", text)
    unit = None
    for candidate in _QUANTITY_UNITS:
        if text.endswith(candidate) and len(text) > len(candidate):
            unit, text = candidate, text[: -len(candidate)]
            break
    core = _APPROX_AFTER.sub("", _APPROX_BEFORE.sub("", text))
    approximate = core != text
    if approximate and not core:
        raise NumberError(f"not a number: {raw!r}")
    if _CN_NUMERAL.match(core) and core not in _ZERO_WORDS:
        # Imported here: cn2an builds its tables on import (0.15 s), and most documents
        # print no figure in Chinese numerals.
        import cn2an

        try:
            value = cn2an.cn2an(core, "normal")
        except ValueError as exc:
            raise NumberError(f"not a number: {raw!r}") from exc
        return Quantity(int(value) if value == int(value) else value, unit, approximate)
    value, printed_unit = parse_number(core)
    return Quantity(value, unit or printed_unit, approximate)
