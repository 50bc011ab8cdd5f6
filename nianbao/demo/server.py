"""HTTP serving for the portal: one threaded server per site address, one port for all.

The standard library's ThreadingHTTPServer is enough: pages are rendered on request from
in-memory metadata, and HTTP/1.1 keep-alive lets a crawler reuse connections.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from nianbao.demo.sites import Request, Response, Site

log = logging.getLogger(__name__)


class Served(NamedTuple):
    """One request the portal answered (request headers, not response headers)."""

    method: str
    url: str
    status: int
    headers: dict[str, str]


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        site: Site,
        record: Callable[[Served], None],
        admit: Callable[[str], None],
    ):
        super().__init__(address, Handler)
        self.site = site
        self.record = record
        self.admit = admit  # returns when the request may be answered

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A client that hangs up mid-body (a crawler stopping a download) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_form(body: bytes, content_type: str) -> dict[str, list[str]]:
    if "application/x-www-form-urlencoded" not in content_type:
        return {}
    return parse_qs(body.decode("utf-8", errors="replace"))


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def not_modified(headers: dict[str, str], etag: str, modified: datetime) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server_version = "nginx"
    sys_version = ""
    server: SiteServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self.serve()

    def do_POST(self) -> None:  # noqa: N802
        self.serve()

    def serve(self) -> None:
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = headers.get("content-length") or "0"
        if not length.isdigit() or int(length) > 1 << 20:
            self.send_error(400, "bad Content-Length")
            return
        body = self.rfile.read(int(length)) if int(length) else b""
        host = self.server.site.origin
        self.server.admit(host + self.path)
        request = Request(
            self.command,
            split.path,
            parse_qs(split.query, keep_blank_values=True),
            parse_form(body, headers.get("content-type", "")),
            headers,
        )
        try:
            response = self.server.site.handle(request)
        except Exception:  # one broken page must not stop the portal
            log.exception("portal failed on %s %s", self.command, self.path)
            response = Response(500, b"internal error", "text/plain")
        if response.delay:
            time.sleep(response.delay)
        out = list(response.headers)
        status, payload = response.status, response.body
        if response.modified is not None and status == 200:
            etag = etag_of(payload)
            out += [("ETag", etag), ("Last-Modified", http_date(response.modified))]
            if not_modified(headers, etag, response.modified):
                status, payload = 304, b""
        self.server.record(Served(self.command, host + self.path, status, headers))
        self.send_response(status)
        if status != 304:
            out += [("Content-Type", response.content_type), ("Content-Length", str(len(payload)))]
        for name, value in out:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


class Servers:
    """The bound servers of all sites and their threads."""

    def __init__(self, sites: list[Site], hosts: list[str], port: int, record, admit) -> None:
        self.servers = self._bind(sites, hosts, port, record, admit)
        self.port = self.servers[0].server_address[1]
        self.threads = [
            threading.Thread(
                target=s.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"portal-{h}",
                daemon=True,
            )
            for s, h in zip(self.servers, hosts, strict=True)
        ]
        for t in self.threads:
            t.start()

    @staticmethod
    def _bind(sites: list[Site], hosts: list[str], port: int, record, admit) -> list[SiteServer]:
        """Bind every host on one port; with port 0, retry until a free port fits all hosts."""
        for _ in range(20 if port == 0 else 1):
            bound: list[SiteServer] = []
            chosen = port
            try:
                for site, host in zip(sites, hosts, strict=True):
                    bound.append(SiteServer((host, chosen), site, record, admit))
                    chosen = bound[0].server_address[1]
                return bound
            except OSError:
                for s in bound:
                    s.server_close()
                if port:
                    raise
        raise OSError("no port is free on all portal addresses")

    def close(self) -> None:
        for s in self.servers:
            s.shutdown()
            s.server_close()
        for t in self.threads:
            t.join(timeout=5)
