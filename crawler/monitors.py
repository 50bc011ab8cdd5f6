"""Spidermon monitors that make silent breakage loud.

A source that listed reports in an earlier run and lists none now (a redesign, a moved
column, a block) fails the run with a message naming it; so does an error count or rate past
the threshold. The failures are stored in the crawl stats under `nianbao/monitor_failures`,
from which the runner sets the exit code and the run record.
"""

from __future__ import annotations

from pathlib import Path

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action

from crawler.manifest import previous_reports_listed

FAILURES_KEY = "nianbao/monitor_failures"
MIN_REQUESTS_FOR_RATE = 20


def error_count(stats: dict) -> int:
    return sum(v for k, v in stats.items() if k.startswith("nianbao/errors/"))


@monitors.name("Sources")
class SourcesMonitor(Monitor):
    @monitors.name("every source that had reports still lists some")
    def test_sources_not_empty(self) -> None:
        crawler = self.data.crawler
        data_dir = Path(crawler.settings.get("NIANBAO_DATA_DIR"))
        before = previous_reports_listed(data_dir)
        stats = self.data.stats
        lost = []
        for source in crawler.spider.sources:
            now = stats.get(f"source/{source.id}/reports_listed", 0) or 0
            if before.get(source.id, 0) > 0 and now == 0:
                blocked = stats.get(f"source/{source.id}/blocked")
                why = f"blocked: {blocked}" if blocked else f"list {source.url}"
                lost.append(
                    f"source {source.id} ({source.name}) listed {before[source.id]} reports "
                    f"before and none now ({why})"
                )
        if lost:
            self.fail("; ".join(lost))


@monitors.name("Errors")
class ErrorsMonitor(Monitor):
    @monitors.name("errors stay under the threshold")
    def test_errors_under_threshold(self) -> None:
        settings = self.data.crawler.settings
        stats = self.data.stats
        errors = error_count(stats)
        requests = stats.get("downloader/request_count", 0) or 0
        limit = settings.getint("NIANBAO_MAX_ERRORS")
        rate_limit = settings.getfloat("NIANBAO_MAX_ERROR_RATE")
        rate = errors / requests if requests else 0.0
        worst = sorted(
            (
                (stats.get(f"source/{s.id}/errors", 0) or 0, s.id)
                for s in self.data.crawler.spider.sources
            ),
            reverse=True,
        )[:3]
        named = ", ".join(f"{sid} ({n})" for n, sid in worst if n)
        if errors > limit:
            self.fail(f"{errors} errors > {limit}; most from {named}")
        if requests >= MIN_REQUESTS_FOR_RATE and rate > rate_limit:
            self.fail(f"error rate {rate:.0%} > {rate_limit:.0%}; most from {named}")


class RecordFailures(Action):
    """Keeps each failed monitor's message in the stats for the runner."""

    def run_action(self) -> None:
        messages = [
            f"{result.monitor.name}: {result.reason}"
            for result in self.result.monitors_failed_results
        ]
        self.data.crawler.stats.set_value(FAILURES_KEY, messages)


class CrawlHealthSuite(MonitorSuite):
    monitors = [SourcesMonitor, ErrorsMonitor]
    monitors_failed_actions = [RecordFailures]
