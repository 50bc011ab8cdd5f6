"""The Parquet manifests under DIR/manifests: documents, crawl_runs, crawl_sources, listings.

Each writer appends its own part files (`part-<run_id>-<n>.parquet`, written to a temporary
name and renamed), so several workers and a run killed at any moment never leave a torn or
shared file; readers concatenate the parts. A document is one row per distinct (sha256, url):
the same bytes at the same URL are never added twice, changed bytes add a new version.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from nianbao.common import atomic
from nianbao.datasets.schema import iso_date
from nianbao.datasets.tables.crawl import (
    CRAWL_RUN_MANIFEST,
    CRAWL_SOURCE_MANIFEST,
    DOCUMENT_MANIFEST,
)

logger = logging.getLogger(__name__)

# Declared with the datasets, so that a manifest and its dataset cannot drift apart.
DOCUMENTS_SCHEMA = DOCUMENT_MANIFEST.schema
RUNS_SCHEMA = CRAWL_RUN_MANIFEST.schema
SOURCES_SCHEMA = CRAWL_SOURCE_MANIFEST.schema
LISTINGS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("url", pa.string()),
        ("state", pa.string()),  # listed | gone (linked, but answered 404/410)
    ]
)
# crawl_sources evidence of a source that robots.txt keeps out: no page could be read
ROBOTS_FORBIDDEN = "robots.txt forbids its pages"


def page_pictures(row: dict[str, Any]) -> list[dict[str, str | None]]:
    """A page row's pictures in page order (url, sha256, path, error), from the JSON text
    the manifest and the `documents` dataset keep them as; none for other rows."""
    return json.loads(row["pictures"]) if row.get("pictures") else []


def manifest_dir(data_dir: Path, table: str) -> Path:
    return Path(data_dir) / "manifests" / table


def utc_now() -> datetime:
    return datetime.now(UTC)


def write_part(directory: Path, rows: list[dict[str, Any]], schema: pa.Schema, stem: str) -> Path:
    """Rows as one new Parquet part file, atomically (temporary name, fsync, rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=schema)
    final = directory / f"part-{stem}-{uuid.uuid4().hex[:8]}.parquet"
    with atomic.replacing(final, fsync=True) as tmp:
        pq.write_table(table, tmp)
    return final


# Each manifest table's key, and the column ordering its rows: readers keep the first row
# of each key, so rows written twice (two crawls at once, a part merged while another was
# written) are read once.
KEYS = {
    "documents": (("sha256", "url"), "fetched_at"),
    "crawl_runs": (("run_id",), "finished_at"),
    "crawl_sources": (("run_id", "source_id"), "finished_at"),
    "listings": (("run_id", "source_id", "url", "state"), "run_id"),
}
SCHEMAS = {
    "documents": DOCUMENTS_SCHEMA,
    "crawl_runs": RUNS_SCHEMA,
    "crawl_sources": SOURCES_SCHEMA,
    "listings": LISTINGS_SCHEMA,
}
DAMAGED = "damaged"


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A part in the manifest's schema: a column an older crawler did not write reads as
    nulls, a column the schema does not know is left out."""
    columns = [
        _column(table.column(f.name), f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _column(column: pa.ChunkedArray, type_: pa.DataType) -> pa.ChunkedArray | pa.Array:
    """A column in its declared type. Dates were kept as YYYY-MM-DD text before the manifest
    shared the dataset's declaration; text that is not one reads as null."""
    if pa.types.is_string(column.type) and pa.types.is_date(type_):
        return pa.array([iso_date(v) for v in column.to_pylist()], type_)
    return column.cast(type_)


def _put_aside(path: Path, exc: Exception) -> Path | None:
    """Move an unreadable part file to DAMAGED/ beside it (kept, never read again), so it
    cannot break every later read; where it went, None when another reader moved it first."""
    aside = path.parent / DAMAGED / path.name
    aside.parent.mkdir(exist_ok=True)
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return None
    logger.warning(
        "manifest part %s cannot be read (%s: %s): moved to %s; the next crawl fetches"
        " its documents again",
        path,
        type(exc).__name__,
        exc,
        aside,
    )
    return aside


@dataclass
class Parts:
    """A manifest table's part files as read: their rows, oldest first, the files read and
    where the unreadable ones were put aside."""

    rows: pa.Table
    read: list[Path]
    damaged: list[Path]


def _load(data_dir: Path, table: str, schema: pa.Schema | None = None) -> Parts:
    schema = schema or SCHEMAS[table]
    directory = manifest_dir(data_dir, table)
    paths = sorted(directory.glob("part-*.parquet")) if directory.exists() else []
    tables, read, damaged = [], [], []
    for path in paths:
        try:
            tables.append(_conform(pq.ParquetFile(path).read(), schema))
        except FileNotFoundError:
            continue  # since listed: merged into a compacted part, or put aside by a reader
        except (pa.ArrowException, OSError) as exc:
            aside = _put_aside(path, exc)
            damaged += [aside] if aside else []
            continue
        read.append(path)
    rows = pa.concat_tables(tables) if tables else schema.empty_table()
    return Parts(rows.sort_by([(KEYS[table][1], "ascending")]), read, damaged)


def _first_of_each_key(table: pa.Table, key: tuple[str, ...]) -> pa.Table:
    """The first row of each key, in the table's order."""
    numbered = table.select(list(key)).append_column("row", pa.array(range(table.num_rows)))
    first = numbered.group_by(list(key), use_threads=False).aggregate([("row", "min")])
    if first.num_rows == table.num_rows:
        return table
    return table.take(first.column("row_min").sort())


def read_parts(data_dir: Path, table: str, schema: pa.Schema | None = None) -> pa.Table:
    """Every row of a manifest table's part files, as written, oldest first, in `schema`
    (default: the table's own); an empty table when there is none."""
    return _load(data_dir, table, schema).rows


def read_table(data_dir: Path, table: str, schema: pa.Schema | None = None) -> pa.Table:
    """A manifest table, oldest first, one row per key: rows written twice and damaged
    parts heal here, so no reader needs to care."""
    rows = read_parts(data_dir, table, schema)
    unique = _first_of_each_key(rows, KEYS[table][0])
    if unique.num_rows < rows.num_rows:
        logger.info(
            "manifest %s: %d rows written more than once, read once",
            table,
            rows.num_rows - unique.num_rows,
        )
    return unique


def read_documents(data_dir: Path) -> pa.Table:
    """The documents manifest, one row per distinct (sha256, url), oldest first."""
    return read_table(data_dir, "documents")


COMPACT_AT_PARTS = 64


@dataclass
class Compaction:
    """What `compact` did to one manifest table."""

    table: str
    rows: int = 0
    parts: int = 0
    duplicates: int = 0
    damaged: list[str] = field(default_factory=list)

    def describe(self) -> str:
        done = []
        if self.duplicates:
            done.append(f"rows written more than once, left out: {self.duplicates}")
        if self.parts:
            done.append(f"part files merged into one: {self.parts}")
        if self.damaged:
            done.append(f"unreadable part files put aside: {', '.join(self.damaged)}")
        return f"{self.table}: {self.rows} rows; " + ("; ".join(done) or "nothing to repair")


def compact(data_dir: Path, table: str, min_parts: int = COMPACT_AT_PARTS) -> Compaction:
    """Rewrite a manifest table as one part file, one row per key, when it has many parts
    or rows written more than once (unreadable parts are put aside by the reading).

    The merged file is written (atomically) before the parts it replaces are removed, and
    readers keep one row per key, so a reader or a worker running meanwhile is not hurt:
    parts written after the listing are left alone.
    """
    parts = _load(data_dir, table)
    unique = _first_of_each_key(parts.rows, KEYS[table][0])
    done = Compaction(
        table,
        rows=unique.num_rows,
        duplicates=parts.rows.num_rows - unique.num_rows,
        damaged=[str(p.relative_to(data_dir)) for p in parts.damaged],
    )
    if parts.read and (done.duplicates or len(parts.read) >= min_parts):
        write_part(manifest_dir(data_dir, table), unique.to_pylist(), SCHEMAS[table], "compacted")
        for path in parts.read:
            path.unlink(missing_ok=True)
        done.parts = len(parts.read)
        logger.info("compacted manifest %s: %s", table, done.describe())
    return done


@dataclass
class Known:
    """What an earlier run kept for one URL (its latest version)."""

    sha256: str
    path: str
    etag: str | None
    last_modified: str | None
    row: dict[str, Any]


class SeenStore:
    """Latest known version per URL, for conditional requests and duplicate checks."""

    def __init__(self, rows: Iterable[dict[str, Any]] = ()):
        self.latest: dict[str, Known] = {}
        self.keys: set[tuple[str, str]] = set()
        self.attachments: dict[str, list[str]] = {}
        for row in rows:
            self.add(row)

    @classmethod
    def load(cls, data_dir: Path) -> SeenStore:
        return cls(read_documents(data_dir).to_pylist())

    def add(self, row: dict[str, Any]) -> None:
        self.keys.add((row["sha256"], row["url"]))
        known = Known(row["sha256"], row["path"], row.get("etag"), row.get("last_modified"), row)
        # A page reached through a redirect is also known under the URL its list gives.
        urls = {row["url"], row.get("listed_url") or row["url"]}
        for url in urls:
            self.latest[url] = known
            if row.get("kind") == "page":
                self.attachments[url] = list(row.get("attachment_urls") or [])

    def conditional_headers(self, url: str) -> dict[str, str]:
        known = self.latest.get(url)
        headers: dict[str, str] = {}
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self.keys


class ManifestWriter:
    """Buffers document rows and flushes them as part files every N rows or T seconds."""

    def __init__(self, data_dir: Path, run_id: str, flush_rows: int = 200, flush_s: float = 5.0):
        self.directory = manifest_dir(data_dir, "documents")
        self.run_id = run_id
        self.flush_rows = flush_rows
        self.flush_s = flush_s
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()

    def append(self, row: dict[str, Any]) -> None:
        """Buffer a row; the caller writes when `due()` (see ManifestPipeline)."""
        self.buffer.append(row)

    def due(self) -> bool:
        return bool(self.buffer) and (
            len(self.buffer) >= self.flush_rows
            or time.monotonic() - self.last_flush >= self.flush_s
        )

    def take(self) -> list[dict[str, Any]]:
        """The buffered rows, handed over for writing (e.g. in another thread)."""
        rows, self.buffer = self.buffer, []
        self.last_flush = time.monotonic()
        return rows

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            write_part(self.directory, rows, DOCUMENTS_SCHEMA, self.run_id)

    def flush(self) -> None:
        self.write(self.take())


def write_run(data_dir: Path, run: dict[str, Any], sources: list[dict[str, Any]]) -> None:
    """One crawl_runs row and the run's crawl_sources rows."""
    run = {**run, "errors_by_kind": json.dumps(run.get("errors_by_kind") or {}, ensure_ascii=False)}
    write_part(manifest_dir(data_dir, "crawl_runs"), [run], RUNS_SCHEMA, run["run_id"])
    if sources:
        write_part(manifest_dir(data_dir, "crawl_sources"), sources, SOURCES_SCHEMA, run["run_id"])


def write_listings(data_dir: Path, run_id: str, listings: list[tuple[str, str, str]]) -> None:
    """What each list showed in this run, so the next build can tell what was withdrawn."""
    rows = [
        {"run_id": run_id, "source_id": sid, "url": url, "state": state}
        for sid, url, state in listings
    ]
    if rows:
        write_part(manifest_dir(data_dir, "listings"), rows, LISTINGS_SCHEMA, run_id)


def previous_reports_listed(data_dir: Path) -> dict[str, int]:
    """Per source, the most reports any earlier run listed (for the 'now none' monitor)."""
    table = read_table(data_dir, "crawl_sources")
    best: dict[str, int] = {}
    for row in table.to_pylist():
        best[row["source_id"]] = max(best.get(row["source_id"], 0), row["reports_listed"] or 0)
    return best


def source_status(data_dir: Path, run_id: str) -> list[dict[str, Any]]:
    """The crawl_sources rows of one run: each source's status at a glance."""
    table = read_table(data_dir, "crawl_sources")
    return [row for row in table.to_pylist() if row["run_id"] == run_id]
