"""From the raw store and the crawler's manifests to the tables of the registry.

Incremental: a document is extracted only when no record of it, made by this extractor
version, is kept under DIR/state/records (one JSON per sha256, so a changed document is a
new key and an unchanged one costs nothing), and only new records are turned into rows
(DIR/state/rows, see `cache`). A new extractor version therefore re-reads every document
from the raw store, without crawling. The published tables are rebuilt from the kept
rows in a fixed order, so the result never depends on the order documents arrived in.
The reports are made whole (versions are numbered across all years); the cell tables
and checks one covered year at a time (`BuildResult.years`), so memory follows the
largest year, not the whole history.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import extract
from crawler.manifest import page_pictures, read_documents, read_table
from extract.extractor import extract_path, stored
from nianbao.common import atomic
from nianbao.datasets import divisions as dv
from nianbao.datasets import records as rec
from nianbao.datasets.cache import CELL_TABLES, RowCache, attach_reports, covered_years, of_year
from nianbao.datasets.changes import changes_table
from nianbao.datasets.coverage import coverage_table, division_codes_table, publishers_table
from nianbao.datasets.crosscheck import compared_cells, cross_year_checks
from nianbao.datasets.indicators import indicator_table
from nianbao.datasets.schema import Table
from nianbao.datasets.tables.crawl import CRAWL_RUNS, CRAWL_SOURCES, DOCUMENTS
from nianbao.datasets.tables.fields import LEVELS
from nianbao.datasets.tables.reports import CHECKS, REPORTS
from nianbao.extraction import IN_PROCESS, Progress, Workers, ordered_map

log = logging.getLogger(__name__)

# Best first when a report page and its attachments are all read: the one read best wins.
_STATUS_RANK = {"ok": 0, "partial": 1, "needs_ocr": 2, "unsupported": 3, "failed": 4}


@dataclass
class BuildResult:
    """What a build made and did. The cell tables and checks are not held: `years` makes
    them one covered year at a time from the row cache."""

    whole: dict[str, pa.Table]
    cache: RowCache
    documents: int = 0
    extracted: int = 0
    reused: int = 0
    extraction_failures: list[str] = field(default_factory=list)
    skipped_not_report: int = 0

    def years(self) -> Iterator[dict[str, pa.Table]]:
        """The cell tables, checks and indicators of one year at a time,
        oldest first and unknown year last. Once the last is made, `whole["reports"]`
        has its check counts (so a writer reads the whole tables after the years)."""
        reports = self.whole["reports"]
        counts = [check_counts(CHECKS.empty())]
        for cells in year_tables(reports, self.cache):
            counts.append(check_counts(cells["checks"]))
            yield cells
            del cells  # let this year go before the next is made
        self.whole["reports"] = with_check_counts(reports, pa.concat_tables(counts))


def records_dir(data_dir: Path) -> Path:
    return data_dir / "state" / "records"


def sources_file(data_dir: Path) -> Path:
    """The sources registry of the last run, kept so a rebuild knows divisions and levels."""
    return data_dir / "state" / "sources.json"


def load_documents(data_dir: Path) -> list[dict[str, Any]]:
    """Manifest rows, one per distinct document version (the crawler's own reader: rows
    written twice by overlapping crawls are read once), in a fixed order."""
    docs = read_documents(data_dir).to_pylist()
    docs.sort(key=lambda d: (d["source_id"] or "", d["url"], str(d["fetched_at"]), d["sha256"]))
    return docs


def _record_path(data_dir: Path, sha256: str) -> Path:
    return records_dir(data_dir) / sha256[:2] / f"{sha256}.json"


def _cached(data_dir: Path, sha256: str, version: str) -> dict[str, Any] | None:
    path = _record_path(data_dir, sha256)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return record if record.get("extractor_version") == version else None


def _store(data_dir: Path, sha256: str, record: dict[str, Any]) -> None:
    """Write-then-rename: a killed run never leaves half a record behind."""
    path = _record_path(data_dir, sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, json.dumps(record, ensure_ascii=False))


@dataclass(frozen=True)
class PagePictures:
    """The pictures a crawl stored for a page printed as pictures (the manifest's
    `pictures`): absolute paths by URL, and why the others are not there."""

    page_url: str
    files: dict[str, Path]
    failed: dict[str, str]

    @classmethod
    def of(cls, data_dir: Path, doc: dict[str, Any]) -> PagePictures | None:
        pictures = page_pictures(doc)
        if not pictures:
            return None
        files = {p["url"]: (data_dir / p["path"]).absolute() for p in pictures if p["path"]}
        failed = {p["url"]: p["error"] for p in pictures if not p["path"]}
        return cls(doc["url"], files, failed)


def extract_document(
    path: Path, sha256: str, source: str, pictures: PagePictures | None = None
) -> dict[str, Any]:
    """One document → record dict; any failure becomes a `failed` record, never a crash.

    A task of `extraction.ordered_map`: runs on a worker process, perhaps on another
    machine, so `path` is absolute; `source` is what the record names; a page printed as
    pictures is read from the `pictures` the crawl stored."""
    read = stored(pictures.page_url, pictures.files, pictures.failed) if pictures else None
    try:
        record = extract_path(path, source=source, pictures=read).to_dict()
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
        log.warning("extraction of %s failed: %s: %s", path, type(exc).__name__, exc)
        return failed_record(source, sha256, f"{type(exc).__name__}: {exc}")
    record["sha256"] = sha256
    record.setdefault("extractor_version", extract.__version__)
    return record


def failed_record(source: str, sha256: str, reason: str) -> dict[str, Any]:
    """The record of a document that could not be read at all, with the reason."""
    return {
        "source": source,
        "status": "failed",
        "error": reason,
        "sha256": sha256,
        "extractor_version": extract.__version__,
    }


@dataclass
class Extracted:
    """What `ensure_records` found: every record, and those that hold for this build only
    (not cached, so they are read again next run)."""

    records: dict[str, dict[str, Any]]
    extracted: int = 0  # read now, crashed ones included
    missing: set[str] = field(default_factory=set)  # raw file gone from the store
    crashed: set[str] = field(default_factory=set)  # the worker reading it died

    @property
    def this_build_only(self) -> set[str]:
        return self.missing | self.crashed


def ensure_records(
    data_dir: Path,
    docs: list[dict[str, Any]],
    *,
    force: bool = False,
    workers: Workers = IN_PROCESS,
) -> Extracted:
    """Records of every document, extracting only those not cached for this version, on
    `workers`; each record is kept as it arrives, so a run killed half-way loses nothing
    already read. A document whose worker died is `failed` and not kept: the death may
    have been another document's doing (memory), so it is tried again next run."""
    version = extract.__version__
    found = Extracted({})
    todo: dict[str, Path] = {}
    pictures: dict[str, PagePictures | None] = {}
    for doc in docs:
        sha = doc["sha256"]
        if sha in found.records or sha in todo:
            continue
        cached = None if force else _cached(data_dir, sha, version)
        path = data_dir / (doc["path"] or "")
        if cached is not None:
            found.records[sha] = cached
        elif not doc["path"] or not path.is_file():
            found.records[sha] = _missing(data_dir, sha, path)
            found.missing.add(sha)
        else:
            todo[sha] = path
            pictures[sha] = PagePictures.of(data_dir, doc)
    if not todo:
        return found

    def crashed(task: tuple[Path, str, str, PagePictures | None], reason: str) -> dict[str, Any]:
        _, sha, source, _ = task
        found.crashed.add(sha)
        return failed_record(source, sha, reason)

    log.info("extracting %d new or changed documents", len(todo))
    tasks = [(todo[sha].absolute(), sha, str(todo[sha]), pictures[sha]) for sha in sorted(todo)]
    with Progress(len(tasks)) as progress:
        for record in ordered_map(extract_document, tasks, workers, crashed):
            sha = record["sha256"]
            if sha not in found.crashed:
                _store(data_dir, sha, record)
            found.records[sha] = record
            progress.advance(record.get("pages"))
    log.info("extracted %s", progress.rates())
    found.extracted = len(tasks)
    return found


def _missing(data_dir: Path, sha: str, path: Path) -> dict[str, Any]:
    """A raw file gone from the store: failed now, not cached, so it is read when back."""
    log.warning("raw file %s of document %s is missing", path, sha)
    reason = f"raw file missing from the store: {path.relative_to(data_dir)}"
    return failed_record(str(path), sha, reason)


def load_saved_sources(data_dir: Path) -> dict[str, dict[str, Any]]:
    path = sources_file(data_dir)
    if not path.exists():
        return {}
    return {s["id"]: s for s in json.loads(path.read_text(encoding="utf-8"))}


def save_sources(data_dir: Path, sources: list[dict[str, Any]]) -> None:
    path = sources_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, json.dumps(sources, ensure_ascii=False, default=str))


def _score(doc: dict[str, Any], summary: dict[str, Any]) -> tuple:
    return (
        _STATUS_RANK.get(summary["status"], 9),
        -summary["cells"],
        0 if doc["kind"] == "attachment" else 1,
        doc["url"],
    )


def choose_report_documents(
    docs: list[dict[str, Any]], summaries: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The documents that are reports: per report page, every version of the URL read best.

    A report page and its attachments often carry the same report; the one whose latest
    version has the best status and the most cells is the one read. Pages that are no
    report at all (工作要点, 通知 …) are left out. Returns (documents, groups skipped)."""
    by_page: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for doc in docs:
        page = doc["page_url"] or doc["url"]
        by_page[(doc["source_id"] or "", page)][doc["url"]].append(doc)
    chosen: list[dict[str, Any]] = []
    skipped = 0
    seen: set[str] = set()
    for key in sorted(by_page):
        versions_by_url = by_page[key]
        latest = {url: versions[-1] for url, versions in versions_by_url.items()}
        best_url = min(latest, key=lambda u: _score(latest[u], summaries[latest[u]["sha256"]]))
        if summaries[latest[best_url]["sha256"]]["status"] == "not_report":
            skipped += 1
            continue
        for doc in versions_by_url[best_url]:
            if doc["sha256"] not in seen:  # the same bytes listed twice are one report
                seen.add(doc["sha256"])
                chosen.append(doc)
    return chosen, skipped


def _agency(doc: dict[str, Any], summary: dict[str, Any], source: dict[str, Any]) -> str:
    return summary["agency_name"] or doc.get("agency") or source.get("name") or doc["source_id"]


def report_row(
    doc: dict[str, Any], summary: dict[str, Any], source: dict[str, Any]
) -> dict[str, Any]:
    """The reports row of one document read (`summary`: `records.summary_row`); version
    numbers and check counts come later."""
    agency = _agency(doc, summary, source)
    # the unit's current code: an agency keeps its id when its division is recoded
    scope = dv.current_code(source.get("division_code")) or doc.get("source_id") or ""
    return {
        "report_id": rec.report_id(doc["sha256"]),
        "agency_id": rec.agency_id(scope, agency),
        "agency_name": agency,
        "source_id": doc.get("source_id"),
        "source_name": source.get("name"),
        "division_code": source.get("division_code"),
        "level": source.get("level") if source.get("level") in LEVELS else None,
        "year": summary["year"] or rec.plausible_year(doc.get("year")),
        "title": summary["title"] or doc.get("title"),
        "status": summary["status"],
        "error": summary["error"],
        "proactive_format": summary["proactive_format"],
        "applications_format": summary["applications_format"],
        "review_litigation_format": summary["review_litigation_format"],
        "page_url": doc.get("page_url") or doc["url"],
        "url": doc["url"],
        "document_kind": doc.get("kind"),
        "reader": summary["reader"],
        "ocr_engine": summary["ocr_engine"],
        "sha256": doc["sha256"],
        "bytes": doc.get("bytes"),
        "published_date": summary["published_date"] or doc.get("published_date"),
        "fetched_at": doc.get("fetched_at"),
        "index_no": doc.get("index_no"),
        "doc_no": doc.get("doc_no"),
        "extractor_version": summary["extractor_version"] or extract.__version__,
        "cells": summary["cells"],
        "checks": summary["checks"],
        "failed_checks": 0,
        "version": 1,
        "is_latest": True,
        "warnings": summary["warnings"],
    }


def _number_versions(rows: list[dict[str, Any]]) -> None:
    """Version 1, 2, … per agency and year, by fetch time then bytes; the last is latest."""
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["agency_id"], row["year"])].append(row)
    for group in groups.values():
        group.sort(key=lambda r: (str(r["fetched_at"]), str(r["published_date"]), r["report_id"]))
        for number, row in enumerate(group, start=1):
            row["version"] = number
            row["is_latest"] = number == len(group)


def reports_table(
    docs: list[dict[str, Any]],
    summaries: dict[str, dict[str, Any]],
    sources: dict[str, dict[str, Any]],
) -> tuple[pa.Table, int]:
    """The reports, versions numbered across all years, check counts not yet filled in.

    Returns (reports, report pages skipped as not reports)."""
    chosen, skipped = choose_report_documents(docs, summaries)
    report_rows = [
        report_row(doc, summaries[doc["sha256"]], sources.get(doc["source_id"]) or {})
        for doc in chosen
    ]
    _number_versions(report_rows)
    # Reports in the on-disk order of the cell tables (year, report): no re-sort of millions.
    report_rows.sort(key=lambda r: (r["year"] is None, r["year"] or 0, r["report_id"]))
    return pa.Table.from_pylist(report_rows, schema=REPORTS.schema), skipped


def year_tables(reports: pa.Table, cache: RowCache) -> Iterator[dict[str, pa.Table]]:
    """The cell tables, checks and indicators of one covered year at a time (see
    `BuildResult.years`): each year's rows are read from the row cache alone; of the year
    before only the cells the cross-year checks compare are kept."""
    before = None
    for year in covered_years(reports["year"]):
        of_this = of_year(reports, year)
        owners = of_this.select(["sha256", "report_id", "agency_id", "year"])
        cells = {
            name: attach_reports(name, cache.read(name, owners["sha256"]), owners)
            for name in CELL_TABLES
        }
        compared = compared_cells(cells["proactive"], cells["applications"], of_this)
        cross = cross_year_checks(before, compared) if before is not None else CHECKS.empty()
        cells["checks"] = pa.concat_tables([CHECKS.conform(cells["checks"]), cross])
        cells["indicators"] = indicator_table(cells)
        before = compared
        yield cells
        del cells  # let this year go before the next is made


def check_counts(checks: pa.Table) -> pa.Table:
    """Checks and failed checks per report: report_id, failed_count, failed_sum."""
    failed = pc.cast(pc.invert(checks["passed"]), pa.int32())
    table = pa.table({"report_id": checks["report_id"], "failed": failed})
    return table.group_by("report_id").aggregate([("failed", "count"), ("failed", "sum")])


def with_check_counts(reports: pa.Table, counts: pa.Table) -> pa.Table:
    """`reports` with every check (in the report and across years) counted on its report."""
    ids = reports["report_id"]
    for column, value in (("checks", "failed_count"), ("failed_checks", "failed_sum")):
        found = _lookup(ids, counts["report_id"], counts[value])
        reports = reports.set_column(reports.schema.get_field_index(column), column, found)
    return reports


def _lookup(ids: pa.ChunkedArray, keys: pa.ChunkedArray, values: pa.ChunkedArray) -> pa.Array:
    index = pc.index_in(ids, value_set=keys.combine_chunks())
    found = pc.take(values.combine_chunks(), index)
    return pc.cast(pc.fill_null(found, 0), pa.int32())


def crawler_tables(data_dir: Path, docs: list[dict[str, Any]]) -> dict[str, pa.Table]:
    """documents, crawl_runs and crawl_sources as the registry declares them."""
    out = {}
    rows = [_declared(DOCUMENTS, doc) for doc in docs]
    for row in rows:
        row["year"] = rec.plausible_year(row["year"])  # a crawler's guess, never a blocker
    out["documents"] = pa.Table.from_pylist(rows, schema=DOCUMENTS.schema)
    for table in (CRAWL_RUNS, CRAWL_SOURCES):
        out[table.name] = _fit(table, read_table(data_dir, table.name))
    return out


def _fit(table: Table, raw: pa.Table) -> pa.Table:
    """Keep the declared columns of a crawler table (see `_declared`)."""
    rows = [_declared(table, row) for row in raw.to_pylist()]
    return pa.Table.from_pylist(rows, schema=table.schema)


def _declared(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The declared columns of a manifest row; lists and mappings become JSON text."""
    out = {}
    for name in table.column_names:
        value = row.get(name)
        if table.field(name).type == "string" and isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        out[name] = value
    return out


def build(data_dir: Path, *, force: bool = False, workers: Workers = IN_PROCESS) -> BuildResult:
    """The reports, crawler, publishers, coverage and changes tables, and the row cache the
    other tables are made from one year at a time (nothing is written but the record and
    row caches; `publish` writes)."""
    data_dir = Path(data_dir)
    docs = load_documents(data_dir)
    crawled = crawler_tables(data_dir, docs)
    shas = {doc["sha256"] for doc in docs}
    cache = RowCache.empty() if force else RowCache.load(data_dir, extract.__version__)
    cached = cache.shas
    new_docs = [doc for doc in docs if doc["sha256"] not in cached]
    found = ensure_records(data_dir, new_docs, force=force, workers=workers)
    records, only_now = found.records, found.this_build_only
    if records or cached - shas:
        kept = cache.merge(RowCache.from_records(records), keep=shas - only_now).save(data_dir)
        # documents whose raw file is missing or whose worker died take part in this build only
        cache = kept.merge(RowCache.from_records({s: records[s] for s in only_now}), keep=shas)
    summaries = cache.summaries()
    sources = load_saved_sources(data_dir)
    reports, skipped = reports_table(docs, summaries, sources)
    listings = read_table(data_dir, "listings")
    crawled |= {
        "publishers": publishers_table(sources),
        "division_codes": division_codes_table(),
        "coverage": coverage_table(
            reports, sources, crawled["crawl_sources"], crawled["crawl_runs"]
        ),
        "changes": changes_table(reports, docs, cache, listings, crawled),
    }
    failures = sorted(
        f"{doc['url']}: {summaries[doc['sha256']]['error']}"
        for doc in docs
        if summaries[doc["sha256"]]["status"] == "failed"
    )
    return BuildResult(
        whole={"reports": reports, **crawled},
        cache=cache,
        documents=len(docs),
        extracted=found.extracted,
        reused=len(shas) - found.extracted - len(found.missing),
        extraction_failures=failures,
        skipped_not_report=skipped,
    )
