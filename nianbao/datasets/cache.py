"""Rows of every document read, kept between builds (DATA_DIR/state/rows/*.parquet).

Turning a record into rows is Python work per cell; at 100,000 reports it dominates a
build. So the rows of each document (keyed by its sha256, without the report id, agency id
and year that depend on the other documents) are kept, and a build only turns the new
records into rows. Assembling the published tables from the kept rows is vectorised.

The files are written cell tables first, `records.parquet` last; on load only documents
listed in `records.parquet` with the current extractor version count, so a run killed
between two files leaves a cache that is merely missing some documents.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nianbao.datasets import records as rec
from nianbao.datasets.registry import REPORTS, TABLES, sort_table

log = logging.getLogger(__name__)

CELL_TABLES = ("proactive", "applications", "review_litigation", "checks")
# Filled in from the report row when the published tables are assembled.
PER_REPORT = ("report_id", "agency_id", "year")
SUMMARY_FIELDS = (
    "status",
    "error",
    "reader",
    "title",
    "agency_name",
    "year",
    "published_date",
    "proactive_format",
    "applications_format",
    "review_litigation_format",
    "extractor_version",
    "cells",
    "checks",
    "warnings",
)
SHA = pa.field("sha256", pa.string(), nullable=False)
NULL_YEAR = np.iinfo(np.int32).max  # reports of unknown year: last, as nulls sort
NOT_A_REPORT = -1
SCHEMAS = {
    "records": pa.schema([SHA, *(REPORTS.schema.field(n) for n in SUMMARY_FIELDS)]),
    **{
        name: pa.schema([SHA, *(f for f in TABLES[name].schema if f.name not in PER_REPORT)])
        for name in CELL_TABLES
    },
}
_ROWS = {
    "proactive": rec.proactive_rows,
    "applications": lambda rid, aid, year, r: rec.matrix_rows("applications", rid, aid, year, r),
    "review_litigation": lambda rid, aid, year, r: rec.matrix_rows(
        "review_litigation", rid, aid, year, r
    ),
    "checks": rec.check_rows,
}


def _order(name: str) -> list[str]:
    """sha256, then the table's own key: rows of one document together, in key order."""
    if name == "records":
        return ["sha256"]
    return ["sha256", *(k for k in TABLES[name].primary_key if k not in PER_REPORT)]


def cache_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "state" / "rows"


@dataclass
class RowCache:
    tables: dict[str, pa.Table]

    @classmethod
    def empty(cls) -> RowCache:
        return cls({name: schema.empty_table() for name, schema in SCHEMAS.items()})

    @classmethod
    def from_records(cls, records: dict[str, dict[str, Any]]) -> RowCache:
        """The Python path: record dicts → rows, for the documents not cached yet."""
        summaries: list[dict[str, Any]] = []
        cells: dict[str, list[dict[str, Any]]] = {name: [] for name in CELL_TABLES}
        for sha in sorted(records):
            record = records[sha]
            summaries.append(rec.summary_row(sha, record))
            for name in CELL_TABLES:
                # the report-id slot carries the sha256 until the report is known
                cells[name] += _ROWS[name](sha, "", None, record)
        tables = {"records": pa.Table.from_pylist(summaries, schema=SCHEMAS["records"])}
        for name in CELL_TABLES:
            table = pa.Table.from_pylist(cells[name], schema=TABLES[name].schema)
            table = table.rename_columns(
                ["sha256" if c == "report_id" else c for c in table.column_names]
            )
            tables[name] = table.select(SCHEMAS[name].names).cast(SCHEMAS[name])
        return cls(tables)

    @property
    def shas(self) -> set[str]:
        return set(self.tables["records"]["sha256"].to_pylist())

    def _keep(self, keep: pa.Array) -> RowCache:
        return RowCache(
            {name: t.filter(pc.is_in(t["sha256"], keep)) for name, t in self.tables.items()}
        )

    def merge(self, new: RowCache, keep: set[str]) -> RowCache:
        """This cache with `new` added (replacing the same documents), limited to `keep`."""
        replaced = pa.array(sorted(new.shas), pa.string())
        merged = {}
        for name, table in self.tables.items():
            old = table.filter(pc.invert(pc.is_in(table["sha256"], replaced)))
            both = pa.concat_tables([old, new.tables[name]])
            both = both.filter(pc.is_in(both["sha256"], pa.array(sorted(keep), pa.string())))
            merged[name] = sort_table(both, _order(name))
        return RowCache(merged)

    @classmethod
    def load(cls, data_dir: Path, version: str) -> RowCache:
        """The kept rows made by extractor `version`; empty when there are none."""
        directory = cache_dir(data_dir)
        try:
            tables = {
                name: pq.read_table(directory / f"{name}.parquet", schema=schema)
                for name, schema in SCHEMAS.items()
            }
        except (OSError, pa.ArrowException) as exc:  # gone, torn, or an older layout
            if directory.exists():
                log.warning("row cache in %s unreadable (%s): rows are made again", directory, exc)
            return cls.empty()
        records = tables["records"]
        current = records.filter(pc.equal(records["extractor_version"], version))
        if current.num_rows == records.num_rows:
            return cls(tables)
        return cls({**tables, "records": current})._keep(current["sha256"])

    def save(self, data_dir: Path) -> None:
        directory = cache_dir(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        for name in (*CELL_TABLES, "records"):  # records last: it says what counts
            tmp = directory / f".{name}.parquet.{os.getpid()}"
            pq.write_table(self.tables[name], tmp, compression="zstd")
            os.replace(tmp, directory / f"{name}.parquet")

    def summaries(self) -> dict[str, dict[str, Any]]:
        return {row["sha256"]: row for row in self.tables["records"].to_pylist()}

    def take_cells(self, name: str, reports: pa.Table) -> pa.Table:
        """Table `name` for `reports` (sha256, report_id, agency_id, year), in on-disk order,
        releasing the cached rows (at 100,000 reports they are gigabytes).

        The rows of one document are one run, and runs are in sha256 order, which is
        report-id order: so each year is one order-keeping filter, not a sort of millions."""
        table = self.tables[name]
        self.tables[name] = SCHEMAS[name].empty_table()
        spec = TABLES[name]
        if table.num_rows == 0 or reports.num_rows == 0:
            return spec.empty()
        runs = pc.value_counts(table["sha256"])  # runs in the order they appear
        counts = runs.field("counts").to_numpy()
        owner_of_run = pc.index_in(runs.field("values"), value_set=reports["sha256"])
        owner = np.repeat(pc.fill_null(owner_of_run, -1).to_numpy(), counts)
        report_year = pc.fill_null(reports["year"], NULL_YEAR).to_numpy()
        row_year = np.where(owner >= 0, report_year[np.maximum(owner, 0)], NOT_A_REPORT)
        parts = []
        for year in sorted(set(report_year.tolist()), key=lambda y: (y == NULL_YEAR, y)):
            keep = row_year == year
            picked = table.filter(pa.array(keep))
            rows_of = pa.array(owner[keep])
            columns = {}
            for field in spec.schema:
                if field.name in PER_REPORT:
                    columns[field.name] = reports[field.name].take(rows_of).cast(field.type)
                else:
                    columns[field.name] = picked[field.name]
            parts.append(pa.table(columns, schema=spec.schema))
        return pa.concat_tables(parts)
