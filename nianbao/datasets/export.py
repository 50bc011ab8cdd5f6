"""A dataset or a query result as a file journalists open: CSV (Excel-friendly) or XLSX."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from nianbao.datasets.query import query
from nianbao.datasets.registry import TABLES

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, minus the header row
_TABLE_NAME = re.compile(r"^[a-z_]+$")


class ExportError(ValueError):
    """The export cannot be written as asked (too many rows for Excel, unknown table)."""


def as_sql(what: str) -> str:
    """A dataset name becomes `SELECT * FROM name`; anything else is taken as SQL."""
    if _TABLE_NAME.match(what):
        if what not in TABLES:
            raise ExportError(f"unknown dataset {what!r}; datasets: {', '.join(TABLES)}")
        return f"SELECT * FROM {what}"
    return what


def _frame(table: pa.Table):
    """Dates and times as text, so spreadsheets show them as printed."""
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            frame[field.name] = frame[field.name].astype("string")
    return frame


def export(data_dir: Path, what: str, fmt: str, out: Path, *, allow_files: bool = False) -> int:
    """Write a dataset or a query result to `out` as csv or xlsx; returns the row count."""
    table = query(data_dir, as_sql(what), allow_files=allow_files)
    if fmt == "xlsx" and table.num_rows > XLSX_MAX_ROWS:
        raise ExportError(
            f"{table.num_rows} rows do not fit in one Excel sheet ({XLSX_MAX_ROWS}); "
            "narrow the query or export csv"
        )
    frame = _frame(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        # The BOM makes Excel read the Chinese text as UTF-8.
        frame.to_csv(out, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        frame.to_excel(out, index=False, sheet_name="nianbao", engine="openpyxl")
    else:
        raise ExportError(f"unknown format {fmt!r}: csv or xlsx")
    return table.num_rows
