"""Write a release of every table, then switch readers to it in one step.

Layout under the data directory:
  releases/<id>.partial/   a release being written (left behind by a killed run, removed
                           by the next one)
  releases/<id>/           a complete release: <table>/year=YYYY/part-0.parquet,
                           datapackage.json, release.json
  datasets -> releases/<id>   the symlink readers open, swapped with os.replace (atomic
                           on POSIX), so a reader sees the old release or the new one,
                           never half of one; a failed run never touches it.
  state/run.lock           held by every writer of the data directory (nianbao.lock).
A file identical to the one in the current release is hard-linked to it, so an
unchanged table costs no space and keeps its inode.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nianbao.common import atomic
from nianbao.datasets.dictionary import datapackage
from nianbao.datasets.registry import TABLES
from nianbao.datasets.schema import Table

log = logging.getLogger(__name__)

KEEP_RELEASES = 3
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


class PublishError(RuntimeError):
    """The data directory cannot take a release (a foreign `datasets` directory, say)."""


def datasets_link(data_dir: Path) -> Path:
    return Path(data_dir) / "datasets"


def releases_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "releases"


def current_release(data_dir: Path) -> Path | None:
    """The release readers see now, resolved (so a session keeps reading one release)."""
    link = datasets_link(data_dir)
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(table: pa.Table, path: Path, previous: Path | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=1 << 20)
    if previous is not None and previous.exists() and _sha256(previous) == _sha256(path):
        with atomic.replacing(path) as tmp:
            os.link(previous, tmp)
    else:
        _fsync(path)


def write_table(
    spec: Table, table: pa.Table, release: Path, previous: Path | None
) -> list[tuple[str, int | None]]:
    """Validate, sort and write one table, one file per year; returns (relative path, year)."""
    table = spec.prepare(table)
    base = release / spec.name
    written: list[tuple[str, int | None]] = []
    if spec.partition_by is None or table.num_rows == 0:
        parts: list[tuple[str, int | None, pa.Table]] = [("part-0.parquet", None, table)]
    else:
        # Rows are sorted by year first, so each year is one contiguous slice.
        column = table[spec.partition_by]
        counts = pc.value_counts(column).to_pylist()
        order = sorted(counts, key=lambda c: (c["values"] is None, c["values"] or 0))
        parts, offset = [], 0
        for entry in order:
            value, n = entry["values"], entry["counts"]
            folder = NULL_PARTITION if value is None else str(value)
            rel = f"{spec.partition_by}={folder}/part-0.parquet"
            parts.append((rel, value, table.slice(offset, n)))
            offset += n
    for rel, year, part in parts:
        old = previous / spec.name / rel if previous is not None else None
        _write_file(part, base / rel, old)
        written.append((f"{spec.name}/{rel}", year))
    return written


def publish(
    tables: dict[str, pa.Table],
    data_dir: Path,
    meta: dict[str, Any] | None = None,
    *,
    years: Iterable[dict[str, pa.Table]] = (),
) -> Path:
    """Write every registry table into a new release and make it current.

    `years` gives partitioned tables one covered year at a time (oldest first, unknown
    year last), each written and let go before the next; `tables` is read after them, so
    it may hold what they complete. A table in neither is written empty. The caller holds
    `nianbao.lock.writer_lock`. Raises `SchemaError` before anything is switched when a
    table breaks the registry."""
    data_dir = Path(data_dir)
    root = releases_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    _remove_partials(root)
    previous = current_release(data_dir)
    release_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = root / f"{release_id}.partial"
    staging.mkdir()
    files: dict[str, list[tuple[str, int | None]]] = {name: [] for name in TABLES}
    for part in years:
        for name in part:
            if part[name].num_rows:  # an empty year has no partition, as in a whole table
                files[name] += write_table(TABLES[name], part[name], staging, previous)
        del part  # let this year go before the next is made
    for name, spec in TABLES.items():
        table = tables.get(name)
        if table is not None or not files[name]:
            table = spec.empty() if table is None else table
            files[name] += write_table(spec, table, staging, previous)
    package = datapackage(files)
    (staging / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    info = {"release": release_id, **(meta or {})}
    (staging / "release.json").write_text(
        json.dumps(info, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    final = root / release_id
    os.replace(staging, final)
    switch(data_dir, final)
    _prune(root, keep=final)
    log.info("published release %s", release_id)
    return final


def switch(data_dir: Path, release: Path) -> None:
    """Point `datasets` at `release` atomically (a new symlink renamed over the old)."""
    link = datasets_link(data_dir)
    if link.exists() and not link.is_symlink():
        raise PublishError(f"{link} is a directory, not a release link: move it away first")
    with atomic.replacing(link) as tmp:
        os.symlink(os.path.relpath(release, link.parent), tmp)
    fd = os.open(link.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def mirror(data_dir: Path, url: str) -> str:
    """Copy the current release to an fsspec URL (s3://bucket/prefix with s3fs installed,
    gs://, file://, …): its files under URL/releases/<id>/, then URL/CURRENT, one object
    written last, names it. Object stores have no symlinks; readers there read CURRENT
    first, so an interrupted copy leaves them on the previous release."""
    release = current_release(Path(data_dir))
    if release is None:
        raise PublishError(f"nothing published under {data_dir} to mirror")
    fs, root = fsspec.core.url_to_fs(url)
    root = root.rstrip("/")
    target = f"{root}/releases/{release.name}"
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        dest = f"{target}/{path.relative_to(release).as_posix()}"
        fs.makedirs(dest.rsplit("/", 1)[0], exist_ok=True)
        fs.put_file(str(path), dest)
    with fs.open(f"{root}/CURRENT", "w") as fh:
        fh.write(release.name + "\n")
    log.info("mirrored release %s to %s", release.name, url)
    return f"{url.rstrip('/')}/releases/{release.name}"


def _remove_partials(root: Path) -> None:
    for stale in root.glob("*.partial"):
        log.warning("removing %s left by an interrupted run", stale)
        shutil.rmtree(stale, ignore_errors=True)


def _prune(root: Path, keep: Path) -> None:
    """Keep the newest releases: readers that opened an older one a moment ago still can."""
    releases = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
    for old in releases[:-KEEP_RELEASES]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
