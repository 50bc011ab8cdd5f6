"""Table grids → the three statistical tables of SCHEMA.md.

The rows of all tables of a document are read as one stream: a caption
(第二十条第（…）项) or a header row (信息内容…, 自然人…, 行政复议…) says which table and
which columns follow, and data rows are read against the latest header. So a section
split over several tables, or several sections in one table, read the same way.
Headers are matched through the label tables in `extract.labels`; nothing here knows a
particular report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extract import labels as L
from extract.match import match_exact, match_label
from extract.model import Cell, Document, Table
from extract.normalize import NumberError, norm_label, parse_number, reads_as_number, to_wan
from extract.record import CellValue, Matrix, ProactiveCell


@dataclass(slots=True)
class Slot:
    """A value column announced by a header: its key and the grid columns it covers."""

    key: str
    start: int
    end: int
    group: str | None = None
    unit: str | None = None


@dataclass(slots=True)
class Mapped:
    proactive: list[ProactiveCell] = field(default_factory=list)
    applications: Matrix = field(default_factory=dict)
    review_litigation: Matrix = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def found(self) -> set[str]:
        found = set()
        if self.proactive:
            found.add("proactive")
        if self.applications:
            found.add("applications")
        if self.review_litigation:
            found.add("review_litigation")
        return found


_IGNORED_HEADERS = {norm_label(t) for t in ("法人或其他组织", "申请人情况", "行政诉讼", "信息内容")}


def map_document(doc: Document) -> Mapped:
    reader = _StreamReader()
    for table in doc.tables:
        reader.read_table(table)
    return reader.finish()


class _StreamReader:
    def __init__(self) -> None:
        self.out = Mapped()
        self.section: str | None = None
        self.slots: list[Slot] = []
        self.data_rows = 0
        self.last_app_row: str | None = None
        self.review_groups: dict[int, str] = {}
        self.review_metrics: dict[int, str] = {}
        self.proactive_seen: set[tuple[str, str, str | None]] = set()

    # -- rows ---------------------------------------------------------------------

    def read_table(self, table: Table) -> None:
        for r, row in enumerate(table.rows):
            texts = [c.text for c in row]
            if not any(t.strip() for t in texts):
                continue
            if self._caption(row):
                self.section, self.slots = "proactive", []
                continue
            if self._applicant_header(row) or self._review_header(row):
                continue
            if self._proactive_header(row):
                continue
            if self.slots:
                self.data_rows += 1
            if self.section == "proactive" and self.slots:
                self._proactive_row(table, r, row)
            elif self.section == "applications" and self.slots:
                self._application_row(table, r, row)
            elif self.section == "review" and self.slots:
                self._review_row(table, r, row)

    def _caption(self, row: list[Cell]) -> bool:
        distinct = _distinct_texts(row)
        return len(distinct) == 1 and "第二十条" in norm_label(distinct[0]) + distinct[0]

    def _proactive_header(self, row: list[Cell]) -> bool:
        if any(reads_as_number(c.text) for c in row[1:]):
            return False
        slots = []
        for cell in _origins(row)[1:]:
            key = match_label(cell.text, L.PROACTIVE_METRICS)
            if key:
                unit = _money_unit(cell.text)
                slots.append(Slot(key, cell.col, _span_end(row, cell), unit=unit))
        first = norm_label(row[0].text)
        if not slots or (first not in ("", norm_label("信息内容")) and len(slots) < 2):
            return False
        self.section, self.slots = "proactive", slots
        return True

    def _applicant_header(self, row: list[Cell]) -> bool:
        if any(reads_as_number(c.text) for c in row):
            return False
        keys = {
            c.col: key
            for c in row
            if norm_label(c.text) not in _IGNORED_HEADERS
            and (key := match_exact(c.text, L.APPLICANT_COLUMNS))
        }
        refining = self.section == "applications" and self.data_rows == 0
        if refining and keys:
            # A deeper header row (商业企业…) refines the columns of the one above.
            merged = {s.start: s.key for s in self.slots}
            merged.update(keys)
            self.slots = _slots_from_columns(merged)
            return True
        if "natural_person" in keys.values():
            return self._start("applications", keys)
        if _mentions(row, "申请人") and not refining:
            # 勾稽关系 note and 申请人情况 above the applicant columns.
            return self._start("applications", {})
        return refining and bool(_distinct_texts(row)) and self.slots == []

    def _start(self, section: str, columns: dict[int, str]) -> bool:
        self.section = section
        self.slots = _slots_from_columns(columns)
        self.data_rows = 0
        self.last_app_row = None
        self.review_groups = {}
        self.review_metrics = {}
        return True

    def _review_header(self, row: list[Cell]) -> bool:
        if any(reads_as_number(c.text) for c in row):
            return False
        groups = {c.col: g for c in row if (g := match_exact(c.text, L.REVIEW_GROUPS))}
        metrics = {c.col: m for c in row if (m := match_exact(c.text, L.REVIEW_COLUMNS))}
        if self.section != "review":
            transposed = {"upheld", "corrected"} <= set(metrics.values())  # groups as rows
            if "review" not in groups.values() and not transposed:
                return False
            self._start("review", {})
        self.review_groups.update(groups)
        self.review_metrics.update(metrics)
        self.slots = _slots_from_columns(self.review_metrics, self.review_groups)
        return bool(groups or metrics)

    # -- data rows ------------------------------------------------------------------

    def _values(self, row: list[Cell]) -> list[tuple[Slot, Cell | None]]:
        """Pair each slot with the value cell under it.

        When the row has exactly one value cell per slot they pair in order, whatever
        the spans (header and data rows whose spans do not line up); otherwise by
        column overlap.
        """
        first = min(s.start for s in self.slots)
        cells = [c for c in row[first:] if c.is_origin and c.origin[1] >= first]
        if len(cells) == len(self.slots):
            return list(zip(self.slots, cells, strict=True))
        pairs: list[tuple[Slot, Cell | None]] = []
        for slot in self.slots:
            cell = row[slot.start] if slot.start < len(row) else None
            pairs.append((slot, cell if cell is not None and cell.is_origin else None))
        return pairs

    def _label_parts(self, row: list[Cell]) -> list[str]:
        first = min(s.start for s in self.slots)
        return _distinct_texts(row[:first])

    def _proactive_row(self, table: Table, r: int, row: list[Cell]) -> None:
        parts = self._label_parts(row)
        pairs = self._values(row)
        if not parts or not any(c is not None and reads_as_number(c.text) for _, c in pairs):
            if parts and any(c is not None and c.text.strip() for _, c in pairs):
                self.out.warnings.append(f"section 二: row {parts[-1]!r} has no number")
            return
        leaf = parts[-1]
        item = match_label(leaf, L.PROACTIVE_ITEMS)
        label = None
        if item is None or (
            len(parts) > 1
            and match_label(parts[0], L.PROACTIVE_ITEMS)
            and match_label(parts[0], L.PROACTIVE_ITEMS) != item
        ):
            item, label = "extra", leaf
        for slot, cell in pairs:
            if (item, slot.key, label) in self.proactive_seen:
                continue  # the same table printed twice (desktop and mobile layouts)
            self.proactive_seen.add((item, slot.key, label))
            value = self._cell(table, r, cell, money=slot.key in L.MONEY_METRICS, unit=slot.unit)
            self.out.proactive.append(ProactiveCell(item, slot.key, value, label))

    def _application_row(self, table: Table, r: int, row: list[Cell]) -> None:
        parts = self._label_parts(row)
        if not parts:
            return
        label = "".join(parts)
        key = match_label(label, L.APPLICATION_ROWS)
        context = L.CONTEXT_ROWS.get(norm_label(parts[-1]), {})
        if self.last_app_row in context:
            key = context[self.last_app_row]
        if key is None:
            if any(reads_as_number(c.text) for c in row):
                self.out.warnings.append(f"section 三: unknown row {label!r} kept out")
            return
        if key in self.out.applications:
            self.out.warnings.append(f"section 三: row {key} printed twice; first kept")
            return
        self.last_app_row = key
        self.out.applications[key] = {
            slot.key: self._cell(table, r, cell) for slot, cell in self._values(row)
        }

    def _review_row(self, table: Table, r: int, row: list[Cell]) -> None:
        first = min(s.start for s in self.slots)
        row_group = match_label("".join(_distinct_texts(row[:first])), L.REVIEW_GROUPS)
        for slot, cell in self._values(row):
            group = slot.group or row_group
            if group is None:
                continue
            target = self.out.review_litigation.setdefault(group, {})
            if slot.key not in target:
                target[slot.key] = self._cell(table, r, cell)

    def _cell(
        self, table: Table, r: int, cell: Cell | None, money: bool = False, unit: str | None = None
    ) -> CellValue:
        loc: dict[str, Any] = {
            "table": table.index,
            "page": table.page_of(r),
            "row": r,
            "col": cell.col if cell else None,
        }
        if cell is not None and cell.seen is not None:
            # Read by OCR: where on the picture, so a user can crop the cell and look.
            loc.update(bbox=list(cell.seen.box), dpi=cell.seen.dpi, confidence=cell.seen.confidence)
            if cell.seen.doubtful:
                loc.update(doubtful=True, readings=list(cell.seen.readings))
        raw = cell.text if cell is not None else None
        try:
            value, cell_unit = parse_number(raw)
        except NumberError:
            self.out.warnings.append(f"cell {raw!r} at table {table.index} row {r} is not a number")
            return CellValue(None, raw, loc)
        if money:
            value = to_wan(value, cell_unit, unit)
        return CellValue(value, raw, loc)

    # -- result ---------------------------------------------------------------------

    def finish(self) -> Mapped:
        out = self.out
        metrics = {p.metric for p in out.proactive}
        if metrics & L.METRICS_2021 or (metrics and not metrics & L.METRICS_2019):
            out.formats["proactive"] = "2021"
        elif metrics:
            out.formats["proactive"] = "2019"
        apps = out.applications
        if any(k in apps for k in L.OTHER_ROWS_2021):
            out.formats["applications"] = "2021"
            out.applications = derive_other_total(apps)
        elif apps:
            out.formats["applications"] = "2019"
        return out


def derive_other_total(apps: Matrix) -> Matrix:
    """A 2021 table with its （六）其他处理 total summed from the three rows under it, when
    the table prints none (or when it was summed before and a row has changed since)."""
    printed = "other_total" in apps and not any(c.derived for c in apps["other_total"].values())
    if printed:
        return apps
    return {**apps, "other_total": _derived_sum([apps[k] for k in L.OTHER_ROWS_2021 if k in apps])}


def _derived_sum(rows: list[dict[str, CellValue]]) -> dict[str, CellValue]:
    columns = dict.fromkeys(c for row in rows for c in row)  # in order: stable JSON
    out = {}
    for column in columns:
        values = [row[column].value for row in rows if column in row]
        total = None if any(v is None for v in values) else sum(values)
        out[column] = CellValue(total, None, {}, derived=True)
    return out


def _origins(row: list[Cell]) -> list[Cell]:
    return [c for c in row if c.is_origin]


def _distinct_texts(cells: list[Cell]) -> list[str]:
    """Texts of the cells, each merged cell once, blanks dropped."""
    seen, out = set(), []
    for cell in cells:
        if cell.origin in seen:
            continue
        seen.add(cell.origin)
        if cell.text.strip():
            out.append(cell.text.strip())
    return out


def _span_end(row: list[Cell], cell: Cell) -> int:
    end = cell.col
    while end + 1 < len(row) and row[end + 1].origin == cell.origin:
        end += 1
    return end


def _slots_from_columns(
    columns: dict[int, str], groups: dict[int, str] | None = None
) -> list[Slot]:
    """One slot per (group, key): adjacent columns naming the same key merge into it."""
    slots: dict[tuple[str | None, str], Slot] = {}
    for col in sorted(columns):
        group = (groups or {}).get(col)
        ident = (group, columns[col])
        if ident in slots:
            slots[ident].end = col
        else:
            slots[ident] = Slot(columns[col], col, col, group=group)
    return sorted(slots.values(), key=lambda s: s.start)


def _mentions(row: list[Cell], word: str) -> bool:
    return any(word in norm_label(c.text) for c in row)


def _money_unit(header: str) -> str | None:
    if "万元" in header:
        return "万元"
    if "元" in header:
        return "元"
    return None
