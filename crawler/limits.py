"""Crawl limits every source obeys: list pages, list depth and requests per list page.

A portal can list without end (a 下一页 that always links one more page) or announce more
than it holds (Hanweb `totalRecord: 100000, perPage: 1`). The spider asks a `ListBudget`
before it queues a request from a list page; what a limit refuses is not fetched and the
source ends `truncated`, its evidence naming the limit, its value and the first URL refused.
Defaults are Scrapy settings (docs/faults.md); a registry row may set its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from scrapy.settings import BaseSettings, Settings
from scrapy.statscollectors import StatsCollector

from crawler.losses import record_drop
from crawler.settings import BASE
from crawler.sources import Source

logger = logging.getLogger(__name__)

# limit -> setting that holds its default; a registry row overrides it with `max_<limit>`
# (crawler.sources.LIMIT_KEYS).
SETTINGS = {
    "list_pages": "NIANBAO_MAX_LIST_PAGES",
    "list_depth": "NIANBAO_MAX_LIST_DEPTH",
    "requests_per_list_page": "NIANBAO_MAX_REQUESTS_PER_LIST_PAGE",
}


@dataclass(frozen=True)
class Limits:
    """How far one source's lists are followed."""

    list_pages: int  # list requests (pages, API pages, sub-columns) per source and run
    list_depth: int  # sub-column hops below the registry URL
    requests_per_list_page: int  # report and list requests queued from one list reply

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Limits:
        return cls(**{name: settings.getint(setting) for name, setting in SETTINGS.items()})

    @classmethod
    def defaults(cls) -> Limits:
        return cls.from_settings(Settings(BASE))

    def for_source(self, source: Source) -> Limits:
        """These limits with the source's own `max_<limit>` values where it has them."""
        own = {name: getattr(source, f"max_{name}") for name in SETTINGS}
        return replace(self, **{k: v for k, v in own.items() if v is not None})


def truncated_key(source_id: str) -> str:
    return f"source/{source_id}/truncated"


@dataclass
class ListBudget:
    """One source's list requests so far in this crawl process, and the first limit hit."""

    source_id: str
    limits: Limits
    issued: set[tuple[str, str, str]] = field(default_factory=set)

    def admit_list(self, url: str, method: str = "GET", body: str | None = None) -> bool:
        """Whether one more list request fits (a request already issued costs nothing)."""
        key = (method, url, body or "")
        if key in self.issued:
            return True
        if len(self.issued) >= self.limits.list_pages:
            return False
        self.issued.add(key)
        return True

    def hit(self, stats: StatsCollector, limit: str, url: str, refused: int = 1) -> None:
        """Record that `limit` refused `refused` requests; the first hit is the evidence."""
        value = getattr(self.limits, limit)
        record_drop(stats, self.source_id, f"limit_{limit}", url, refused)
        if not stats.get_value(truncated_key(self.source_id)):
            evidence = f"{limit} limit {value} reached at {url}"
            stats.set_value(truncated_key(self.source_id), evidence)
            logger.warning("source %s truncated: %s", self.source_id, evidence)
