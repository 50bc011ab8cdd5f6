"""Cell tables made wide for spreadsheets: one row per report, one column per cell.

The long tables (one row per cell) are what SQL wants; a spreadsheet user wants the
report's table across one row: sections 二, 三 and 四, and the 2008–2018 统计表.
Columns follow the printed order of the template and are named by their Chinese labels
(本年新收·总计); the SCHEMA.md keys (`new_received.total`) go in a keys file (CSV) or a
sheet of their own (XLSX), so a CSV keeps exactly one row per report. A cell a report
does not print stays empty, never 0. Rows the template does not have (`extra`) stay in
the long table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from extract.labels import ITEM_METRICS_2019, ITEM_METRICS_2021
from nianbao.common.keys import keys, labels
from nianbao.datasets.query import connect
from nianbao.datasets.tables.reports import REPORTS

WIDE_TABLES = ("applications", "proactive", "review_litigation", "legacy")
SHEET_TITLES = {
    "proactive": "二 主动公开",
    "applications": "三 依申请公开",
    "review_litigation": "四 复议诉讼",
    "legacy": "统计表 2008-2018",
}
# Report metadata leading every wide row, in this order, with the short Chinese header a
# spreadsheet shows (the registry's descriptions are sentences).
META_COLUMNS = {
    "report_id": "报告编号",
    "agency_id": "机关编号",
    "agency_name": "机关",
    "division_code": "行政区划代码",
    "level": "层级",
    "year": "年度",
    "format": "模板",
    "title": "标题",
    "published_date": "发布日期",
    "page_url": "来源页面",
    "url": "所读文件",
}
_FORMAT_COLUMN = {
    "proactive": "r.proactive_format",
    "applications": "r.applications_format",
    "review_litigation": "r.review_litigation_format",
    "legacy": "'pre2019'",  # the 统计表 has no national format
}
_ROW_AXIS = {"proactive": "item", "legacy": "indicator"}
_COLUMN_AXIS = {"proactive": "metric", "legacy": "period"}
# The long table's columns for the two axes (the 统计表 names them for what they are).
_ROW_FIELD = {"legacy": "indicator"}
_COLUMN_FIELD = {"legacy": "period"}
# The long row labels repeat the section's subject; the wide column names do not.
_LABEL_SUFFIX = "政府信息公开申请数量"
_COLUMN_WIDTHS = {"report_id": 22, "agency_name": 22, "title": 40, "page_url": 40, "url": 40}
_HYPERLINK_MAX = 255  # Excel's limit on a string inside a formula; longer URLs stay text


@dataclass(frozen=True)
class WideColumn:
    """One cell of the template as a spreadsheet column."""

    row_key: str
    column_key: str
    row_label: str
    column_label: str

    @property
    def key(self) -> str:
        return f"{self.row_key}.{self.column_key}"

    @property
    def label(self) -> str:
        return f"{self.row_label}·{self.column_label}"


def _short(label: str) -> str:
    return label.removesuffix(_LABEL_SUFFIX)


def _proactive_metrics(item: str) -> tuple[str, ...]:
    """2021 metrics first (the current template), then the 2019 ones not already named."""
    first = ITEM_METRICS_2021.get(item, ())
    return first + tuple(m for m in ITEM_METRICS_2019.get(item, ()) if m not in first)


def wide_columns(table: str) -> list[WideColumn]:
    """The cell columns of `table` in printed order (rows of the template, then columns)."""
    if table not in WIDE_TABLES:
        raise ValueError(f"no wide layout for {table!r}; tables: {', '.join(WIDE_TABLES)}")
    row_labels = labels(table, _ROW_AXIS.get(table, "row"))
    column_labels = labels(table, _COLUMN_AXIS.get(table, "column"))
    out = []
    for row in row_labels:
        if row == "extra":
            continue
        columns = _proactive_metrics(row) if table == "proactive" else tuple(column_labels)
        out.extend(
            WideColumn(row, col, _short(row_labels[row]), column_labels[col]) for col in columns
        )
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def wide_sql(table: str, all_versions: bool = False) -> str:
    """DuckDB SQL pivoting `table` to one row per report (latest versions unless asked)."""
    columns = wide_columns(table)
    row, column = _ROW_FIELD.get(table, "row_key"), _COLUMN_FIELD.get(table, "column_key")
    cells = ",\n  ".join(
        f"max(c.value) FILTER (WHERE c.{row} = '{col.row_key}' "
        f"AND c.{column} = '{col.column_key}') AS {_quote(col.key)}"
        for col in columns
    )
    meta = ", ".join(
        f"{_FORMAT_COLUMN[table]} AS format" if name == "format" else f"r.{name}"
        for name in META_COLUMNS
    )
    where = "" if all_versions else "WHERE r.is_latest"
    return (
        f"SELECT {meta},\n  {cells}\nFROM reports r JOIN {table} c USING (report_id)\n"
        f"{where}\nGROUP BY ALL\nORDER BY r.year, r.agency_name, r.report_id"
    )


def wide_table(data_dir: Path, table: str, all_versions: bool = False) -> pa.Table:
    """`table` wide, with columns named by their keys (labels via `column_labels`)."""
    con = connect(data_dir)
    try:
        return con.sql(wide_sql(table, all_versions)).to_arrow_table()
    finally:
        con.close()


def column_labels(table: str) -> dict[str, str]:
    """Key → Chinese column name, for every column of the wide table."""
    return META_COLUMNS | {col.key: col.label for col in wide_columns(table)}


def key_rows(tables: tuple[str, ...]) -> list[dict[str, str]]:
    """What each wide column is: the keys file of a CSV, the keys sheet of a workbook."""
    en = {(k.table, k.key): k.en for k in keys()}
    report_en = {f.name: f.en for f in REPORTS.fields} | {"format": "Format of this table"}
    rows = [
        {"table": "reports", "column": label, "key": name, "description": report_en.get(name, "")}
        for name, label in META_COLUMNS.items()
    ]
    for table in tables:
        for col in wide_columns(table):
            description = f"{en[(table, col.row_key)]} — {en[(table, col.column_key)]}"
            rows.append(
                {"table": table, "column": col.label, "key": col.key, "description": description}
            )
    return rows


def write_wide_csv(data_dir: Path, table: str, out: Path, key_header: bool = False) -> int:
    """One row per report; the header in Chinese (or keys), keys in OUT.keys.csv."""
    wide = wide_table(data_dir, table)
    if not key_header:
        names = column_labels(table)
        wide = wide.rename_columns([names[c] for c in wide.column_names])
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        fh.write("\ufeff".encode())  # the BOM makes Excel read the Chinese text as UTF-8
        # Arrow, not pandas: integer columns with blanks stay integers (19, not 19.0).
        pacsv.write_csv(wide, fh, pacsv.WriteOptions(quoting_style="needed"))
    keys_path = keys_file(out)
    with keys_path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["table", "column", "key", "description"])
        writer.writeheader()
        writer.writerows(key_rows((table,)))
    return wide.num_rows


def keys_file(out: Path) -> Path:
    return out.with_name(out.stem + ".keys.csv")


def write_wide_xlsx(data_dir: Path, first: str, out: Path, max_rows: int) -> dict[str, int]:
    """A workbook with one sheet per table laid out as printed (the row's label over its
    columns, the column labels beneath), `first` first, and a sheet of keys."""
    from openpyxl import Workbook

    order = (first, *(t for t in WIDE_TABLES if t != first))
    tables = {t: wide_table(data_dir, t) for t in order}
    for name, wide in tables.items():
        if wide.num_rows > max_rows:
            raise ValueError(
                f"{name}: {wide.num_rows} reports do not fit in one Excel sheet ({max_rows}); "
                "export csv"
            )
    book = Workbook(write_only=True)  # streams rows: a year of reports stays small
    for name in order:
        _write_sheet(book.create_sheet(SHEET_TITLES[name]), name, tables[name])
    keys_sheet = book.create_sheet("keys 键")
    keys_sheet.append(["table", "column", "key", "description"])
    for row in key_rows(order):
        keys_sheet.append(list(row.values()))
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return {name: wide.num_rows for name, wide in tables.items()}


def _write_sheet(sheet: Any, table: str, wide: pa.Table) -> None:
    """Two header rows (row groups over their columns, then column labels), frozen, sized."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    style = (Font(bold=True), PatternFill("solid", fgColor="DDEBF7"), Alignment(wrap_text=True))

    def header(text: str | None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill, cell.alignment = style
        return cell

    for i, name in enumerate(wide.column_names, start=1):
        width = _COLUMN_WIDTHS.get(name, 12)
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = f"{get_column_letter(list(META_COLUMNS).index('year') + 2)}3"
    cells = wide_columns(table)
    groups = [c.row_label if i == 0 or cells[i - 1].row_key != c.row_key else None
              for i, c in enumerate(cells)]  # fmt: skip
    sheet.append([header(label) for label in META_COLUMNS.values()] + [header(g) for g in groups])
    sheet.append([header(None) for _ in META_COLUMNS] + [header(c.column_label) for c in cells])
    for batch in wide.to_batches(max_chunksize=10_000):
        for row in batch.to_pylist():
            sheet.append([_xlsx_cell(sheet, WriteOnlyCell, k, v) for k, v in row.items()])


def _xlsx_cell(sheet: Any, cell_type: Any, key: str, value: Any) -> Any:
    """Dates as dates, links as links, numbers as numbers."""
    if isinstance(value, date):
        cell = cell_type(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if key in ("page_url", "url") and value and len(value) <= _HYPERLINK_MAX:
        return cell_type(sheet, value=f'=HYPERLINK("{value.replace(chr(34), "%22")}")')
    return value
