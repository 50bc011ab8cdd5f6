"""One spider for every source: list pages → report pages → attachments.

The family parsers in crawler.listing read the list replies; this spider only routes:
list entries that are reports become report-page requests (conditional when an earlier run
kept the page), 年报 sub-columns and pagination become list requests, and report pages become
`ReportItem`s whose attachments the FilesPipeline fetches. A source whose list yields nothing
is logged with its URL so a redesign is loud, and a failing source never stops the others.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.detail import attachment_ext, parse_report
from crawler.errors import error_kind
from crawler.filetypes import detect_type
from crawler.items import ReportItem
from crawler.limits import Limits, ListBudget
from crawler.listing import Entry, ListRequest, ListResult
from crawler.listing.classify import infer_year
from crawler.listing.dispatch import parse_list
from crawler.losses import drop_reason, record_drop
from crawler.manifest import SeenStore
from crawler.middlewares import host_allowed
from crawler.sources import Source, load_sources
from nianbao.common.charset import decode_page, header_charset

logger = logging.getLogger(__name__)


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(
        self, sources: list[Source], seen: SeenStore, limits: Limits | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.sources = sources
        self.by_id = {s.id: s for s in sources}
        self.seen = seen
        limits = limits or Limits.defaults()
        self.budgets = {s.id: ListBudget(s.id, limits.for_source(s)) for s in sources}
        self.listed: dict[str, set[str]] = defaultdict(set)
        # report pages a list still links but that answer 404/410: withdrawn (see `listings`)
        self.gone: dict[str, set[str]] = defaultdict(set)
        self.linger = 0.0
        self.idle_since: float | None = None
        self.lists_only = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReportsSpider:
        settings = crawler.settings
        sources = load_sources(Path(settings.get("NIANBAO_SOURCES")))
        seen = SeenStore.load(Path(settings.get("NIANBAO_DATA_DIR")))
        spider = cls(sources, seen, Limits.from_settings(settings), *args, **kwargs)
        spider._set_crawler(crawler)
        crawler.signals.connect(spider.on_callback_error, signal=signals.spider_error)
        spider.lists_only = settings.getbool("NIANBAO_LISTS_ONLY")
        linger = settings.getfloat("NIANBAO_REDIS_IDLE_CLOSE_SECONDS")
        if settings.get("REDIS_URL") and linger > 0:
            spider.linger = linger
            crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
            crawler.signals.connect(spider.on_activity, signal=signals.response_received)
        return spider

    def on_activity(self) -> None:
        self.idle_since = None

    def on_idle(self) -> None:
        """A Redis worker stays a while when the shared queue runs dry: another worker may
        still be parsing pages whose requests are not queued yet."""
        now = time.monotonic()
        self.idle_since = self.idle_since or now
        if now - self.idle_since < self.linger:
            raise DontCloseSpider

    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources:
            self.crawler.stats.set_value(f"source/{source.id}/reports_listed", 0)
            if self.budgets[source.id].admit_list(source.url):
                yield self._list_request(source, source.url, family=source.cms, hops=0)
            else:  # a source whose own limit is 0 list pages
                self.budgets[source.id].hit(self.crawler.stats, "list_pages", source.url)

    # -- requests -------------------------------------------------------------------------

    def _list_request(
        self, source: Source, url: str, *, family: str, hops: int, **kw: Any
    ) -> Request:
        meta = {"source_id": source.id, "kind": "list", "family": family, "hops": hops}
        meta.update(kw.pop("meta", {}))
        return Request(url, callback=self.parse_list, errback=self.on_error, meta=meta, **kw)

    def _report_request(self, source: Source, entry: Entry) -> Request:
        meta = {
            "source_id": source.id,
            "kind": "report",
            "entry_title": entry.title,
            "entry_date": entry.date,
            "entry_hints": dict(entry.hints),
            "handle_httpstatus_list": [304],
        }
        return Request(
            entry.url,
            headers=self.seen.conditional_headers(entry.url),
            callback=self.parse_report,
            errback=self.on_error,
            meta=meta,
        )

    # -- callbacks ------------------------------------------------------------------------

    def _text(self, response: Response, source: Source) -> str:
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        if isinstance(response, TextResponse) and not source.encoding:
            if header_charset(content_type):
                return response.text
        return decode_page(response.body, content_type, source.encoding)

    def parse_list(self, response: Response) -> Iterator[Request]:
        source = self.by_id[response.meta["source_id"]]
        stats = self.crawler.stats
        stats.inc_value("nianbao/list_pages")
        stats.inc_value(f"source/{source.id}/list_pages")
        result: ListResult = parse_list(
            response.url, self._text(response, source), response.meta["family"]
        )
        hops = response.meta.get("hops", 0)
        budget = self.budgets[source.id]
        if hops == 0 and response.meta.get("redirect_urls"):
            stats.set_value(f"source/{source.id}/moved_to", response.url)
        # Links to other sites are dropped here, before the shared duplicate filter sees them:
        # a report another source lists as its own must still be fetched for that source.
        entries: list[Entry] = []
        offsite: list[Entry] = []
        for entry in result.entries:
            (entries if self._allowed(source, entry.url) else offsite).append(entry)
        if offsite:
            stats.inc_value("nianbao/offsite_entries", len(offsite))
            record_drop(stats, source.id, "offsite_link", offsite[0].url, len(offsite))
        reports = [e for e in entries if not e.is_column]
        column_url = response.meta.get("column_url") or response.url
        if reports and not stats.get_value(f"source/{source.id}/column"):
            # where the 年报 column is, and what runs it (for `nianbao sources`)
            stats.set_value(f"source/{source.id}/column", column_url)
            stats.set_value(f"source/{source.id}/family", result.family)
        listed_here = {r.url for r in reports}
        fallback = [
            e for e in response.meta.get("fallback_entries", []) if e.url not in listed_here
        ]
        deferred = reports if result.api_first else []
        wanted = [] if deferred else reports + fallback
        self._note_listed(source, wanted)
        columns = self._columns(source, [e for e in entries if e.is_column], hops, bool(reports))
        follows = [f for f in result.follow if self._allowed(source, f.url)]
        # One reply may ask for any number of requests (a declared totalRecord of 100000):
        # reports first, then sub-columns, then further list pages, up to the page's limit.
        room = budget.limits.requests_per_list_page
        asked = len(wanted) + len(columns) + len(follows)
        if asked > room:
            budget.hit(stats, "requests_per_list_page", response.url, asked - room)
            wanted = wanted[:room]
            columns = columns[: room - len(wanted)]
            follows = follows[: room - len(wanted) - len(columns)]
        for entry in [] if self.lists_only else wanted:
            yield self._report_request(source, entry)
        for entry in columns:
            if self._admit(budget, entry.url):
                yield self._list_request(source, entry.url, family="auto", hops=hops + 1)
        for follow in follows:
            if self._admit(budget, follow.url, follow):
                yield self._follow_request(source, follow, hops, deferred, column_url)
        if not result.entries and not result.follow:
            stats.inc_value(f"source/{source.id}/empty_list_pages")
            logger.warning(
                "source %s: no 年报 entries on list page %s (%s): layout may have changed",
                source.id,
                response.url,
                result.family,
            )

    def _columns(
        self, source: Source, columns: list[Entry], hops: int, reports: bool
    ) -> list[Entry]:
        """Sub-columns to follow: below the registry URL (or any when the page lists no
        reports), within the source's list depth."""
        root = source.url.rsplit("/", 1)[0]
        wanted = [c for c in columns if c.url.startswith(root + "/") or not reports]
        budget = self.budgets[source.id]
        if wanted and hops >= budget.limits.list_depth:
            budget.hit(self.crawler.stats, "list_depth", wanted[0].url, len(wanted))
            return []
        return wanted

    def _admit(self, budget: ListBudget, url: str, follow: ListRequest | None = None) -> bool:
        method, body = (follow.method, follow.body) if follow else ("GET", None)
        if budget.admit_list(url, method, body):
            return True
        budget.hit(self.crawler.stats, "list_pages", url)
        return False

    def _follow_request(
        self, source: Source, follow: ListRequest, hops: int, deferred: list[Entry], column: str
    ) -> Request:
        # column_url: where the 年报 column is, for `nianbao sources` (a page 2 is not it)
        meta: dict[str, Any] = {"probe": follow.family == "trs", "column_url": column}
        if deferred:
            meta["fallback_entries"] = deferred
        return self._list_request(
            source,
            follow.url,
            family=follow.family,
            hops=hops,
            method=follow.method,
            body=follow.body,
            headers=follow.headers,
            meta=meta,
        )

    def parse_report(self, response: Response) -> Iterator[ReportItem]:
        source = self.by_id[response.meta["source_id"]]
        stats = self.crawler.stats
        url = response.url
        listed = (response.meta.get("redirect_urls") or [url])[0]
        if response.status == 304 and url in self.seen.latest:
            stats.inc_value("nianbao/pages_not_modified")
            known = self.seen.latest[url].row
            yield ReportItem(
                source_id=source.id,
                url=url,
                title=known.get("title"),
                year=known.get("year"),
                published_date=known.get("published_date"),
                agency=known.get("agency"),
                index_no=known.get("index_no"),
                doc_no=known.get("doc_no"),
                http_status=304,
                file_urls=self.seen.attachments.get(url, []),
            )
            return
        hints = response.meta.get("entry_hints") or {}
        direct = document_type(response)
        if direct:
            stats.inc_value("nianbao/direct_documents")
            title = response.meta.get("entry_title") or ""
            yield ReportItem(
                source_id=source.id,
                url=url,
                listed_url=listed,
                title=title or None,
                year=infer_year(title, response.meta.get("entry_date")),
                published_date=response.meta.get("entry_date"),
                agency=hints.get("agency"),
                index_no=hints.get("index_no"),
                doc_no=hints.get("doc_no"),
                page_body=response.body,
                direct_ext=direct,
                http_status=response.status,
                etag=_header(response, "ETag"),
                last_modified=_header(response, "Last-Modified"),
            )
            return
        stats.inc_value("nianbao/report_pages")
        page = parse_report(response.url, self._text(response, source))
        title = response.meta.get("entry_title") or page.title
        published = page.published_date or response.meta.get("entry_date")
        content_type = (response.headers.get("Content-Type") or b"text/html").decode("latin-1")
        yield ReportItem(
            source_id=source.id,
            url=url,
            listed_url=listed,
            title=page.title or title,
            year=infer_year(page.title or "", published) or infer_year(title or "", published),
            published_date=published,
            agency=page.agency or hints.get("agency"),
            index_no=page.index_no or hints.get("index_no"),
            doc_no=page.doc_no or hints.get("doc_no"),
            page_body=response.body,
            content_type=content_type,
            http_status=response.status,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            file_urls=[a.url for a in page.attachments],
            picture_urls=page.pictures,
        )

    def _note_listed(self, source: Source, entries: list[Entry]) -> None:
        listed = self.listed[source.id]
        listed.update(e.url for e in entries)
        self.crawler.stats.set_value(f"source/{source.id}/reports_listed", len(listed))

    def _report_requests(self, source: Source, entries: list[Entry]) -> Iterator[Request]:
        self._note_listed(source, entries)
        if self.lists_only:
            return
        for entry in entries:
            yield self._report_request(source, entry)

    def listings(self) -> list[tuple[str, str, str]]:
        """(source id, URL, state) of what this run saw: every report its lists linked
        (`listed`) and those of them that answered 404 or 410 (`gone`)."""
        rows = [(sid, url, "listed") for sid, urls in self.listed.items() for url in urls]
        rows += [(sid, url, "gone") for sid, urls in self.gone.items() for url in urls]
        return sorted(rows)

    @staticmethod
    def _allowed(source: Source, url: str) -> bool:
        return host_allowed(urlsplit(url).hostname or "", source.allowed_domains)

    def on_error(self, failure: Failure) -> Iterator[Request]:
        request = failure.request
        fallback = request.meta.get("fallback_entries")
        if fallback:  # the list API failed: fetch what the column page itself listed
            yield from self._report_requests(self.by_id[request.meta["source_id"]], fallback)
        source_id = request.meta.get("source_id", "?")
        stats = self.crawler.stats
        # HttpError is an IgnoreRequest too, but a listed page that answers 404 is an error.
        if isinstance(failure.value, IgnoreRequest) and not isinstance(failure.value, HttpError):
            stats.inc_value("nianbao/ignored_requests")
            record_drop(stats, source_id, drop_reason(failure.value), redirect_trail(request))
            return
        kind = error_kind(failure)
        if request.meta.get("probe") and kind == "http_404":
            return  # the end of a probed TRS page sequence
        if request.meta.get("kind") == "report" and kind in ("http_404", "http_410"):
            self.gone[source_id].add(request.url)
        stats.inc_value(f"nianbao/errors/{kind}")
        stats.inc_value(f"source/{source_id}/errors")
        logger.warning(
            "source %s: %s fetching %s (%s)", source_id, kind, request.url, request.meta.get("kind")
        )

    def on_callback_error(self, failure: Failure, response: Response, spider: Any) -> None:
        """A page a callback could not read is an error of its source, never a silent loss."""
        source_id = response.meta.get("source_id", "?")
        self.crawler.stats.inc_value("nianbao/errors/parse")
        self.crawler.stats.inc_value(f"source/{source_id}/errors")
        logger.warning(
            "source %s: could not read %s (%s): %s",
            source_id,
            response.url,
            response.meta.get("kind"),
            failure.getErrorMessage(),
        )


def redirect_trail(request: Request) -> str:
    """The URL a request was made for, and where redirects took it ("listed → moved")."""
    first = (request.meta.get("redirect_urls") or [request.url])[0]
    return request.url if first == request.url else f"{first} → {request.url}"


_FAMILY_EXT = {"pdf": "pdf", "ole": "doc", "zip": "docx"}


def document_type(response: Response) -> str | None:
    """The file type when a listed "report page" is the document file itself, else None."""
    found = detect_type(response.body[:1024])
    if found in _FAMILY_EXT:
        return attachment_ext(response.url) or _FAMILY_EXT[found]
    return None


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
