"""Rows of every document read, kept between builds (DATA_DIR/state/rows/*.parquet).

Turning a record into rows is Python work per cell; at 100,000 reports it dominates a
build. So the rows of each document (keyed by its sha256, without the report id, agency id
and year that depend on the other documents) are kept, and a build only turns the new
records into rows. Assembling the published tables from the kept rows is vectorised.

The rows are kept one file per table and covered year (`applications.2023.parquet`,
`applications.none.parquet` for an unknown year), so a build reads one year without the
rest. The year files are written first, `records.parquet` (one summary per document)
last; on load only documents listed in `records.parquet` with the current extractor
version count, so a run killed between two files leaves a cache that is merely missing
some documents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nianbao.common import atomic
from nianbao.datasets import records as rec
from nianbao.datasets.registry import TABLES
from nianbao.datasets.sorting import sort_table
from nianbao.datasets.tables.reports import REPORTS

log = logging.getLogger(__name__)

CELL_TABLES = ("proactive", "applications", "review_litigation", "legacy", "narrative", "checks")
# Filled in from the report row when the published tables are assembled.
PER_REPORT = ("report_id", "agency_id", "year")
SUMMARY_FIELDS = (
    "status",
    "error",
    "reader",
    "ocr_engine",
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
    "legacy": rec.legacy_rows,
    "narrative": rec.narrative_rows,
    "checks": rec.check_rows,
}


def _order(name: str) -> list[str]:
    """sha256, then the table's own key: rows of one document together, in key order."""
    if name == "records":
        return ["sha256"]
    return ["sha256", *(k for k in TABLES[name].primary_key if k not in PER_REPORT)]


def cache_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "state" / "rows"


def year_file(directory: Path, name: str, year: int | None) -> Path:
    return directory / f"{name}.{'none' if year is None else year}.parquet"


def covered_years(years: pa.ChunkedArray | pa.Array) -> list[int | None]:
    """The distinct years, oldest first and unknown (null) last, as partitions are ordered."""
    return sorted(pc.unique(years).to_pylist(), key=lambda y: (y is None, y or 0))


def of_year(table: pa.Table, year: int | None) -> pa.Table:
    """The rows of `table` whose `year` is `year` (None: unknown year)."""
    column = table["year"]
    return table.filter(pc.is_null(column) if year is None else pc.equal(column, year))


def _ids(shas: Iterable[str]) -> pa.Array:
    return pa.array(sorted(shas), pa.string())


@dataclass
class RowCache:
    """Summaries and cell rows of documents: those read in this run in memory (`tables`),
    the others (`kept`, summaries only) in the year files of `directory`."""

    tables: dict[str, pa.Table]
    kept: pa.Table = field(default_factory=SCHEMAS["records"].empty_table)
    directory: Path | None = None

    def __post_init__(self) -> None:
        # tables made elsewhere (the benchmark's generator) may differ in nullability only
        self.tables = {name: t.cast(SCHEMAS[name]) for name, t in self.tables.items()}

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
    def records(self) -> pa.Table:
        """The summary of every document, kept on disk or held in memory."""
        return pa.concat_tables([self.kept, self.tables["records"]])

    @property
    def shas(self) -> set[str]:
        return set(self.records["sha256"].to_pylist())

    def summaries(self) -> dict[str, dict[str, Any]]:
        return {row["sha256"]: row for row in self.records.to_pylist()}

    def merge(self, new: RowCache, keep: set[str]) -> RowCache:
        """This cache with `new` (held in memory) added, replacing the same documents,
        limited to `keep`; nothing is read from disk."""
        replaced, kept = _ids(new.shas), _ids(keep)

        def wanted(table: pa.Table) -> pa.Table:
            return table.filter(pc.is_in(table["sha256"], kept))

        def old(table: pa.Table) -> pa.Table:
            return wanted(table.filter(pc.invert(pc.is_in(table["sha256"], replaced))))

        tables = {
            name: sort_table(pa.concat_tables([old(table), wanted(new.tables[name])]), _order(name))
            for name, table in self.tables.items()
        }
        return RowCache(tables, old(self.kept), self.directory)

    @classmethod
    def load(cls, data_dir: Path, version: str) -> RowCache:
        """The summaries of the documents kept by extractor `version`, their rows left on
        disk; empty when there are none or a year file is missing (an older layout)."""
        directory = cache_dir(data_dir)
        try:
            records = pq.read_table(directory / "records.parquet", schema=SCHEMAS["records"])
        except (OSError, pa.ArrowException) as exc:  # gone, torn, or an older layout
            if directory.exists():
                log.warning("row cache in %s unreadable (%s): rows are made again", directory, exc)
            return cls.empty()
        current = records.filter(pc.equal(records["extractor_version"], version))
        years = covered_years(current["year"])
        lost = [
            path
            for name in CELL_TABLES
            for path in (year_file(directory, name, y) for y in years)
            if not path.is_file()
        ]
        if lost:
            log.warning("row cache in %s lacks %s: rows are made again", directory, lost[0].name)
            return cls.empty()
        return cls(cls.empty().tables, current, directory)

    def _from_disk(self, name: str, year: int | None, ids: pa.Array) -> pa.Table:
        """The kept rows of table `name` of documents `ids`, all of year `year`."""
        if self.directory is None or len(ids) == 0:
            return SCHEMAS[name].empty_table()
        return pq.read_table(
            year_file(self.directory, name, year),
            schema=SCHEMAS[name],
            filters=pc.field("sha256").isin(ids),
        )

    def read(self, name: str, shas: pa.Array | pa.ChunkedArray) -> pa.Table:
        """The rows of table `name` of documents `shas`, one run per document in sha256
        order, reading only the year files that hold them."""
        held = self.tables[name]
        parts = [held.filter(pc.is_in(held["sha256"], shas))]
        wanted = self.kept.filter(pc.is_in(self.kept["sha256"], shas))
        for year in covered_years(wanted["year"]):
            parts.append(self._from_disk(name, year, of_year(wanted, year)["sha256"]))
        return sort_table(pa.concat_tables(parts), _order(name))

    def save(self, data_dir: Path) -> RowCache:
        """Write every table's rows one file per year, then the summaries (they say what
        counts), then remove the files of years gone (and the whole-table files of the
        older layout); returns the cache reading them back from disk, holding no rows."""
        directory = cache_dir(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        records = self.records
        years = covered_years(records["year"])
        for name in CELL_TABLES:
            for year in years:
                self._save_year(directory, name, year)
        _write(sort_table(records, _order("records")), directory / "records.parquet")
        wanted = {year_file(directory, n, y) for n in CELL_TABLES for y in years}
        for stale in {p for n in CELL_TABLES for p in directory.glob(f"{n}*.parquet")} - wanted:
            stale.unlink()
        return RowCache(RowCache.empty().tables, records, directory)

    def _save_year(self, directory: Path, name: str, year: int | None) -> None:
        """One year file: the kept rows still wanted and the new rows of that year; an
        unchanged file is left alone."""
        path = year_file(directory, name, year)
        old = self._from_disk(name, year, of_year(self.kept, year)["sha256"])
        held = self.tables[name]
        new = held.filter(pc.is_in(held["sha256"], of_year(self.tables["records"], year)["sha256"]))
        unchanged = self.directory == directory and new.num_rows == 0 and path.is_file()
        if unchanged and pq.read_metadata(path).num_rows == old.num_rows:
            return
        _write(sort_table(pa.concat_tables([old, new]), _order(name)), path)


def _write(table: pa.Table, path: Path) -> None:
    """Write-then-rename: a killed run never leaves half a file behind."""
    with atomic.replacing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def attach_reports(name: str, rows: pa.Table, reports: pa.Table) -> pa.Table:
    """Table `name` from the cached rows of report documents (`read`: one run per document)
    and `reports` (sha256, report_id, agency_id, year) filling in the report's columns.

    Each run's owner is found once and repeated: no lookup per row of millions."""
    spec = TABLES[name]
    if rows.num_rows == 0:
        return spec.empty()
    runs = pc.value_counts(rows["sha256"])  # runs in the order they appear
    owner_of_run = pc.index_in(runs.field("values"), value_set=reports["sha256"])
    owner = pa.array(np.repeat(owner_of_run.to_numpy(), runs.field("counts").to_numpy()))
    columns = {
        f.name: reports[f.name].take(owner).cast(f.type) if f.name in PER_REPORT else rows[f.name]
        for f in spec.schema
    }
    return pa.table(columns, schema=spec.schema)
