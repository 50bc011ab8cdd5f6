"""One run: crawl → extract what is new → build every dataset → publish atomically.

`run` is what `nianbao run` and `nianbao nightly` call; `rebuild` is the same without
the crawl (a new extractor version re-reads the raw store). Both hold the data
directory's lock for the whole run and return a `RunSummary` instead of raising, so
the scheduled job can always write its one-paragraph report and exit code.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import extract
from nianbao.datasets.build import build, save_sources
from nianbao.datasets.release import current_release, mirror, publish
from nianbao.datasets.schema import SchemaError
from nianbao.extraction import IN_PROCESS, ClusterError, Workers
from nianbao.lock import LockHeld, writer_lock

log = logging.getLogger(__name__)


def bundled_sources() -> Path:
    """The sources registry shipped with the crawler."""
    import crawler  # see `run` for why the crawler is imported late

    return Path(crawler.__file__).parent / "sources.yaml"


@dataclass
class RunSummary:
    """What a run did, for people (`paragraph`) and for machines (`to_dict`)."""

    started_at: str
    ok: bool = False
    error: str | None = None
    crawl_run_id: str | None = None
    crawl_finish_reason: str | None = None
    monitors_passed: bool = True
    new_documents: int = 0
    changed_documents: int = 0
    blocked_sources: list[str] = field(default_factory=list)
    failed_sources: list[str] = field(default_factory=list)
    truncated_sources: list[str] = field(default_factory=list)
    incomplete_sources: list[str] = field(default_factory=list)
    documents: int = 0
    extracted: int = 0
    reused: int = 0
    extraction_failures: list[str] = field(default_factory=list)
    reports: int = 0
    new_reports: list[str] = field(default_factory=list)
    changed_reports: list[str] = field(default_factory=list)
    failed_reports: list[str] = field(default_factory=list)
    reports_failing_checks: int = 0
    failed_checks: int = 0
    withdrawn_reports: list[str] = field(default_factory=list)
    changed_cells: int = 0
    release: str | None = None
    mirrored_to: str | None = None
    log_file: str | None = None

    @property
    def exit_code(self) -> int:
        """1 when the run failed or the crawl's monitors say a source broke."""
        return 0 if self.ok and self.monitors_passed else 1

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "exit_code": self.exit_code}

    def paragraph(self) -> str:
        if not self.ok:
            head = f"nianbao run started {self.started_at} FAILED: {self.error}."
            kept = " The previously published datasets are unchanged."
            return head + kept + (f" Log: {self.log_file}." if self.log_file else "")
        parts = [f"nianbao run started {self.started_at} finished."]
        if self.crawl_run_id:
            parts.append(
                f"Crawl {self.crawl_run_id} ({self.crawl_finish_reason}): "
                f"{self.new_documents} new and {self.changed_documents} changed documents;"
                f" blocked sources: {', '.join(self.blocked_sources) or 'none'};"
                f" failed sources: {', '.join(self.failed_sources) or 'none'};"
                f" truncated by a crawl limit: {', '.join(self.truncated_sources) or 'none'};"
                f" incomplete: {', '.join(self.incomplete_sources) or 'none'}"
                + ("" if self.monitors_passed else "; crawl monitors FAILED")
                + "."
            )
        else:
            parts.append("No crawl (rebuild from the raw store).")
        parts.append(
            f"{self.documents} documents, {self.extracted} extracted now, {self.reused} reused"
            f" from earlier runs, {len(self.extraction_failures)} failed to extract."
        )
        parts.append(
            f"{self.reports} report versions: {len(self.new_reports)} new,"
            f" {len(self.changed_reports)} changed, {len(self.failed_reports)} with status failed;"
            f" {self.reports_failing_checks} reports fail {self.failed_checks} checks."
        )
        parts.append(
            f"After publication: {len(self.withdrawn_reports)} reports withdrawn,"
            f" {self.changed_cells} cells changed by new versions."
        )
        parts.append(f"Published release {self.release}." if self.release else "")
        if self.mirrored_to:
            parts.append(f"Mirrored to {self.mirrored_to}.")
        if self.log_file:
            parts.append(f"Log: {self.log_file}.")
        return " ".join(p for p in parts if p)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _diff_reports(summary: RunSummary, old: pa.Table | None, new: pa.Table) -> None:
    """New: an agency-year never seen; changed: a new version of a known agency-year."""
    old_ids: set[str] = set()
    old_keys: set[tuple] = set()
    if old is not None:
        old_ids = set(old["report_id"].to_pylist())
        old_keys = set(zip(old["agency_id"].to_pylist(), old["year"].to_pylist(), strict=True))
    for rid, aid, year in zip(
        new["report_id"].to_pylist(),
        new["agency_id"].to_pylist(),
        new["year"].to_pylist(),
        strict=True,
    ):
        if rid in old_ids:
            continue
        (summary.changed_reports if (aid, year) in old_keys else summary.new_reports).append(rid)
    summary.new_reports.sort()
    summary.changed_reports.sort()


def _previous_reports(data_dir: Path) -> pa.Table | None:
    release = current_release(data_dir)
    if release is None:
        return None
    import pyarrow.dataset as ds

    return ds.dataset(release / "reports", format="parquet").to_table(
        columns=["report_id", "agency_id", "year"]
    )


def _build_and_publish(
    summary: RunSummary,
    data_dir: Path,
    *,
    force: bool,
    workers: Workers,
    publish_to: str | None = None,
) -> None:
    result = build(data_dir, force=force, workers=workers)
    reports = result.whole["reports"]
    summary.documents = result.documents
    summary.extracted = result.extracted
    summary.reused = result.reused
    summary.extraction_failures = result.extraction_failures
    summary.reports = reports.num_rows
    summary.failed_reports = sorted(
        reports.filter(pc.equal(reports["status"], "failed"))["report_id"].to_pylist()
    )
    _diff_reports(summary, _previous_reports(data_dir), reports)
    changes = result.whole["changes"]
    kinds = changes["kind"].to_pylist()
    summary.withdrawn_reports = sorted(
        rid for rid, kind in zip(changes["report_id"].to_pylist(), kinds, strict=True)
        if kind == "withdrawn"
    )  # fmt: skip
    summary.changed_cells = sum(kind.startswith("cell_") for kind in kinds)
    meta = {
        "extractor_version": extract.__version__,
        "crawl_run_id": summary.crawl_run_id,
        "documents": summary.documents,
        "reports": summary.reports,
    }
    summary.release = publish(result.whole, data_dir, meta, years=result.years()).name
    # check counts are complete once every year is written; each check counts on one report
    reports = result.whole["reports"]
    summary.failed_checks = int(pc.sum(reports["failed_checks"]).as_py() or 0)
    summary.reports_failing_checks = int(
        pc.sum(pc.greater(reports["failed_checks"], 0)).as_py() or 0
    )
    if publish_to:
        summary.mirrored_to = mirror(data_dir, publish_to)


def _guarded(summary: RunSummary, data_dir: Path, work: Any, wait: float) -> RunSummary:
    """Hold the data directory's lock around `work` (waiting up to `wait` seconds for it);
    any failure leaves the published data as it was."""
    try:
        with writer_lock(data_dir, wait):
            work()
            summary.ok = True
    except (LockHeld, ClusterError) as exc:
        summary.error = str(exc)
    except SchemaError as exc:
        summary.error = f"a table broke the schema registry, nothing published: {exc}"
    except Exception as exc:  # noqa: BLE001 - reported in the summary and the exit code
        log.exception("run failed")
        summary.error = f"{type(exc).__name__}: {exc}"
    log.info("%s", summary.paragraph())
    return summary


def run(
    data_dir: Path,
    sources: Path | None = None,
    *,
    crawl_options: dict[str, Any] | None = None,
    workers: Workers = IN_PROCESS,
    publish_to: str | None = None,
    wait: float = 0,
) -> RunSummary:
    """Crawl `sources` (default: the bundled registry) into `data_dir`, then build and publish
    (and mirror the release to the fsspec URL `publish_to`, e.g. s3://bucket/nianbao).
    `wait`: seconds to wait for another writer of `data_dir` (see `nianbao.lock`)."""
    # imported here, not at the top: the crawler pulls in Scrapy, which every other
    # `nianbao` command (query, show, export …) would otherwise pay for at start-up
    from crawler.runner import run_crawl
    from crawler.sources import load_sources

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    sources_path = Path(sources) if sources is not None else bundled_sources()
    summary = RunSummary(started_at=_now())

    def work() -> None:
        registry = [s.to_dict() for s in load_sources(sources_path)]
        crawl = run_crawl(registry, data_dir, **(crawl_options or {}))
        summary.crawl_run_id = crawl.run_id
        summary.crawl_finish_reason = crawl.finish_reason
        summary.monitors_passed = bool(crawl.monitors_passed)
        summary.new_documents = crawl.new_documents
        summary.changed_documents = crawl.changed_documents
        summary.blocked_sources = sorted(crawl.blocked_sources)
        summary.failed_sources = sorted(crawl.failed_sources)
        summary.truncated_sources = sorted(crawl.truncated_sources)
        summary.incomplete_sources = sorted(crawl.incomplete_sources)
        save_sources(data_dir, registry)
        _build_and_publish(summary, data_dir, force=False, workers=workers, publish_to=publish_to)

    return _guarded(summary, data_dir, work, wait)


def rebuild(
    data_dir: Path, *, force: bool = False, workers: Workers = IN_PROCESS, wait: float = 0
) -> RunSummary:
    """Re-extract from the raw store what this extractor version has not read, rebuild every
    dataset and publish — no crawling. `force` re-extracts every document."""
    data_dir = Path(data_dir)
    summary = RunSummary(started_at=_now())
    return _guarded(
        summary,
        data_dir,
        lambda: _build_and_publish(summary, data_dir, force=force, workers=workers),
        wait,
    )


def nightly(
    data_dir: Path,
    sources: Path | None = None,
    *,
    crawl_options: dict[str, Any] | None = None,
    workers: Workers = IN_PROCESS,
    publish_to: str | None = None,
    wait: float = 0,
) -> RunSummary:
    """`run` with its log written to DATA_DIR/logs/nightly-<UTC time>.log."""
    data_dir = Path(data_dir)
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / f"nightly-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(min(old_level or logging.WARNING, logging.INFO))
    try:
        summary = run(
            data_dir,
            sources,
            crawl_options=crawl_options,
            workers=workers,
            publish_to=publish_to,
            wait=wait,
        )
        summary.log_file = str(log_file)
        log.info("summary: %s", summary.paragraph())
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    return summary
