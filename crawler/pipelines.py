"""Attachments through Scrapy's FilesPipeline into a content-addressed raw store; the manifest.

Raw store: DIR/raw/<sha256[:2]>/<sha256><.ext>, bytes unedited, written under a temporary
name and renamed so a killed run never leaves a truncated file under a valid name. Every file
is checked before it is kept: not empty, not an HTML page saved under a document name, and
magic bytes that match its type.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from pathlib import Path
from typing import Any, NoReturn

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.pipelines.files import FilesPipeline
from scrapy.pipelines.media import FileException

from crawler.detail import attachment_ext, image_ext
from crawler.errors import error_kind
from crawler.filetypes import CONTENT_TYPES, InvalidFile, validate_file
from crawler.items import ReportItem
from crawler.losses import drop_reason, record_drop
from crawler.manifest import ManifestWriter, SeenStore, utc_now
from nianbao.common import atomic
from nianbao.datasets.schema import iso_date

logger = logging.getLogger(__name__)


def store_raw(data_dir: Path, body: bytes, ext: str) -> tuple[str, str]:
    """(sha256, path relative to data_dir) of `body`, written once, atomically."""
    sha = hashlib.sha256(body).hexdigest()
    relative = f"raw/{sha[:2]}/{sha}.{ext}" if ext else f"raw/{sha[:2]}/{sha}"
    target = Path(data_dir) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(target, body)
    return sha, relative


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class RawFilesPipeline(FilesPipeline):
    """FilesPipeline with conditional requests, validation and content-addressed storage."""

    def __init__(self, store_uri: str, *, crawler: Crawler, seen: SeenStore):
        super().__init__(store_uri, crawler=crawler)
        self.data_dir = Path(store_uri)
        self.seen = seen

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawFilesPipeline:
        data_dir = crawler.settings.get("NIANBAO_DATA_DIR") or crawler.settings.get("FILES_STORE")
        return cls(str(data_dir), crawler=crawler, seen=SeenStore.load(Path(data_dir)))

    def get_media_requests(self, item: ReportItem, info: Any) -> list[Request]:
        """The attachments, then the page's pictures in page order (`item_completed` parts
        the results again by that order)."""
        wanted = [(url, "attachment") for url in item.file_urls]
        wanted += [(url, "picture") for url in item.picture_urls]
        return [
            Request(
                url,
                headers=self.seen.conditional_headers(url),
                meta={"source_id": item.source_id, "kind": kind, "page_url": item.url},
            )
            for url, kind in wanted
        ]

    def media_to_download(self, request: Request, info: Any, *, item: Any = None) -> None:
        return None  # freshness is decided by the server (conditional request), not by age

    def _fail(self, kind: str, request: Request, reason: str) -> FileException:
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/errors/{kind}")
        stats.inc_value(f"source/{request.meta.get('source_id')}/errors")
        logger.warning(
            "%s %s (page %s): %s",
            request.meta.get("kind"),
            request.url,
            request.meta.get("page_url"),
            reason,
        )
        return FileException(reason)

    async def media_downloaded(  # type: ignore[override]
        self, response: Response, request: Request, info: Any, *, item: Any = None
    ) -> dict[str, Any]:
        url = request.url
        if response.status == 304 and url in self.seen.latest:
            known = self.seen.latest[url]
            self.inc_stats("unchanged")
            return {"url": url, "path": known.path, "checksum": known.sha256, "status": "unchanged"}
        if response.status != 200:
            raise self._fail(f"http_{response.status}", request, f"HTTP {response.status}")
        ext = attachment_ext(url) or attachment_ext(response.url) or image_ext(url)
        try:
            ext = validate_file(response.body, ext)
        except InvalidFile as exc:
            raise self._fail("invalid_file", request, str(exc)) from exc
        sha, path = await asyncio.to_thread(store_raw, self.data_dir, response.body, ext)
        self.inc_stats("downloaded")
        return {
            "url": url,
            "path": path,
            "checksum": sha,
            "status": "downloaded",
            "sha256": sha,
            "content_type": CONTENT_TYPES.get(ext, _header(response, "Content-Type") or ""),
            "bytes": len(response.body),
            "http_status": response.status,
            "etag": _header(response, "ETag"),
            "last_modified": _header(response, "Last-Modified"),
            "fetched_at": utc_now(),
        }

    def media_failed(self, failure: Any, request: Request, info: Any) -> NoReturn:
        """Count the failure; raise it with its reason kept (a picture's row says it)."""
        if isinstance(failure.value, IgnoreRequest):
            reason = drop_reason(failure.value)
            source_id = request.meta.get("source_id", "?")
            record_drop(self.crawler.stats, source_id, reason, request.url)
            super().media_failed(failure, request, info)  # raises: filtered, not an error
        if isinstance(failure.value, FileException):
            raise failure.value
        kind = error_kind(failure)
        raise self._fail(kind, request, kind) from failure.value

    def item_completed(self, results: list[Any], item: ReportItem, info: Any) -> ReportItem:
        attachments = len(item.file_urls)
        item.files = [value for ok, value in results[:attachments] if ok]
        item.pictures = [
            picture_row(url, ok, value)
            for url, (ok, value) in zip(item.picture_urls, results[attachments:], strict=True)
        ]
        return item


def picture_row(url: str, ok: bool, value: Any) -> dict[str, Any]:
    """A picture of a page as the manifest lists it: stored, or why not."""
    if ok:
        return {"url": url, "sha256": value["checksum"], "path": value["path"], "error": None}
    reason = str(value.value) or type(value.value).__name__
    if isinstance(value.value, IgnoreRequest):
        reason = f"not fetched: {reason}"
    return {"url": url, "sha256": None, "path": None, "error": reason}


class ManifestPipeline:
    """Stores report pages raw and appends one manifest row per new (sha256, url)."""

    def __init__(
        self, crawler: Crawler, data_dir: Path, run_id: str, flush_rows: int, flush_s: float
    ):
        self.crawler = crawler
        self.data_dir = data_dir
        self.run_id = run_id
        self.seen = SeenStore.load(data_dir)
        self.writer = ManifestWriter(data_dir, run_id, flush_rows, flush_s)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ManifestPipeline:
        s = crawler.settings
        return cls(
            crawler,
            Path(s.get("NIANBAO_DATA_DIR")),
            s.get("NIANBAO_RUN_ID") or utc_now().strftime("scrapy-%Y%m%dT%H%M%SZ"),
            s.getint("NIANBAO_MANIFEST_FLUSH_ROWS"),
            s.getfloat("NIANBAO_MANIFEST_FLUSH_SECONDS"),
        )

    def _keep(self, row: dict[str, Any]) -> None:
        stats = self.crawler.stats
        key = (row["sha256"], row["url"])
        if key in self.seen:
            stats.inc_value("nianbao/documents_unchanged")
            return
        changed = row["url"] in self.seen.latest
        stats.inc_value("nianbao/changed_documents" if changed else "nianbao/new_documents")
        stats.inc_value(f"source/{row['source_id']}/new_documents")
        stats.inc_value(f"nianbao/kept_{row['kind']}s")
        self.seen.add(row)
        self.writer.append(row)

    def _base(self, item: ReportItem) -> dict[str, Any]:
        return {
            "source_id": item.source_id,
            "page_url": item.url,
            "title": item.title,
            "year": item.year,
            "published_date": iso_date(item.published_date),
            "run_id": self.run_id,
            "agency": item.agency,
            "index_no": item.index_no,
            "doc_no": item.doc_no,
        }

    async def process_item(self, item: ReportItem) -> ReportItem:
        base = self._base(item)
        if item.page_body is not None and item.direct_ext:
            await self._keep_direct(item, base)
        elif item.page_body is not None:
            # File writes in a thread: the reactor keeps downloading meanwhile.
            sha, path = await asyncio.to_thread(store_raw, self.data_dir, item.page_body, "html")
            self._keep(
                {
                    **base,
                    "url": item.url,
                    "sha256": sha,
                    "path": path,
                    "content_type": item.content_type,
                    "bytes": len(item.page_body),
                    "http_status": item.http_status,
                    "fetched_at": utc_now(),
                    "kind": "page",
                    "etag": item.etag,
                    "last_modified": item.last_modified,
                    "attachment_urls": item.file_urls,
                    "listed_url": item.listed_url,
                    "pictures": json.dumps(item.pictures, ensure_ascii=False)
                    if item.pictures
                    else None,
                }
            )
            item.page_body = None
        for result in item.files:
            if result.get("status") != "downloaded":
                continue
            self._keep(
                {
                    **base,
                    "url": result["url"],
                    "sha256": result["sha256"],
                    "path": result["path"],
                    "content_type": result["content_type"],
                    "bytes": result["bytes"],
                    "http_status": result["http_status"],
                    "fetched_at": result["fetched_at"],
                    "kind": "attachment",
                    "etag": result["etag"],
                    "last_modified": result["last_modified"],
                    "attachment_urls": None,
                    "listed_url": None,
                }
            )
        if self.writer.due():
            await asyncio.to_thread(self.writer.write, self.writer.take())
        return item

    async def _keep_direct(self, item: ReportItem, base: dict[str, Any]) -> None:
        """A listed report that is a document file itself: kept as an attachment row."""
        body, item.page_body = item.page_body or b"", None
        try:
            ext = validate_file(body, item.direct_ext or "")
        except InvalidFile as exc:
            self.crawler.stats.inc_value("nianbao/errors/invalid_file")
            self.crawler.stats.inc_value(f"source/{item.source_id}/errors")
            logger.warning("report file %s: %s", item.url, exc)
            return
        sha, path = await asyncio.to_thread(store_raw, self.data_dir, body, ext)
        self._keep(
            {
                **base,
                "url": item.url,
                "sha256": sha,
                "path": path,
                "content_type": CONTENT_TYPES.get(ext, ""),
                "bytes": len(body),
                "http_status": item.http_status,
                "fetched_at": utc_now(),
                "kind": "attachment",
                "etag": item.etag,
                "last_modified": item.last_modified,
                "attachment_urls": None,
                "listed_url": item.listed_url,
            }
        )

    def close_spider(self) -> None:
        self.writer.flush()
