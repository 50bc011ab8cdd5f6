"""A budget for the bytes all running downloads of one crawl process hold together.

DOWNLOAD_MAXSIZE caps one response, not their sum: sixteen parallel 95 MB pages held 1.9 GB.
Here every download counts against NIANBAO_MAX_BYTES_IN_FLIGHT from its headers on (the
declared Content-Length, then the bytes actually received). A new download waits while the
budget is spent; a running one that would take the total past it while others run is
stopped (Scrapy's `StopDownload`) and queued again, to start next when nothing else runs,
in the one lane allowed past the budget. So every document is still fetched, one large
file at a time, and a file larger than the budget alone is bounded by DOWNLOAD_MAXSIZE.
"In flight" is while downloading: a response handed to the spider no longer counts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Headers, Response
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFERRED = "nianbao_bytes_deferred"  # meta: this request was stopped once for the budget
_POLL_SECONDS = 0.05


class BytesInFlightMiddleware:
    """Downloader middleware (order 950, next to the download) holding the budget."""

    def __init__(self, budget: int, stats: StatsCollector):
        self.budget = budget
        self.stats = stats
        self.held: dict[Request, int] = {}  # running download -> bytes counted for it
        self.received: dict[Request, int] = {}
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
        crawler.signals.connect(middleware.on_bytes, signal=signals.bytes_received)
        return middleware

    async def process_request(self, request: Request) -> None:
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

    def _count(self, request: Request, size: int) -> None:
        """Count `size` bytes for a running download; stop it when the budget is passed
        while other downloads run (unless it holds the lane)."""
        before = self.held[request]
        if size <= before:
            return
        over = self.total - before + size > self.budget
        if over and request is not self.lane and len(self.held) > 1:
            request.meta[DEFERRED] = True
            raise StopDownload(fail=True)
        self.held[request] = size
        self.total += size - before
        if self.total > (self.stats.get_value("nianbao/bytes_in_flight_max") or 0):
            self.stats.set_value("nianbao/bytes_in_flight_max", self.total)

    def on_headers(self, headers: Headers, body_length: int, request: Request, spider: Any) -> None:
        if request in self.held and body_length > 0:
            self._count(request, body_length)

    def on_bytes(self, data: bytes, request: Request, spider: Any) -> None:
        if request in self.held:
            self.received[request] = self.received.get(request, 0) + len(data)
            self._count(request, self.received[request])

    def _release(self, request: Request) -> None:
        self.total -= self.held.pop(request, 0)
        self.received.pop(request, None)
        if request is self.lane:
            self.lane = None

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        self._release(request)
        if isinstance(exception, StopDownload) and request.meta.get(DEFERRED):
            self.stats.inc_value("nianbao/bytes_in_flight_deferred")
            logger.info(
                "%s stopped: more than %d bytes in flight; queued to run alone",
                request.url,
                self.budget,
            )
            return request.replace(dont_filter=True, priority=request.priority + 1)
        return None
