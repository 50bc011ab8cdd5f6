"""Requests a crawl does not fetch on purpose, counted per source with a reason.

A request dropped by a rule (robots.txt, the source's allowed domains, a WAF block, a crawl
limit) is not an error, but it is never silent either: each is counted in the crawl stats
under `source/<id>/dropped/<reason>`, with the first URL kept as an example, and the run's
crawl_sources row and `nianbao crawl` line report them.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector

# Drops that lose a document the source itself serves: they make an "ok" source "incomplete".
LOSSES = frozenset({"offsite_redirect", "offsite"})


class DroppedRequest(IgnoreRequest):
    """IgnoreRequest that says why, so the drop is counted under its reason."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def drop_reason(exc: BaseException) -> str:
    """The reason of an IgnoreRequest: ours carry one; Scrapy's robots.txt one says so."""
    if isinstance(exc, DroppedRequest):
        return exc.reason
    return "robots" if "robots.txt" in str(exc) else "ignored"


def dropped_key(source_id: str, reason: str) -> str:
    return f"source/{source_id}/dropped/{reason}"


def record_drop(stats: StatsCollector, source_id: str, reason: str, url: str, n: int = 1) -> None:
    """Count `n` requests of a source dropped for `reason`; keep the first URL as evidence."""
    stats.inc_value(dropped_key(source_id, reason), n)
    stats.inc_value(f"nianbao/dropped/{reason}", n)
    example = f"source/{source_id}/dropped_example/{reason}"
    if not stats.get_value(example):
        stats.set_value(example, url)


def dropped_by_reason(stats: dict, source_id: str) -> dict[str, int]:
    """A source's drops in a finished crawl's stats: reason -> count."""
    prefix = f"source/{source_id}/dropped/"
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def drop_example(stats: dict, source_id: str, reason: str) -> str | None:
    return stats.get(f"source/{source_id}/dropped_example/{reason}")
