"""Downloader middlewares: WAF detection, per-source allowed domains, retry with backoff.

A WAF challenge marks its source blocked for the run, with the evidence, and every later
request of that source is dropped: the crawler never tries to pass a challenge.
"""

from __future__ import annotations

import asyncio
import logging
import re
import zlib
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.losses import DroppedRequest

logger = logging.getLogger(__name__)

# (product, where, pattern): where is "cookie", "body" or "server"
WAF_SIGNATURES: tuple[tuple[str, str, re.Pattern[bytes]], ...] = (
    ("加速乐/JSL", "cookie", re.compile(rb"__jsl_clearance|__jsluid")),
    (
        "加速乐/JSL",
        "body",
        re.compile(rb"__jsl_clearance|document\.cookie\s*=\s*\(\s*'_'\s*\)|go\(\{\s*\"bts\""),
    ),
    ("瑞数", "cookie", re.compile(rb"FSSBBIl1UgzbN7N80[ST]")),
    ("瑞数", "body", re.compile(rb"\$_ts\s*=|9DhefwqGPrzGxEp9hPaoag|<script[^>]*\br=[\"']m[\"']")),
    ("网宿 WZWS", "cookie", re.compile(rb"wzws_cid")),
    ("网宿 WZWS", "body", re.compile("请开启JavaScript并刷新该页".encode())),
    ("云锁", "cookie", re.compile(rb"yunsuo_session_verify|security_session_mid_verify")),
    ("安全狗", "body", re.compile("服务器安全狗防护验证页面|safedog-flow-item".encode())),
    ("360", "body", re.compile(rb"safe\.webscan\.360\.cn/stopattack")),
    ("D盾", "body", re.compile("D盾_拦截提示".encode())),
    ("创宇盾", "body", re.compile("当前访问疑似黑客攻击|创宇盾".encode())),
)
_BODY_ANY = re.compile(
    b"|".join(p.pattern for _product, where, p in WAF_SIGNATURES if where == "body")
)
CHALLENGE_STATUSES = frozenset({412, 512, 521, 307, 403, 405, 503})
_SCANNED = 64 * 1024  # how much of a challenge-status body is searched for markers
_SMALL_BODY = 16 * 1024  # a 200 this small may still be a challenge page (WZWS, 安全狗)


def _plain_body(response: Response) -> bytes:
    """The body, decompressed when it is small and gzip/deflate encoded.

    This middleware runs before HttpCompressionMiddleware and RedirectMiddleware, so that a
    WZWS 307 challenge is seen as a challenge and not followed as a redirect.
    """
    body = response.body[:_SCANNED]
    encoding = (response.headers.get(b"Content-Encoding") or b"").lower()
    if encoding in (b"gzip", b"x-gzip", b"deflate") and len(response.body) < _SCANNED:
        try:
            return zlib.decompressobj(47).decompress(response.body, _SCANNED)
        except zlib.error:
            return body
    return body


def waf_evidence(response: Response) -> str | None:
    """A short description of the anti-bot challenge this response is, or None."""
    cookies = b"; ".join(response.headers.getlist(b"Set-Cookie"))
    scan_body = response.status in CHALLENGE_STATUSES or len(response.body) < _SMALL_BODY
    body = _plain_body(response) if scan_body else b""
    if not cookies and not (scan_body and _BODY_ANY.search(body)):
        return _generic_waf(response)
    for product, where, pattern in WAF_SIGNATURES:
        if where == "cookie" and cookies:
            match = pattern.search(cookies)
        elif where == "body" and scan_body:
            match = pattern.search(body)
        else:
            match = None
        if match:
            marker = match.group(0).decode("utf-8", "replace")
            return (
                f"HTTP {response.status} {product} challenge ({where}: {marker}) at {response.url}"
            )
    return _generic_waf(response)


def _generic_waf(response: Response) -> str | None:
    server = (response.headers.get(b"Server") or b"").decode("latin-1")
    if response.status >= 400 and server.strip().upper() == "WAF":
        return f"HTTP {response.status} generic WAF (Server: WAF) at {response.url}"
    return None


def blocked_key(source_id: str) -> str:
    return f"source/{source_id}/blocked"


class WafDetectionMiddleware:
    """Marks a source blocked on its first challenge response; drops its later requests."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WafDetectionMiddleware:
        return cls(crawler)

    def _source_of(self, url: str) -> str:
        """The source a request without meta (robots.txt) belongs to, by scheme and host."""
        origin = urlsplit(url)[:2]
        for source in getattr(self.crawler.spider, "sources", []):
            if urlsplit(source.url)[:2] == origin:
                return source.id
        return urlsplit(url).netloc

    def process_request(self, request: Request) -> None:
        source_id = request.meta.get("source_id") or self._source_of(request.url)
        if self.crawler.stats.get_value(blocked_key(source_id)):
            raise DroppedRequest("waf", f"source {source_id} is blocked by a WAF for this run")

    def process_response(self, request: Request, response: Response) -> Response:
        evidence = waf_evidence(response)
        if evidence is None:
            return response
        source_id = request.meta.get("source_id") or self._source_of(request.url)
        stats = self.crawler.stats
        if not stats.get_value(blocked_key(source_id)):
            stats.set_value(blocked_key(source_id), evidence)
            stats.inc_value("nianbao/errors/waf")
            logger.warning("source %s blocked: %s", source_id, evidence)
        raise DroppedRequest("waf", f"WAF challenge: {evidence}")


def host_allowed(host: str, domains: list[str] | tuple[str, ...]) -> bool:
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in domains)


class SourceDomainsMiddleware:
    """Keeps every request of a source (redirect targets included) within its allowed domains.

    Redirected requests pass through process_request again, so an offsite redirect is
    dropped here instead of being followed, and counted as such. It runs first (order 50,
    where Scrapy's own OffsiteMiddleware sits), before robots.txt is fetched for the host.
    """

    def __init__(self, crawler: Crawler, domains: dict[str, tuple[str, ...]] | None = None):
        self.crawler = crawler
        self.domains = domains

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceDomainsMiddleware:
        return cls(crawler)

    def _domains(self, source_id: str) -> tuple[str, ...] | None:
        if self.domains is None:
            spider: Any = self.crawler.spider
            self.domains = {s.id: s.allowed_domains for s in getattr(spider, "sources", [])}
        return self.domains.get(source_id)

    def process_request(self, request: Request) -> None:
        source_id = request.meta.get("source_id")
        if not source_id:
            return
        domains = self._domains(source_id)
        host = urlsplit(request.url).hostname or ""
        if domains is not None and not host_allowed(host, domains):
            self.crawler.stats.inc_value("nianbao/offsite_filtered")
            came_from = (request.meta.get("redirect_urls") or [None])[0]
            reason = "offsite_redirect" if came_from else "offsite"
            logger.warning(
                "source %s: not following %s%s (outside %s)",
                source_id,
                request.url,
                f", redirected from {came_from}" if came_from else "",
                domains,
            )
            raise DroppedRequest(reason, f"{request.url} is outside the allowed domains")


DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt obeyed for every request, and when it cannot be read, nothing is fetched.

    Scrapy allows everything when robots.txt fails to download, and parses a 5xx error page
    as if it were robots.txt (allowing everything again). Here a robots.txt that answered
    5xx, or could not be fetched at all, disallows the whole host for the run, as search
    engines do; a 4xx (no robots.txt) still allows everything.
    """

    async def robot_parser(self, request: Request) -> Any:
        """The host's parser, also for requests that waited while robots.txt was fetched.

        Scrapy hands the parser to the first waiting request only: the Deferred's later
        callbacks receive None, which means "allow everything". Several requests for a new
        host arrive together when workers share a Redis queue, so the stored parser is used.
        """
        parser = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        return stored if stored is not None and not isinstance(stored, Deferred) else parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._stats.inc_value("robotstxt/unreadable")
            logger.warning("robots.txt of %s answered %s: not crawling it", netloc, response.status)
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        pending = self._parsers[netloc]
        self._stats.inc_value("robotstxt/unreadable")
        logger.warning("robots.txt of %s could not be read (%s): not crawling it", netloc, exc)
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        self._parsers[netloc] = parser
        if isinstance(pending, Deferred):
            pending.callback(parser)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting base * 2**(n-1) seconds (capped) before the n-th retry, or
    longer when the server asks for it with a numeric Retry-After (429, 503)."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("NIANBAO_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX", 30.0)

    async def _backoff(self, result: Any, asked: float = 0.0) -> Any:
        if isinstance(result, Request):
            attempt = int(result.meta.get("retry_times", 1))
            await asyncio.sleep(min(self.cap, max(asked, self.base * 2 ** (attempt - 1))))
        return result

    async def process_response(self, request: Request, response: Response) -> Any:  # type: ignore[override]
        after = (response.headers.get(b"Retry-After") or b"").strip()
        asked = float(after) if after.isdigit() else 0.0
        return await self._backoff(super().process_response(request, response), asked)

    async def process_exception(self, request: Request, exception: Exception) -> Any:  # type: ignore[override]
        return await self._backoff(super().process_exception(request, exception))
