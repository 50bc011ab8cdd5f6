"""A budget for the bytes all running downloads of one crawl process hold together.

DOWNLOAD_MAXSIZE caps one response, not their sum: sixteen parallel 95 MB pages held 1.9 GB.
Here every download counts against NIANBAO_MAX_BYTES_IN_FLIGHT from its headers on: its
Content-Length, or, when it sends none, UNKNOWN_SIZE_SHARE, which then becomes its size cap
(Scrapy's per-request `download_maxsize`). A new download waits while the budget is spent;
one that would take the total past it while others run, or outgrows its share, is stopped
and queued again, to start when nothing else runs, in the one lane allowed past the budget
(where only DOWNLOAD_MAXSIZE applies). So every document is still fetched, one large file at
a time. "In flight" is while downloading: a response handed to the spider no longer counts.
Sizes are read at the headers, not per chunk: a `bytes_received` handler costs CPU on every
chunk of every download.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, NotConfigured, StopDownload
from scrapy.http import Headers, Response
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFERRED = "nianbao_bytes_deferred"  # meta: stopped once for the budget; runs in the lane
SHARED = "nianbao_bytes_share"  # meta: its size was unknown and is capped at the share
UNKNOWN_SIZE_SHARE = 8 * 1024 * 1024
_POLL_SECONDS = 0.05


class BytesInFlightMiddleware:
    """Downloader middleware (order 950, next to the download) holding the budget."""

    def __init__(self, budget: int, stats: StatsCollector):
        self.budget = budget
        self.share = min(UNKNOWN_SIZE_SHARE, budget)
        self.stats = stats
        self.held: dict[Request, int] = {}  # running download -> bytes counted for it
        self.total = 0
        self.lane: Request | None = None  # the download allowed past the budget
        self.lane_waiting = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BytesInFlightMiddleware:
        budget = crawler.settings.getint("NIANBAO_MAX_BYTES_IN_FLIGHT")
        if budget <= 0:
            raise NotConfigured("NIANBAO_MAX_BYTES_IN_FLIGHT is 0: no budget")
        middleware = cls(budget, crawler.stats)
        crawler.signals.connect(middleware.on_headers, signal=signals.headers_received)
        return middleware

    def process_request(self, request: Request) -> Coroutine[Any, Any, None] | None:
        """None at once while the budget has room (most requests); else wait for it."""
        if request.meta.get(DEFERRED) or self.total >= self.budget or self.lane_waiting:
            return self._wait(request)
        self.held[request] = 0
        return None

    async def _wait(self, request: Request) -> None:
        if request.meta.get(DEFERRED):
            while self.lane is not None:
                await asyncio.sleep(_POLL_SECONDS)
            self.lane, self.lane_waiting = request, True
            while self.held:  # new downloads wait meanwhile, so the running ones drain
                await asyncio.sleep(_POLL_SECONDS)
            self.lane_waiting = False
        else:
            while self.total >= self.budget or self.lane_waiting:
                await asyncio.sleep(_POLL_SECONDS)
        self.held[request] = 0

    def on_headers(self, headers: Headers, body_length: int, request: Request, spider: Any) -> None:
        """Count the download's size, or stop it when it would pass the budget."""
        if request not in self.held:
            return
        lane = request is self.lane
        # Twisted's UNKNOWN_LENGTH is a string constant; Scrapy may pass it on as it is.
        size = body_length if isinstance(body_length, int) and body_length >= 0 else -1
        if size < 0 and not lane:  # no Content-Length: a share, and a cap to match
            size = self.share
            request.meta[SHARED] = True
            request.meta["download_maxsize"] = self.share
        # Beside the lane, whose size may not be known yet, nothing else may run: the two
        # could pass the budget whichever of their headers comes first.
        running_lane = self.lane is not None and self.lane in self.held
        if not lane and len(self.held) > 1 and (running_lane or self.total + size > self.budget):
            request.meta[DEFERRED] = True
            raise StopDownload(fail=True)
        self.held[request] = max(size, 0)
        self.total += self.held[request]
        if self.total > (self.stats.get_value("nianbao/bytes_in_flight_max") or 0):
            self.stats.set_value("nianbao/bytes_in_flight_max", self.total)

    def _release(self, request: Request) -> None:
        self.total -= self.held.pop(request, 0)
        if request is self.lane:
            self.lane = None

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        self._release(request)
        stopped = isinstance(exception, StopDownload) and request.meta.get(DEFERRED)
        outgrown = isinstance(exception, DownloadCancelledError) and request.meta.get(SHARED)
        if not (stopped or outgrown):
            return None
        self.stats.inc_value("nianbao/bytes_in_flight_deferred")
        logger.info("%s stopped for the bytes-in-flight budget: queued to run alone", request.url)
        meta = {k: v for k, v in request.meta.items() if k not in (SHARED, "download_maxsize")}
        meta[DEFERRED] = True
        return request.replace(dont_filter=True, priority=request.priority + 1, meta=meta)
