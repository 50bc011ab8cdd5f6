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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

logger = logging.getLogger(__name__)

DOCUMENTS_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("url", pa.string()),
        ("page_url", pa.string()),
        ("title", pa.string()),
        ("year", pa.int32()),
        ("published_date", pa.string()),
        ("sha256", pa.string()),
        ("path", pa.string()),
        ("content_type", pa.string()),
        ("bytes", pa.int64()),
        ("http_status", pa.int32()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("run_id", pa.string()),
        ("kind", pa.string()),
        ("agency", pa.string()),
        ("index_no", pa.string()),
        ("doc_no", pa.string()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("attachment_urls", pa.list_(pa.string())),
        ("listed_url", pa.string()),
    ]
)
RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("finish_reason", pa.string()),
        ("pages", pa.int64()),
        ("reports", pa.int64()),
        ("attachments", pa.int64()),
        ("new_documents", pa.int64()),
        ("changed_documents", pa.int64()),
        ("requests", pa.int64()),
        ("errors", pa.int64()),
        ("errors_by_kind", pa.string()),
        ("blocked_sources", pa.list_(pa.string())),
        ("failed_sources", pa.list_(pa.string())),
        ("monitors_passed", pa.bool_()),
        ("messages", pa.list_(pa.string())),
        ("duration_s", pa.float64()),
        ("stats", pa.string()),
    ]
)
SOURCES_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("status", pa.string()),
        ("reports_listed", pa.int64()),
        ("new_documents", pa.int64()),
        ("errors", pa.int64()),
        ("evidence", pa.string()),
        ("finished_at", pa.timestamp("us", tz="UTC")),
    ]
)
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


def manifest_dir(data_dir: Path, table: str) -> Path:
    return Path(data_dir) / "manifests" / table


def utc_now() -> datetime:
    return datetime.now(UTC)


def write_part(directory: Path, rows: list[dict[str, Any]], schema: pa.Schema, stem: str) -> Path:
    """Rows as one new Parquet part file, atomically (temporary name, fsync, rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=schema)
    final = directory / f"part-{stem}-{uuid.uuid4().hex[:8]}.parquet"
    tmp = directory / f".{final.name}.tmp"
    pq.write_table(table, tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return final


def read_table(data_dir: Path, table: str, schema: pa.Schema) -> pa.Table:
    """All part files of a manifest table (empty table with the schema when none)."""
    directory = manifest_dir(data_dir, table)
    parts = sorted(directory.glob("part-*.parquet")) if directory.exists() else []
    if not parts:
        return schema.empty_table()
    combined = pa.concat_tables([pq.read_table(p, schema=schema) for p in parts])
    if "fetched_at" in schema.names:
        combined = combined.sort_by([("fetched_at", "ascending")])
    return combined


def read_documents(data_dir: Path) -> pa.Table:
    """The documents manifest, one row per distinct (sha256, url), oldest first."""
    table = read_table(data_dir, "documents", DOCUMENTS_SCHEMA)
    keep = _first_of_each_document(table)
    return table.take(keep) if len(keep) != table.num_rows else table


def _first_of_each_document(table: pa.Table) -> list[int]:
    """Row indexes of the first row of each (sha256, url)."""
    seen: set[tuple[str, str]] = set()
    keep = []
    for i, key in enumerate(
        zip(table.column("sha256").to_pylist(), table.column("url").to_pylist(), strict=True)
    ):
        if key not in seen:
            seen.add(key)
            keep.append(i)
    return keep


COMPACT_AT_PARTS = 64


def compact_documents(data_dir: Path, min_parts: int = COMPACT_AT_PARTS) -> int:
    """Merge the documents part files into one when there are many; returns parts merged.

    The merged file is written (atomically) before the parts it replaces are removed, and
    readers dedupe on (sha256, url), so a reader or a worker running meanwhile is not hurt:
    parts written after the listing are left alone.
    """
    directory = manifest_dir(data_dir, "documents")
    parts = sorted(directory.glob("part-*.parquet")) if directory.exists() else []
    if len(parts) < min_parts:
        return 0
    table = pa.concat_tables([pq.read_table(p, schema=DOCUMENTS_SCHEMA) for p in parts])
    table = table.sort_by([("fetched_at", "ascending")])
    keep = _first_of_each_document(table)
    write_part(directory, table.take(keep).to_pylist(), DOCUMENTS_SCHEMA, "compacted")
    for part in parts:
        part.unlink()
    logger.info("compacted %d manifest parts into one (%d rows)", len(parts), len(keep))
    return len(parts)


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

    def add(self, row: dict[str, Any]) -> None:
        """Buffer a row and write the buffer here when it is due."""
        self.append(row)
        if self.due():
            self.flush()

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
    table = read_table(data_dir, "crawl_sources", SOURCES_SCHEMA)
    best: dict[str, int] = {}
    for row in table.to_pylist():
        best[row["source_id"]] = max(best.get(row["source_id"], 0), row["reports_listed"] or 0)
    return best


def source_status(data_dir: Path, run_id: str) -> list[dict[str, Any]]:
    """The crawl_sources rows of one run: each source's status at a glance."""
    table = read_table(data_dir, "crawl_sources", SOURCES_SCHEMA)
    return [row for row in table.to_pylist() if row["run_id"] == run_id]
