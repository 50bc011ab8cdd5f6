"""Hostile sites of the test portal: what a crawl must survive, and say it met (issue 7).

Each is a family site of `sites` with one misbehaviour seen on real portals or by an
attacker on loopback; `truth().status` is how a correct crawl of it ends:

- `EndlessSite`: a 下一页 that always links one more page (followed 8,608 pages once);
- `HanwebZeroSite`: `jpage({perPage: 0})`, which once raised and lost the embedded records;
- `HanwebHugeSite`: `jpage({totalRecord: 100000, perPage: 1, groupSize: 1})`;
- `OffsiteSite`: three listed reports redirect to another host;
- `OffsiteStartSite`: the list page itself redirects to another host;
- `HeavySite`: large PDF attachments, for the bytes-in-flight budget;
- `ElsewhereSite`: that other host. It is no source: nothing may reach it, robots.txt
  included.
"""

from __future__ import annotations

from dataclasses import replace

from nianbao.demo import pages
from nianbao.demo.sites import (
    File,
    HanwebSite,
    NextLinkSite,
    Request,
    Response,
    Site,
    Truth,
)


class ElsewhereSite(NextLinkSite):
    """Another agency's host: answers anything, and is not in the registry."""

    in_registry = False

    def handle(self, req: Request) -> Response:
        if req.path == "/robots.txt":
            return Response(200, b"User-agent: *\nAllow: /\n", "text/plain")
        return self.text(200, "<html><body><p>本站内容</p></body></html>")


class Elsewhere:
    """A site that sends some requests to the `ElsewhereSite` (set by the portal)."""

    elsewhere_site: Site

    def moved_away(self, path: str) -> Response:
        return Response(302, b"", headers=[("Location", self.elsewhere_site.url(path))])


class EndlessSite(NextLinkSite):
    """Every list page links a next one; past the real pages the last rows repeat."""

    def list_page(self, page: int) -> Response | None:
        if page < 1:
            return None
        _, count = self.page_rows(0)
        rows, _ = self.page_rows(min(page, count) - 1)
        return self.render_list(rows, page, page + 1)

    def truth(self) -> Truth:
        t = super().truth()
        t.status, t.limit = "truncated", "list_pages"
        return t


class HanwebZeroSite(HanwebSite):
    """The column embeds its first group as usual but declares `perPage: 0`."""

    def declared(self) -> tuple[pages.HanwebColumn, int]:
        return replace(self.column(), per_page=0), len(self.rows)


class HanwebHugeSite(HanwebSite):
    """The column declares 100,000 records, one a page and one page a group."""

    declared_total = 100_000

    def column(self) -> pages.HanwebColumn:
        return replace(super().column(), per_page=1, group_size=1)

    def declared(self) -> tuple[pages.HanwebColumn, int]:
        return self.column(), self.declared_total

    def truth(self) -> Truth:
        t = super().truth()
        t.status, t.limit = "truncated", "requests_per_list_page"
        return t


class OffsiteSite(Elsewhere, NextLinkSite):
    """Three of the listed reports answer with a redirect to another host."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.gone = self.reports[1:4]  # the faults of `Site` are on the last five reports

    def handle(self, req: Request) -> Response:
        if req.path in {d.path for d in self.gone}:
            return self.moved_away(req.path)
        return super().handle(req)

    def truth(self) -> Truth:
        t = super().truth()
        for doc in self.gone:
            url = self.url(doc.path)
            t.reports.discard(url)
            t.attachments -= {self.url(self.file_href(doc, f)) for f in doc.files}
            t.documents.pop(url, None)
            t.corpus.pop(url, None)
            t.examples.pop(url, None)
            t.lost.add(url)
        t.status = "incomplete"
        return t


class OffsiteStartSite(Elsewhere, NextLinkSite):
    """The registry's list URL redirects to another host (the site moved)."""

    def handle(self, req: Request) -> Response:
        if req.path == self.list_path:
            return self.moved_away(self.target(req))
        return super().handle(req)

    def truth(self) -> Truth:
        return Truth(self.info.source_id, status="failed", lost={self.url(self.list_path)})


class HeavySite(NextLinkSite):
    """Every PDF attachment is padded to `file_bytes` (bytes after %%EOF are ignored)."""

    file_bytes = 4 * 1024 * 1024

    def file(self, file: File) -> Response:
        response = super().file(file)
        if file.ext == "pdf" and len(response.body) < self.file_bytes:
            padding = b"\n%" + b"0" * (self.file_bytes - len(response.body) - 2)
            response.body += padding
        return response


FAMILIES: dict[str, type[Site]] = {
    "endless": EndlessSite,
    "hanweb-zero": HanwebZeroSite,
    "hanweb-huge": HanwebHugeSite,
    "offsite": OffsiteSite,
    "offsite-start": OffsiteStartSite,
    "heavy": HeavySite,
    "elsewhere": ElsewhereSite,
}
