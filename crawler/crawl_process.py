"""One crawl as its own process:
`python -m crawler.crawl_process --sources F --data-dir D --run-id R`.

Scrapy runs on a Twisted reactor that cannot be restarted, so every crawl is its own process
(crawler.runner starts it). After the crawl, this writes the run's crawl_runs, crawl_sources
and listings rows and prints a one-line JSON summary as the last line of standard output.
Exit code: 0 when the crawl finished and every monitor passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from crawler.lifeline import die_with_parent
from crawler.limits import truncated_key
from crawler.losses import LOSSES, drop_example, dropped_by_reason
from crawler.manifest import ROBOTS_FORBIDDEN, compact, write_listings, write_run
from crawler.monitors import FAILURES_KEY
from crawler.settings import crawl_settings, redis_settings
from crawler.sources import load_sources
from crawler.spiders.reports import ReportsSpider


def source_status(stats: dict[str, Any], sid: str) -> tuple[str, str | None]:
    """A source's status and what it rests on: blocked, truncated (a crawl limit), failed,
    incomplete (listed documents dropped), ok or empty."""
    listed = stats.get(f"source/{sid}/reports_listed", 0) or 0
    errors = stats.get(f"source/{sid}/errors", 0) or 0
    dropped = dropped_by_reason(stats, sid)
    lost = {reason: n for reason, n in dropped.items() if reason in LOSSES}
    drops = f"; dropped: {describe(dropped)}" if dropped else ""
    if stats.get(f"source/{sid}/blocked"):
        return "blocked", stats[f"source/{sid}/blocked"]
    if stats.get(truncated_key(sid)):
        return "truncated", stats[truncated_key(sid)] + drops
    if lost:
        reason = next(iter(lost))
        example = f" (e.g. {drop_example(stats, sid, reason)})"
        if listed:
            return "incomplete", f"{sum(lost.values())} requests lost{example}{drops}"
        return "failed", f"no reports listed: {reason}{example}{drops}"
    if listed:
        return "ok", drops.removeprefix("; ") or None
    if errors:
        return "failed", f"{errors} errors and no reports listed{drops}"
    if dropped.get("robots"):
        return "empty", f"{ROBOTS_FORBIDDEN}{drops}"
    return "empty", f"no reports listed{drops}"


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in counts.items())


def source_rows(stats: dict[str, Any], source_ids: list[str], run_id: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows = []
    for sid in source_ids:
        status, evidence = source_status(stats, sid)
        dropped = dropped_by_reason(stats, sid)
        rows.append(
            {
                "run_id": run_id,
                "source_id": sid,
                "status": status,
                "reports_listed": stats.get(f"source/{sid}/reports_listed", 0) or 0,
                "new_documents": stats.get(f"source/{sid}/new_documents", 0) or 0,
                "errors": stats.get(f"source/{sid}/errors", 0) or 0,
                "dropped": sum(dropped.values()),
                "dropped_by_reason": json.dumps(dropped),
                "evidence": evidence,
                "finished_at": now,
            }
        )
    return rows


def summarize(stats: dict[str, Any], sources: list[dict[str, Any]], run_id: str) -> dict[str, Any]:
    started = stats.get("start_time") or datetime.now(UTC)
    finished = stats.get("finish_time") or datetime.now(UTC)
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=UTC)
    errors_by_kind = {
        k.removeprefix("nianbao/errors/"): v
        for k, v in stats.items()
        if k.startswith("nianbao/errors/")
    }
    messages = list(stats.get(FAILURES_KEY) or [])
    blocked = {r["source_id"]: r["evidence"] for r in sources if r["status"] == "blocked"}
    failed = [r["source_id"] for r in sources if r["status"] == "failed"]
    # A limit or a loss is not a monitor failure, but the run says so for each source.
    told = {r["source_id"]: r for r in sources if r["status"] in ("truncated", "incomplete")}
    return {
        "run_id": run_id,
        "started_at": started,
        "finished_at": finished,
        "finish_reason": stats.get("finish_reason", "unknown"),
        "pages": stats.get("nianbao/report_pages", 0) + stats.get("nianbao/list_pages", 0),
        "reports": sum(r["reports_listed"] for r in sources),
        "attachments": stats.get("file_status_count/downloaded", 0),
        "new_documents": stats.get("nianbao/new_documents", 0),
        "changed_documents": stats.get("nianbao/changed_documents", 0),
        "requests": stats.get("downloader/request_count", 0),
        "errors": sum(errors_by_kind.values()),
        "errors_by_kind": errors_by_kind,
        "blocked_sources": sorted(blocked),
        "failed_sources": failed,
        "truncated_sources": sorted(s for s, r in told.items() if r["status"] == "truncated"),
        "incomplete_sources": sorted(s for s, r in told.items() if r["status"] == "incomplete"),
        "monitors_passed": not messages,
        "messages": messages
        + [f"source {sid} blocked: {ev}" for sid, ev in blocked.items()]
        + [f"source {sid} {r['status']}: {r['evidence']}" for sid, r in told.items()],
        "duration_s": (finished - started).total_seconds(),
        "stats": json.dumps(stats, default=str, ensure_ascii=False),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.crawl_process")
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--redis")
    parser.add_argument("--job", default="default")
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--settings-json", default="{}")
    args = parser.parse_args(argv)
    die_with_parent()

    sources = load_sources(args.sources)
    data_dir = args.data_dir.resolve()
    overrides: dict[str, Any] = {
        "NIANBAO_SOURCES": str(args.sources.resolve()),
        "NIANBAO_DATA_DIR": str(data_dir),
        "NIANBAO_RUN_ID": args.run_id,
        "FILES_STORE": str(data_dir),
    }
    if args.redis:
        overrides.update(redis_settings(args.redis, args.job))
    overrides.update(json.loads(args.settings_json))
    settings = crawl_settings(throttle=not args.no_throttle, overrides=overrides)

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ReportsSpider)
    process.crawl(crawler)
    # A crawl makes millions of short-lived objects and few cycles: keep what was built at
    # start-up out of the collector and let it run less often (about a tenth less CPU).
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    process.start()

    stats = dict(crawler.stats.get_stats())
    rows = source_rows(stats, [s.id for s in sources], args.run_id)
    run = summarize(stats, rows, args.run_id)
    write_run(data_dir, run, rows)
    write_listings(data_dir, args.run_id, crawler.spider.listings())
    compact(data_dir, "documents")
    public = {k: v for k, v in run.items() if k != "stats"}
    print(json.dumps(public, default=str, ensure_ascii=False), flush=True)
    ok = run["finish_reason"] == "finished" and run["monitors_passed"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
