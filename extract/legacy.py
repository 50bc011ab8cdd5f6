"""The local 统计表 of a pre-2019 report → `legacy` (SCHEMA.md "Before 2019").

A 统计表 is a header (指标名称 | 计量单位 | 年末统计, or … | 2014年度 | 历年累计, or the
2016–2018 统计指标 | 单位 | 统计数) over rows of label, unit and one value per period.
It comes as a table grid (HTML, DOCX, a ruled PDF) or as lines of text (copied text, an
unruled PDF), so both are read as rows of cells: a grid row is one row with its blank
cells kept; text lines are cut at white space and a row runs from one label to the
next, blanks having vanished. Row labels go through the label table
`extract.labels.LEGACY_INDICATORS`; a row it does not name is kept as `extra`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from extract import labels as L
from extract.match import match_label
from extract.model import Document, Paragraph, Table
from extract.normalize import NumberError, norm_label, parse_quantity, to_wan
from extract.record import LegacyValue

_HEADER_LABELS = {norm_label(w) for w in L.LEGACY_HEADER_LABELS}
_HEADER_UNITS = {norm_label(w) for w in L.LEGACY_HEADER_UNITS}
_HEADER_HINT = re.compile("指标|计量单位")
_UNITS_LONGEST = sorted(L.LEGACY_UNITS, key=len, reverse=True)
# Row numbering ("2.", "（三）", "其中："): a label that starts a row.
_NUMBERING = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]{1,2}[)）.、．]|其中)")
# The longest piece of a label an unruled PDF wraps onto the line after its figures.
_MAX_FRAGMENT = 6
# A figure between two words of a line that lost its spaces ("行政申诉数件0附件下载").
_FIGURE_INSIDE = re.compile(r"(?<=[\u4e00-\u9fff])(\d[\d.,]*)(?=[\u4e00-\u9fff])(?![多余])")
# A unit and its figure run together ("条111", "人次1500多").
_UNIT_THEN_NUMBER = re.compile(
    "^(" + "|".join(map(re.escape, _UNITS_LONGEST)) + r")(\d[\d.,]*(?:多|余)?)$"
)
# A label and its number run together on a line ("主动公开信息数111").
_LABEL_THEN_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff）)])(\d[\d.,]*(?:多|余)?)$")
# Header words → period; \d{4}年 ("2014年度") is the year too.
_PERIOD_WORDS: dict[str, str | None] = {
    norm_label(v): key for key, vs in L.LEGACY_PERIODS.items() for v in vs
}
_PERIOD_WORDS.update({norm_label(v): None for v in L.LEGACY_OTHER_PERIODS})
_PERIOD = re.compile(
    "|".join([*sorted(map(re.escape, _PERIOD_WORDS), key=len, reverse=True), r"\d{4}年"])
)
# A unit printed in the label ("依申请公开信息收取的费用（万元）").
_UNIT_IN_LABEL = re.compile(r"[（(](万元|元)[)）]")


@dataclass(slots=True)
class _Row:
    """One row of the 统计表: label text, unit and value cells, each with its place."""

    label: str
    loc: dict[str, int | None]
    unit: str | None = None
    values: list[tuple[str, dict[str, int | None]]] = field(default_factory=list)


@dataclass(slots=True)
class LegacyTable:
    values: list[LegacyValue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_legacy(doc: Document) -> LegacyTable:
    """Every 统计表 of the document, first reading of each indicator and period kept."""
    reader = _Reader()
    for block in doc.blocks:
        if isinstance(block, Table):
            reader.table(block)
        else:
            reader.paragraph(block)
    reader.flush()
    return reader.out


def _indicator(label: str) -> tuple[str | None, str | None, str]:
    """The row's indicator, a unit printed inside its label, and the label without it:
    an unruled PDF wraps the label around the unit column ("受理依申请条" / "公开信息总"
    / "数")."""
    whole = match_label(label, L.LEGACY_INDICATORS, fuzzy=False)
    for unit in _UNITS_LONGEST:
        at = label.rfind(unit, 1)
        if at > 0:
            rest = label[:at] + label[at + len(unit) :]
            key = match_label(rest, L.LEGACY_INDICATORS, fuzzy=False)
            if key is not None and whole in (None, key):
                return key, unit, rest
    return whole, None, label


def _continues(row: _Row, token: str) -> bool:
    """Whether a label fragment continues the row's label rather than starting a row.

    Before its figures, a row's label goes on until it names an indicator. After them,
    only an unruled PDF's wrapped label goes on: a short unnumbered fragment under a
    label that names nothing yet ("主动公开信" / "条111" / "息数").
    """
    named = _indicator(row.label)[0] is not None
    if row.unit is None and not row.values:
        return not named
    return not named and not _NUMBERING.match(token) and len(token) <= _MAX_FRAGMENT


def _tokens(line: str) -> list[str]:
    """A text line cut at white space, letters spaced out one by one ("指 标 名 称")
    joined again."""
    out: list[str] = []
    spaced = False
    for token in (t for piece in line.split() for t in _FIGURE_INSIDE.split(piece) if t):
        single = len(token) == 1 and not token.isdigit() and not _is_unit(token)
        if single and spaced:
            out[-1] += token
        else:
            out.append(token)
        spaced = single
    return out


def _periods(norm: str) -> list[str | None]:
    """The periods a header cell names, in order ("2014年度历年累计" → year, cumulative;
    None for a column kept for comparison, 上年度)."""
    return [_PERIOD_WORDS.get(m, "year") for m in _PERIOD.findall(norm)]


def _is_unit(text: str) -> bool:
    return text.strip() in L.LEGACY_UNITS


def _is_label(text: str) -> bool:
    return bool(text.strip()) and not _is_value(text) and not _is_unit(text)


def _is_value(text: str) -> bool:
    if _is_unit(text) or not text.strip() or _NUMBERING.fullmatch(text.strip()):
        return False
    try:
        parse_quantity(text)
    except NumberError:
        return False
    return True


class _Reader:
    def __init__(self) -> None:
        self.out = LegacyTable()
        self.periods: list[str | None] = []
        self.has_unit_column = False
        self.in_header = False
        self.pending: _Row | None = None
        self.seen: set[tuple[str, str]] = set()
        self.last_known: str | None = None

    # -- headers --------------------------------------------------------------------

    def _header(self, texts: list[str], grid: bool = False) -> bool:
        """Start a table when the cells are a 统计表 header (or continue one).

        Every value column of a grid header gets a period, None for one that is not the
        year's or the cumulative figure (定西's 代码 column), so values line up."""
        norms = [norm_label(t) for t in texts if t.strip()]
        if not norms or any(_is_value(t) for t in texts):
            return False
        names_label = names_unit = False
        periods: list[str | None] = []
        for n in norms:
            found = _periods(n)
            if n in _HEADER_LABELS or "指标名称" in n:
                names_label = True
            elif n in _HEADER_UNITS or "计量单位" in n:
                names_unit = True
            elif grid and not found and (names_label or self.in_header):
                found = [None]  # a column after the label's: its values are not read
            names_unit |= "计量单位" in n
            periods += found
        if not (names_label or (self.in_header and (names_unit or any(periods)))):
            return False
        if names_label and not self.in_header:
            self.flush()
            self.periods, self.has_unit_column = [], False
        self.in_header = True
        self.has_unit_column |= names_unit
        self.periods += periods
        return True

    # -- grids ----------------------------------------------------------------------

    def table(self, table: Table) -> None:
        self.flush()
        for r, row in enumerate(table.rows):
            seen_origins: set[tuple[int, int]] = set()
            cells = []
            for cell in row:
                if cell.origin not in seen_origins:
                    seen_origins.add(cell.origin)
                    cells.append(cell)
            while cells and not cells[0].text.strip():
                cells.pop(0)
            if not cells:
                continue
            if self._header([c.text for c in cells], grid=True):
                continue
            if not self.periods:
                continue
            self.in_header = False
            loc = {"table": table.index, "page": table.page_of(r), "row": r}
            if len(cells) > 1 and _is_value(cells[0].text) and _is_label(cells[1].text):
                cells.pop(0)  # a 序号 column
            labels = list(itertools.takewhile(lambda c: _is_label(c.text), cells))
            if not labels:
                continue
            # A merged 其中 cell beside its sub-rows' labels is part of each label.
            label = _Row("".join(c.text.strip() for c in labels), {**loc, "col": labels[-1].col})
            rest = cells[len(labels) :]
            unit = None
            blank_unit = self.has_unit_column and rest and not rest[0].text.strip()
            if rest and (_is_unit(rest[0].text) or blank_unit):
                unit, rest = rest[0].text.strip() or None, rest[1:]
            label.unit = unit
            label.values = [
                (c.text.strip(), {**loc, "col": c.col}) for c in rest[: len(self.periods)]
            ]
            self._emit(label, grid=True)
        self.periods, self.in_header = [], False

    # -- text lines -----------------------------------------------------------------

    def paragraph(self, para: Paragraph) -> None:
        line = para.text.strip()
        if "。" in line:  # prose: any table has ended
            self.flush()
            self.periods, self.in_header = [], False
            return
        if not (self.periods or self.in_header or _HEADER_HINT.search(re.sub(r"\s+", "", line))):
            return
        loc = {"table": None, "page": para.page, "row": None, "col": None}
        for token in _tokens(line):
            if self._header([token]):
                continue
            if not self.periods:
                continue
            self.in_header = False
            glued = _LABEL_THEN_NUMBER.match(token) or _UNIT_THEN_NUMBER.match(token)
            for piece in glued.groups() if glued and not _is_value(token) else (token,):
                self._token(piece, loc)

    def _token(self, token: str, loc: dict[str, int | None]) -> None:
        row = self.pending
        if _is_value(token):
            if row is not None:
                row.values.append((token, loc))
        elif _is_unit(token):
            if row is not None and row.unit is None and not row.values:
                row.unit = token
        elif row is not None and _continues(row, token):
            row.label += token
        else:
            self.flush()
            self.pending = _Row(token, loc)

    def flush(self) -> None:
        if self.pending is not None:
            row, self.pending = self.pending, None
            if len(row.values) > len(self.periods) or (
                len(self.periods) > 1 and len(row.values) not in (0, len(self.periods))
            ):
                self.out.warnings.append(
                    f"统计表 row {row.label!r}: {len(row.values)} figures for "
                    f"{len(self.periods)} columns; read in order"
                )
            self._emit(row, grid=False)

    # -- rows → values --------------------------------------------------------------

    def _emit(self, row: _Row, grid: bool) -> None:
        indicator, unit, row.label = _indicator(row.label)
        blank = not any(raw for raw, _ in row.values)
        if indicator is None and row.unit is None and blank:
            return  # a group heading (三、依申请公开情况) or a note, not a figure
        if not grid and indicator is None and row.unit is None and self.has_unit_column:
            # A figure with no unit under a unit column, named by no label: the lines
            # have left the table (a page footer's ICP number), so the table ends here.
            self.periods = []
            return
        unit = row.unit or unit
        if unit is None and (m := _UNIT_IN_LABEL.search(row.label)):
            unit = m.group(1)
        values = row.values
        if not grid and not values and indicator is not None:
            values = [("", row.loc)]  # a blank cell, gone from the copied text
        if indicator is not None:
            self.last_known = indicator
        # An extra row is told apart by its label and the indicator it is printed under
        # (维持具体行政行为数 under 行政复议数量 and again under 行政诉讼数量).
        ident = indicator or f"extra:{self.last_known}:{norm_label(row.label)}"
        for period, (raw, loc) in zip(self.periods, values, strict=False):
            if period is None or (ident, period) in self.seen:
                continue  # a column of no period kept (上年度), or the same table twice
            self.seen.add((ident, period))
            self.out.values.append(self._value(indicator, period, raw, unit, row.label, loc))

    def _value(
        self,
        indicator: str | None,
        period: str,
        raw: str,
        unit: str | None,
        label: str,
        loc: dict[str, int | None],
    ) -> LegacyValue:
        try:
            q = parse_quantity(raw)
        except NumberError:
            self.out.warnings.append(f"统计表 row {label!r}: {raw!r} is not a number")
            return LegacyValue(indicator or "extra", period, None, raw, unit, label, loc=loc)
        unit = q.unit or unit
        value = q.value
        if unit in ("元", "万元") or indicator in L.LEGACY_MONEY:
            value, unit = to_wan(value, unit, None), "万元"
        return LegacyValue(
            indicator or "extra", period, value, raw, unit, label, q.approximate, loc
        )
