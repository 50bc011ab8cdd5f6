"""The sites of the test portal: which documents each lists, at which URLs, with which faults.

Every site is built from the same plan (reports, non-report entries, one duplicate listing,
a 404, a robots-disallowed link, a transient 500, a slow page, a redirect chain) and differs
in how its CMS family lays out URLs, lists and pages (docs/portals.md). Documents are metadata
only; pages are rendered on request, so a site of thousands of reports costs little memory.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from nianbao.demo import pages
from nianbao.demo.content import (
    PICTURES_YEAR,
    Attachment,
    Corpus,
    CorpusDoc,
    read_file,
    revised,
)

CST = timezone(timedelta(hours=8))
ELSEWHERE = "elsewhere:"  # href of a row whose document another site serves
YEARS = list(range(2025, 2007, -1))  # covered years of generated reports, newest first

DEPARTMENTS = (
    "人民政府办公室 发展和改革局 教育局 科学技术局 工业和信息化局 公安局 民政局 司法局 财政局 "
    "人力资源和社会保障局 自然资源局 生态环境局 住房和城乡建设局 交通运输局 水利局 农业农村局 "
    "商务局 文化和旅游局 卫生健康委员会 退役军人事务局 应急管理局 审计局 市场监督管理局 统计局 "
    "医疗保障局 城市管理局 林业局 信访局 数据资源管理局 行政审批局"
).split()
# Made-up reports reuse real reports' bodies (real tables, real numbers), so they are served
# as examples under a fictional place (`SiteInfo.example_place`), never under a real
# agency's name: every fictional place starts with this.
EXAMPLE_PREFIX = "示例"
TOWN_HEADS = "东西南北新青石龙凤白黄金高长大安"
TOWN_TAILS = "山河桥塘岭湖田坪溪埠洋"
# Generated report n covers YEARS[n % 18] for agency (n // 18 + n) % A: the pairs are distinct
# while A (30 + 16 * 11 = 206) is coprime with 19, so a site titles 18 * 206 reports uniquely.


@dataclass(eq=False)
class File:
    """An attachment as served: its URL path (with query for download scripts) and bytes."""

    path: str
    name: str
    attachment: Attachment
    owner: Doc
    revision: int = 0

    @property
    def ext(self) -> str:
        return self.attachment.ext

    def data(self) -> bytes:
        return revised(self.attachment.data, self.ext, self.revision)


@dataclass
class Doc:
    """One document a site publishes: a report (real or generated) or a non-report entry."""

    n: int
    title: str
    agency: str
    year: int | None
    day: date
    body_doc: CorpusDoc | None = None  # HTML body source; None for notices and PDF-only reports
    pdf: CorpusDoc | None = None  # the file of a PDF-only report
    corpus_id: str | None = None  # set when this is the corpus report itself (real title)
    index_no: str = ""
    doc_no: str = ""
    path: str = ""
    files: list[File] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # linked files that 404
    images: list[tuple[str, str]] = field(default_factory=list)  # (src on the page, URL path)
    revision: int = 0
    corrected: int = 0  # corrections published: each adds one to the last number printed
    modified: datetime | None = None

    def body(self) -> str:
        if self.images:
            text = "".join(pages.image_paragraph(src) for src, _ in self.images)
        elif self.body_doc is not None:
            text = self.body_doc.body if self.corpus_id else self.body_doc.copy_body
        elif self.files and self.pdf is not None:
            text = pages.pdf_only_body(self.files[0].name)
        else:
            text = pages.notice_body(self.title, self.agency, self.day)
        if self.corrected:
            text = corrected_numbers(text, self.corrected)
        if self.revision:
            text += f"<p>（本文于第{self.revision}次更正，更正后内容以此为准）</p>"
        return text

    def last_modified(self) -> datetime:
        return self.modified or datetime(
            self.day.year, self.day.month, self.day.day, 9, 30, tzinfo=CST
        ).astimezone(UTC)


_LAST_NUMBER_CELL = re.compile(
    r"(<td[^>]*>(?:\s*<[^>]+>)*\s*)(\d+)(\s*(?:<[^>]+>\s*)*</td>)(?!.*<td)", re.S
)


def corrected_numbers(html: str, times: int) -> str:
    """The page after `times` corrections of its last table: the last number printed in a
    cell grows by `times` (as when an agency re-publishes a report with a corrected total)."""
    return _LAST_NUMBER_CELL.sub(lambda m: f"{m[1]}{int(m[2]) + times}{m[3]}", html, count=1)


@dataclass(frozen=True)
class Row:
    """One entry of a list: the href it shows and the document behind it (if any)."""

    href: str  # absolute path (or path?query) on the site
    doc: Doc


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]

    def param(self, *names: str) -> str | None:
        for name in names:
            for source in (self.query, self.form):
                if source.get(name):
                    return source[name][0]
        return None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html"
    headers: list[tuple[str, str]] = field(default_factory=list)
    modified: datetime | None = None  # set on static content: adds ETag and Last-Modified
    delay: float = 0.0


@dataclass(frozen=True)
class SiteInfo:
    """Facts of one site: registry values and the options docs/portals.md leaves per site."""

    source_id: str
    name: str
    city: str
    division_code: str
    level: str
    site_code: str
    cms_hint: str
    robots: str = "disallow"  # disallow | missing | sitemap | all
    waf: str | None = None  # jsl | ruishu
    notes: str = ""
    late_days: int = 0  # every report is published this many days after the usual date
    skip_year: int | None = None  # a year the site publishes no report on
    pictures: bool = False  # its report of PICTURES_YEAR is published as pictures of its pages
    example_place: str = EXAMPLE_PREFIX + "县"  # the fictional place of its made-up reports


@dataclass
class Truth:
    """What a correct crawl of one source fetches and skips (see `Portal.expected`)."""

    source_id: str
    reports: set[str] = field(default_factory=set)
    attachments: set[str] = field(default_factory=set)
    non_reports: set[str] = field(default_factory=set)
    not_found: set[str] = field(default_factory=set)
    disallowed: set[str] = field(default_factory=set)
    disallowed_paths: list[str] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)
    transient: str | None = None
    slow: str | None = None
    duplicate: str | None = None
    broken_attachments: set[str] = field(default_factory=set)  # linked, but 404
    aliases: dict[str, str] = field(default_factory=dict)  # second URL of a report -> its URL
    image_only: set[str] = field(default_factory=set)  # reports whose body is only <img>s
    images: set[str] = field(default_factory=set)  # the images those pages show
    corpus: dict[str, str] = field(default_factory=dict)  # report URL -> corpus doc id
    # report URL -> corpus doc id of the body or PDF a made-up report (under a fictional
    # 示例… agency) reuses
    examples: dict[str, str] = field(default_factory=dict)
    # report URL -> what the site says of it (the page; for index_no on the Fujian site, whose
    # pages have no 索引号, the list API): title, agency, year, published_date, index_no, doc_no
    documents: dict[str, dict] = field(default_factory=dict)
    blocked: str | None = None  # WAF product when every request is challenged
    robots_disallow_all: bool = False
    offsite: set[str] = field(default_factory=set)  # listed, but on another site's host
    status: str = "ok"  # how a correct crawl of the source ends (crawl_sources.status)
    limit: str | None = None  # the crawl limit a truncated source hits
    lost: set[str] = field(default_factory=set)  # its own URLs that redirect off-site


def figures_in_text(year: int | None) -> bool:
    """A report of this year states its figures in the text (统计表, prose), not in the
    national tables: a file made from another report would contradict it."""
    return year is not None and year < 2019


class Site:
    """Base: document plan, faults, robots.txt, conditional requests. Subclasses lay out URLs."""

    list_path = "/"  # the URL path the registry gives for this site
    charset = "utf-8"
    header_charset = True
    page_size = 10
    disallow_prefix = ""
    slow_seconds = 1.0  # the portal sets its own
    in_registry = True  # False: a host the portal serves that no source crawls

    def __init__(
        self, info: SiteInfo, corpus: Corpus, real: list[CorpusDoc], n_reports: int, seed: int
    ) -> None:
        if n_reports < 6:
            raise ValueError("a portal site needs at least 6 reports to place its faults")
        self.info = info
        self.corpus = corpus
        self.seed = seed
        self.origin = ""  # http://host:port, set when the server binds
        self.started = datetime.now(UTC).replace(microsecond=0)
        self._lock = threading.Lock()
        spare = len(YEARS) if info.skip_year else 0  # reports planned to replace skipped ones
        planned = self._plan_reports(real, n_reports + spare)
        self.reports = [d for d in planned if d.year != info.skip_year][:n_reports]
        for doc in self.reports:
            doc.day += timedelta(days=info.late_days)
        self.notices = self._plan_notices()
        extra = self._generated(n_reports + spare, n_reports + spare + 2)
        self.missing, self.hidden = extra
        for doc in [*self.reports, *self.notices, self.missing, self.hidden]:
            doc.index_no = f"{info.site_code[:6]}-{doc.day.year}-{doc.n + 1:05d}"
            doc.path = self.doc_path(doc)
        self.hidden.path = self.disallowed_path(self.hidden)
        self._place_files()
        self.transient, self.slow, self.moved = self.reports[-3:]
        victim = self.reports[-4]  # links an attachment that was deleted (404)
        victim.broken.append((self.file_path(victim, 9, "pdf"), f"{victim.title}（附件）.pdf"))
        self.images: dict[str, tuple[Doc, Path]] = {}
        shown = [d for d in self.reports[:-4] if d.year == PICTURES_YEAR]  # not a fault's
        if info.pictures and self.corpus.page_images and shown:
            self._place_images(shown[-1])
        start, middle = self.redirect_paths(self.moved)
        self.redirects = {start: (301, middle), middle: (302, self.moved.path)}
        # where the 年报 column was before a redesign: it now redirects to `list_path`
        self.former_list_path = "/former" + self.list_path
        self.failed_once: set[str] = set()
        self.routes: dict[str, Doc] = {d.path: d for d in [*self.reports, *self.notices]}
        if self.disallow_prefix:
            self.routes[self.hidden.path] = self.hidden
        self.files: dict[str, File] = {f.path: f for d in self.reports for f in d.files}
        self.rows = self._plan_rows(start)

    # --- the plan -------------------------------------------------------------------------

    @staticmethod
    def _agencies(place: str) -> list[str]:
        towns = [f"{h}{t}镇人民政府" for h in TOWN_HEADS for t in TOWN_TAILS]
        return [place + d for d in DEPARTMENTS] + [place + t for t in towns]

    def _generated(self, start: int, stop: int) -> list[Doc]:
        """Reports built from corpus bodies, with agency and year varied in the title only,
        under the site's fictional place (`SiteInfo.example_place`)."""
        agencies = self._agencies(self.info.example_place)
        out = []
        for n in range(start, stop):
            year = YEARS[n % len(YEARS)]
            agency = agencies[(n // len(YEARS) + n + self.seed) % len(agencies)]
            style = n % 3
            if style == 0:
                title = f"{agency}{year}年政府信息公开工作年度报告"
            elif style == 1:
                title = f"{agency}{year}年度政府信息公开工作年度报告"
            else:
                title = f"{year}年度{agency}政府信息公开工作年度报告"
            month = 1 if year >= 2019 else 3
            day = date(year + 1, month, 8 + (n * 5 + self.seed) % 20)
            doc = Doc(n, title, agency, year, day)
            if year in (2022, 2024) and n % 2 == 0:
                doc.pdf = self.corpus.pdfs[n % len(self.corpus.pdfs)]
            else:
                doc.body_doc = self.corpus.template_for(year, n)
            if n % 4 == 1:
                doc.doc_no = f"{self.info.example_place[:2]}政办〔{year + 1}〕{n % 40 + 1}号"
            out.append(doc)
        return out

    def _plan_reports(self, real: list[CorpusDoc], n_reports: int) -> list[Doc]:
        docs = []
        for n, cd in enumerate(real[:n_reports]):
            day = date.fromisoformat(cd.published) if cd.published else date(cd.year + 1, 3, 20)
            title = f"{cd.agency}{cd.year}年政府信息公开工作年度报告"
            doc = Doc(n, title, cd.agency, cd.year, day, corpus_id=cd.doc_id)
            if cd.kind == "pdf":
                doc.pdf = cd
            else:
                doc.body_doc = cd
            docs.append(doc)
        docs += self._generated(len(docs), n_reports)
        if len({d.title for d in docs}) != len(docs):
            raise ValueError(f"{n_reports} reports is more than one site can title uniquely")
        return docs

    def _plan_notices(self) -> list[Doc]:
        city = self.info.city
        specs = [
            (f"{city}2025年政务公开工作要点", date(2025, 4, 2)),
            ("关于做好2024年度政府信息公开工作年度报告编制发布工作的通知", date(2024, 12, 20)),
            (f"{city}人民政府信息公开指南", date(2024, 6, 5)),
        ]
        return [
            Doc(10_000 + k, title, self.info.name, None, day)
            for k, (title, day) in enumerate(specs)
        ]

    def _place_files(self) -> None:
        """PDF-only reports get their PDF; some HTML reports also a DOCX or a PDF of the same
        report (made from the corpus page when there is one, so its numbers match the gold)."""
        for doc in self.reports:
            if doc.pdf is not None:
                self._attach(doc, Attachment(f"{doc.title}.pdf", "pdf", doc.pdf.path), 0)
                continue
            body = doc.body_doc
            if body is None or (doc.corpus_id is None and figures_in_text(doc.year)):
                continue  # an example keeps its one body: no file made from another report
            docx = self.corpus.made_file(body, "docx", doc.n)
            if docx is not None and doc.n % 5 == 2:
                self._attach(doc, Attachment(f"{doc.title}.docx", "docx", docx), 0)
            if doc.n % 7 == 3:
                made = self.corpus.made_file(body, "pdf", doc.n)
                pdf = made or self.corpus.pdfs[doc.n % len(self.corpus.pdfs)].path
                self._attach(doc, Attachment(f"{doc.title}（盖章版）.pdf", "pdf", pdf), 1)
            word = self.corpus.made_file(body, "doc", doc.n)
            if word is not None and doc.n % 11 == 6:
                self._attach(doc, Attachment(f"{doc.title}.doc", "doc", word), 2)

    def _place_images(self, doc: Doc) -> None:
        """Make `doc` a report published as page images only (docs/portals.md §7.4). The images are
        another report's pages, so a corpus report becomes a made-up one (fictional agency)."""
        if doc.corpus_id is not None:
            doc.agency = self._generated(doc.n, doc.n + 1)[0].agency
            doc.title = f"{doc.agency}{doc.year}年政府信息公开工作年度报告"
            doc.corpus_id = None
        doc.body_doc = doc.pdf = None
        doc.files.clear()
        for k, source in enumerate(self.corpus.page_images):
            path = self.image_path(doc, k)
            doc.images.append((self.image_src(path), path))
            self.images[path] = (doc, source)

    def _attach(self, doc: Doc, attachment: Attachment, k: int) -> None:
        path = self.file_path(doc, k, attachment.ext)
        doc.files.append(File(path, attachment.name, attachment, doc))

    def _plan_rows(self, redirect_start: str) -> list[Row]:
        """List order: newest first, with the faults and non-reports mixed in."""
        listed = sorted(
            (d for d in self.reports if d is not self.moved), key=lambda d: d.day, reverse=True
        )
        rows = [Row(self.href(d), d) for d in listed]
        rows.insert(2, Row(redirect_start, self.moved))
        rows.insert(4, Row(self.href(self.missing), self.missing))
        for k, notice in enumerate(self.notices):
            rows.insert(1 + 3 * k, Row(self.href(notice), notice))
        if self.disallow_prefix:
            rows.insert(6, Row(self.hidden.path, self.hidden))
        size = self.rows_per_page(len(rows) + 1)
        rows.insert(min(size + 2, len(rows)), Row(rows[0].href, rows[0].doc))  # on page 2
        return rows

    def link_elsewhere(self, other: Site, doc: Doc) -> None:
        """List a report that another site hosts (a department's own site, as county portals
        do): off this source's domain, so its crawl must not fetch it."""
        self.elsewhere = other
        self.rows.insert(min(8, len(self.rows)), Row(ELSEWHERE, doc))

    def link(self, row: Row) -> str:
        return self.elsewhere.url(row.doc.path) if row.href == ELSEWHERE else row.href

    def rows_per_page(self, count: int) -> int:
        """The site's page size, shrunk so that even a small list spans three pages."""
        return max(1, min(self.page_size, count // 3))

    def page_rows(self, page: int) -> tuple[list[Row], int]:
        """Rows of 0-based `page`, and the page count."""
        size = self.rows_per_page(len(self.rows))
        count = -(-len(self.rows) // size)
        return self.rows[page * size : (page + 1) * size], count

    # --- URL layout (per CMS family) --------------------------------------------------------

    def doc_path(self, doc: Doc) -> str:
        raise NotImplementedError

    def file_path(self, doc: Doc, k: int, ext: str) -> str:
        raise NotImplementedError

    def disallowed_path(self, doc: Doc) -> str:
        return self.disallow_prefix + doc.path.rsplit("/", 1)[-1]

    def redirect_paths(self, doc: Doc) -> tuple[str, str]:
        name = doc.path.rsplit("/", 1)[-1]
        return f"/old{doc.path}", f"/moved/{name}"

    def href(self, doc: Doc) -> str:
        """How a list links the document (absolute path unless a family says otherwise)."""
        return doc.path

    def doc_id(self, doc: Doc) -> int:
        return 1_690_000 + self.seed * 100_000 + doc.n * 7

    # --- serving ------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.origin + path

    def handle(self, req: Request) -> Response:
        """Robots, then faults, then the family's routes; anything else is a 404."""
        if req.path == "/robots.txt":
            return self.robots()
        target = req.path
        if target in self.redirects:
            status, location = self.redirects[target]
            return Response(status, b"", headers=[("Location", self.url(location))])
        if target == self.former_list_path:
            return Response(301, b"", headers=[("Location", self.url(self.list_path))])
        delay = 0.0
        if self.transient.path == target:
            with self._lock:
                first = target not in self.failed_once
                self.failed_once.add(target)
            if first:
                return self.text(500, pages.SERVER_ERROR)
        if self.slow.path == target:
            delay = self.slow_seconds
        response = self.route(req)
        if response is None:
            response = self.not_found()
        response.delay = delay
        return response

    def route(self, req: Request) -> Response | None:
        doc = self.routes.get(req.path)
        if doc is not None:
            return self.page(doc)
        file = self.files.get(req.path) or self.files.get(self.target(req))
        if file is not None:
            return self.file(file)
        if req.path in self.images:
            doc, source = self.images[req.path]
            data = read_file(source)
            return Response(200, data, "image/jpeg", modified=doc.last_modified())
        return self.dynamic(req)

    @staticmethod
    def target(req: Request) -> str:
        query = "&".join(f"{k}={quote(v[0], safe='')}" for k, v in req.query.items())
        return f"{req.path}?{query}" if query else req.path

    def dynamic(self, req: Request) -> Response | None:
        """List pages and APIs of the family; None when the path is not one of them."""
        raise NotImplementedError

    def page(self, doc: Doc) -> Response:
        meta = pages.Meta(
            self.info.name,
            self.info.site_code,
            doc.title,
            doc.day,
            doc.agency,
            doc.index_no,
            doc.doc_no,
            self.url(doc.path),
        )
        files = [(self.file_href(doc, f), f.name) for f in doc.files] + doc.broken
        html = self.render_detail(meta, doc.body(), files)
        return self.text(200, html, modified=doc.last_modified())

    def file_href(self, doc: Doc, file: File) -> str:
        return file.path

    def render_detail(self, meta: pages.Meta, body: str, files: list[tuple[str, str]]) -> str:
        raise NotImplementedError

    def file(self, file: File) -> Response:
        ctype = {
            "pdf": "application/pdf",
            "doc": "application/msword",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }[file.ext]
        return Response(200, file.data(), ctype, modified=file.owner.last_modified())

    def image_path(self, doc: Doc, k: int) -> str:
        return self.file_path(doc, 20 + k, "jpg")

    def image_src(self, path: str) -> str:
        """How a page's <img> refers to an image (TRS families write ./W0….jpg)."""
        return path

    def text(
        self, status: int, text: str, ctype: str = "text/html", modified: datetime | None = None
    ) -> Response:
        if self.header_charset:
            ctype = f"{ctype}; charset={self.charset.upper() if self.charset == 'gbk' else 'utf-8'}"
        body = text.encode(self.charset, errors="xmlcharrefreplace")
        return Response(status, body, ctype, modified=modified)

    def not_found(self) -> Response:
        return self.text(404, pages.NOT_FOUND)

    def robots(self) -> Response:
        mode = self.info.robots
        if mode == "missing":
            return self.not_found()
        lines = ["User-agent: *"]
        if mode == "all":
            lines.append("Disallow: /")
        elif mode == "disallow":
            lines.append(f"Disallow: {self.disallow_prefix}")
        else:
            lines += ["Allow: /", f"Sitemap: {self.url('/sitemapindex.xml')}"]
        body = ("\n".join(lines) + "\n").encode()
        return Response(200, body, "text/plain", modified=self.started)

    # --- ground truth and changes -------------------------------------------------------------

    def truth(self) -> Truth:
        t = Truth(self.info.source_id)
        if self.info.waf:
            t.blocked, t.status = self.info.waf, "blocked"
            return t
        if self.info.robots == "all":
            t.robots_disallow_all, t.status = True, "empty"
            t.disallowed_paths = ["/"]
            return t
        for doc in self.reports:
            t.reports.add(self.url(doc.path))
            t.attachments |= {self.url(self.file_href(doc, f)) for f in doc.files}
            if doc.corpus_id:
                t.corpus[self.url(doc.path)] = doc.corpus_id
            elif (doc.body_doc or doc.pdf) is not None:
                t.examples[self.url(doc.path)] = (doc.body_doc or doc.pdf).doc_id
            t.documents[self.url(doc.path)] = {
                "title": doc.title,
                "agency": doc.agency,
                "year": doc.year,
                "published_date": doc.day.isoformat(),
                "index_no": doc.index_no,
                "doc_no": doc.doc_no,
            }
        t.non_reports = {self.url(d.path) for d in self.notices}
        t.not_found = {self.url(self.missing.path)}
        if self.disallow_prefix:
            t.disallowed = {self.url(self.hidden.path)}
            t.disallowed_paths = [self.disallow_prefix]
        t.redirects = {
            self.url(p): self.url(self.moved.path)
            for p, (status, _) in self.redirects.items()
            if status == 301
        }
        t.offsite = {self.link(r) for r in self.rows if r.href == ELSEWHERE}
        t.transient = self.url(self.transient.path)
        t.slow = self.url(self.slow.path)
        t.duplicate = self.url(self.rows[0].doc.path)
        t.broken_attachments = {self.url(p) for d in self.reports for p, _ in d.broken}
        t.images = {self.url(p) for p in self.images}
        t.image_only = {self.url(d.path) for d, _ in self.images.values()}
        return t

    def withdraw(self, path: str) -> bool:
        """Take the report at `path` down: off the list, and its page answers 404."""
        doc = self.routes.get(path)
        if doc is None or doc not in self.reports:
            return False
        del self.routes[path]
        self.rows = [r for r in self.rows if r.doc is not doc]
        self.reports.remove(doc)
        return True

    def correct(self, path: str) -> bool:
        """Re-publish the report at `path` with a corrected number (see `corrected_numbers`)."""
        doc = self.routes.get(path)
        if doc is None or doc.body_doc is None:
            return False
        doc.corrected += 1
        return self.mutate(path)

    def mutate(self, path: str) -> bool:
        """Change the document or file at `path` (a new revision); False if not served here."""
        now = datetime.now(UTC).replace(microsecond=0)
        doc = self.routes.get(path)
        if doc is not None:
            doc.revision += 1
            doc.modified = now + timedelta(seconds=doc.revision)
            return True
        for d in self.reports:
            for f in d.files:
                if path in (f.path, self.file_href(d, f)):
                    f.revision += 1
                    d.modified = now + timedelta(seconds=f.revision)
                    return True
        return False


def _month(day: date) -> str:
    return f"{day:%Y%m}"


def _hex(*parts: object) -> str:
    return hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()


class TrsFiles:
    """TRS file naming, shared by TRS WCM and the Fujian 集约化 sites built on it:
    attachments `P0<date><12 digits>.<ext>` and images `W0…` beside the report page."""

    column: str
    info: SiteInfo

    def file_path(self, doc: Doc, k: int, ext: str) -> str:
        digits = int(_hex(self.info.source_id, doc.n, k)[:12], 16) % 10**12
        return f"{self.column}{_month(doc.day)}/P0{doc.day:%Y%m%d}{digits:012d}.{ext}"

    def image_path(self, doc: Doc, k: int) -> str:
        return self.file_path(doc, 20 + k, "jpg").replace("/P0", "/W0")

    def image_src(self, path: str) -> str:
        return "./" + path.rsplit("/", 1)[-1]


class TrsSite(TrsFiles, Site):
    """TRS WCM: static index.html/index_N.html, createPageHTML, ./YYYYMM/tYYYYMMDD_id.html."""

    column = "/zwgk/zfxxgknb/"
    charset = "gbk"
    meta_charset = "gb2312"
    pager = "trs4"  # trs4 | trs6-0 | trs6-1 (see pages.trs_pager)
    page_size = 20
    disallow_prefix = "/zwgk/zfxxgknb/preview/"

    list_path = "/zwgk/zfxxgknb/index.html"

    def doc_path(self, doc: Doc) -> str:
        return f"{self.column}{_month(doc.day)}/t{doc.day:%Y%m%d}_{self.doc_id(doc)}.html"

    def redirect_paths(self, doc: Doc) -> tuple[str, str]:
        stem = doc.path.rsplit("/", 1)[-1]
        return f"/xxgk/nb/{stem}", f"/zwgk/nb/{stem}"

    def href(self, doc: Doc) -> str:
        return "./" + doc.path[len(self.column) :] if doc.path.startswith(self.column) else doc.path

    def page_name(self, page: int) -> str:
        if page == 0:
            return "index.html"
        return f"index_{page + 1 if self.pager == 'trs6-1' else page}.html"

    def dynamic(self, req: Request) -> Response | None:
        if not req.path.startswith(self.column):
            return None
        name = req.path[len(self.column) :] or "index.html"
        _, count = self.page_rows(0)
        for page in range(count):
            if self.page_name(page) == name:
                return self.list_page(page)
        return None

    def list_page(self, page: int) -> Response:
        rows, count = self.page_rows(page)
        items = [pages.Item(self.link(r), r.doc.title, r.doc.day) for r in rows]
        call = pages.trs_pager(self.pager, count, page, len(self.rows))
        html = pages.trs_list(self.info.name, self.info.site_code, self.meta_charset, items, call)
        return self.text(200, html, modified=self.started)

    def render_detail(self, meta: pages.Meta, body: str, files: list[tuple[str, str]]) -> str:
        relative = [("./" + h.rsplit("/", 1)[-1], n) for h, n in files]
        return pages.trs_detail(meta, self.meta_charset, body, relative)


class CatalogSite(TrsSite):
    """A TRS site found from its 信息公开 page by link text; GBK declared only in <meta>."""

    home = "/zwgk/zfxxgk/"
    column = "/zwgk/zfxxgk/zfxxgknb/"
    header_charset = False
    meta_charset = "gbk"
    pager = "trs6-1"
    page_size = 15
    disallow_prefix = ""

    list_path = "/zwgk/zfxxgk/index.html"

    def dynamic(self, req: Request) -> Response | None:
        if req.path in (self.home, self.home + "index.html"):
            links = [
                ("./xxgkzn/", "政府信息公开指南"),
                ("./xxgkzd/", "政府信息公开制度"),
                ("./fdzdgknr/", "法定主动公开内容"),
                ("./zfxxgknb/", "政府信息公开年报"),
                ("./ysqgk/", "政府信息公开申请"),
                ("/zwgk/tjxx/", "统计信息"),
            ]
            return self.text(200, pages.xxgk_home(self.info.name, self.meta_charset, links))
        return super().dynamic(req)

    def render_detail(self, meta: pages.Meta, body: str, files: list[tuple[str, str]]) -> str:
        relative = [("./" + h.rsplit("/", 1)[-1], n) for h, n in files]
        return pages.catalog_detail(meta, self.meta_charset, body, relative)


class FjSite(TrsFiles, Site):
    """Fujian 集约化 (Putian): column page + JSON list API (docs/portals.md §5).

    The API is [uncertain], so `api_style` chooses it per site: "search" is
    `/fjdzapp/search?channelid=&page=&prepage=` (also `pageNo`, `pageSize`), "static" is
    the Sanming form `<column>_lists/api_p001.json`, api_p002.json, ….
    The duplicate listing is the same document (same docid2) under a second channel URL
    (`chnldocurl`, with `docpuburl` the first), which also serves the page.
    """

    column = "/zfxxgk/zfxxgkndbg/"
    alias_column = "/zfxxgk/zfxxgkml/zfxxgknb/"
    channel_id = 201988
    search_path = "/fjdzapp/search"
    api_style = "search"
    page_size = 10

    list_path = "/zfxxgk/zfxxgkndbg/"

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        first = self.rows[0]
        again = next(i for i, r in enumerate(self.rows) if i and r.doc is first.doc)
        alias = self.alias_column + first.doc.path[len(self.column) :]
        self.rows[again] = Row(alias, first.doc)
        self.aliases = {alias: first.doc}
        self.routes[alias] = first.doc
        for f in first.doc.files:
            self.files[self.alias_column + f.path[len(self.column) :]] = f

    @property
    def api(self) -> str:
        return self.search_path if self.api_style == "search" else self.column + "_lists/"

    def doc_path(self, doc: Doc) -> str:
        return f"{self.column}{_month(doc.day)}/t{doc.day:%Y%m%d}_{self.doc_id(doc)}.htm"

    def redirect_paths(self, doc: Doc) -> tuple[str, str]:
        stem = doc.path.rsplit("/", 1)[-1]
        return f"/zfxxgk/ndbg/{stem}", f"/zfxxgk/zfxxgkndbg/old/{stem}"

    def item(self, row: Row) -> pages.Item:
        d = row.doc
        files = tuple((self.url(f.path), f.name) for f in d.files)
        files += tuple((self.url(p), name) for p, name in d.broken)
        href = self.url(row.href)
        published = self.url(d.path) if row.href in self.aliases else ""
        return pages.Item(
            href, d.title, d.day, self.doc_id(d), d.agency, d.index_no, d.doc_no, files, published
        )

    def dynamic(self, req: Request) -> Response | None:
        if req.path in (self.column, self.column + "index.htm"):
            rows, count = self.page_rows(0)
            items = [pages.Item(r.href, r.doc.title, r.doc.day) for r in rows]
            size = self.rows_per_page(len(self.rows))
            info = self.info
            html = pages.fj_column(
                info.name, info.site_code, items, self.channel_id, self.api, count, size
            )
            return self.text(200, html, modified=self.started)
        if self.api_style == "search" and req.path == self.search_path:
            return self.search(req)
        static = re.fullmatch(re.escape(self.column) + r"_lists/api_p(\d{3})\.json", req.path)
        if self.api_style == "static" and static:
            page, size = int(static[1]), self.rows_per_page(len(self.rows))
            return self.json_page(page, size) if page <= -(-len(self.rows) // size) else None
        return None

    def search(self, req: Request) -> Response:
        if req.param("channelid") != str(self.channel_id):
            body = '{"error": true, "msg": "栏目不存在"}'
            return Response(200, body.encode(), "application/json;charset=UTF-8")
        try:
            page = max(1, int(req.param("page", "pageNo") or 1))
            size = max(1, min(100, int(req.param("prepage", "pageSize") or self.page_size)))
        except ValueError:
            body = '{"error": true, "msg": "参数错误"}'
            return Response(200, body.encode(), "application/json;charset=UTF-8")
        return self.json_page(page, size)

    def json_page(self, page: int, size: int) -> Response:
        chunk = self.rows[(page - 1) * size : page * size]
        items = [self.item(r) for r in chunk]
        text = pages.fj_json(page, size, len(self.rows), items, "政府信息公开年报")
        return Response(200, text.encode(), "application/json;charset=UTF-8")

    def render_detail(self, meta: pages.Meta, body: str, files: list[tuple[str, str]]) -> str:
        relative = [("./" + h.rsplit("/", 1)[-1], n) for h, n in files]
        return pages.fj_detail(meta, body, relative)

    def truth(self) -> Truth:
        t = super().truth()
        t.aliases = {self.url(a): self.url(d.path) for a, d in self.aliases.items()}
        return t


class HanwebSite(Site):
    """Hanweb 大汉: col page with embedded <datastore>, then dataproxy.jsp groups (§3.2).

    Options: `overlap` (later groups repeat the previous group's last record, as nhsa.gov.cn)
    and `xml_prologue` (whether replies start with <?xml?>, [uncertain]).
    """

    col_id = 1229140160
    unit_id = 6101313
    web_id = 3095
    page_size = 15
    group_size = 3
    overlap = True
    xml_prologue = False
    disallow_prefix = "/module/xxgk/"
    proxy = "/module/web/jpage/dataproxy.jsp"
    download = "/module/download/downfile.jsp"

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.by_name = {
            parse_qs(urlsplit(p).query)["filename"][0]: f for p, f in self.files.items()
        }

    list_path = "/col/col1229140160/index.html"

    def column(self) -> pages.HanwebColumn:
        per_page = max(1, min(self.page_size, len(self.rows) // (3 * self.group_size)))
        return pages.HanwebColumn(
            self.col_id, self.unit_id, self.web_id, self.info.name, per_page, self.group_size
        )

    def declared(self) -> tuple[pages.HanwebColumn, int]:
        """The jpage options the column page shows, and its totalRecord."""
        return self.column(), len(self.rows)

    def doc_path(self, doc: Doc) -> str:
        d = doc.day
        return f"/art/{d.year}/{d.month}/{d.day}/art_{self.col_id}_{self.doc_id(doc)}.html"

    def file_path(self, doc: Doc, k: int, ext: str) -> str:
        name = quote(doc.title + (f"_{k}" if k else "") + "." + ext, safe="")
        stored = f"{_hex(self.info.source_id, doc.n, k)}.{ext}"
        return f"{self.download}?classid=0&filename={stored}&showname={name}"

    def image_path(self, doc: Doc, k: int) -> str:
        return f"/picture/0/{_hex(self.info.source_id, doc.n, 20 + k)}.jpg"

    def disallowed_path(self, doc: Doc) -> str:
        area = f"11330122{doc.n:06d}"
        return f"{self.disallow_prefix}xxgkAnnualReport.jsp?fbtime={doc.year}&area={area}"

    def redirect_paths(self, doc: Doc) -> tuple[str, str]:
        stem = doc.path.rsplit("/", 1)[-1]
        return f"/art/old/{stem}", f"/art/moved/{stem}"

    def route(self, req: Request) -> Response | None:
        if req.path.startswith(self.disallow_prefix):
            doc = self.routes.get(self.target(req))
            return self.page(doc) if doc else None
        if req.path == self.download:
            file = self.by_name.get(req.param("filename") or "")
            return self.file(file) if file else None
        return super().route(req)

    def dynamic(self, req: Request) -> Response | None:
        if req.path in (f"/col/col{self.col_id}/index.html", f"/col/col{self.col_id}/"):
            col = self.column()
            first = self.rows[: col.per_page * col.group_size]
            items = [pages.Item(r.href, r.doc.title, r.doc.day) for r in first]
            declared, total = self.declared()
            html = pages.hanweb_column(self.info.site_code, declared, items, total)
            return self.text(200, html, modified=self.started)
        if req.path == self.proxy:
            return self.dataproxy(req)
        return None

    def dataproxy(self, req: Request) -> Response:
        """Records by range (startrecord/endrecord) or by page; blank without the column."""
        if req.param("columnid") != str(self.col_id) or req.param("unitid") != str(self.unit_id):
            return Response(200, b"", "text/xml;charset=UTF-8")
        col = self.column()
        try:
            per_page = int(req.param("perpage") or col.per_page)
            if req.param("startrecord") is not None:
                start = int(req.param("startrecord") or 1)
                end = int(req.param("endrecord") or start + per_page - 1)
            else:
                page = int(req.param("page") or 1)
                start, end = (page - 1) * per_page + 1, page * per_page
        except ValueError:
            return Response(200, b"", "text/xml;charset=UTF-8")
        rows = proxy_slice(self.rows, start, end, self.overlap)
        items = [pages.Item(r.href, r.doc.title, r.doc.day) for r in rows]
        total = len(self.rows)
        xml = pages.hanweb_datastore(items, total, per_page, self.origin, self.xml_prologue)
        return Response(200, xml.encode(), "text/xml;charset=UTF-8")

    def render_detail(self, meta: pages.Meta, body: str, files: list[tuple[str, str]]) -> str:
        return pages.hanweb_detail(meta, body, files)


def proxy_slice(rows: list, start: int, end: int, overlap: bool) -> list:
    """Records `start`..`end` (1-based, inclusive); with overlap, one leading record more."""
    first = max(1, start) - 1
    if overlap and first > 0:
        first -= 1
    return rows[first : max(first, end)]


class NextLinkSite(Site):
    """Plain 下一页 links (`?currentPage=N`), UUID article URLs, no charset anywhere."""

    column = "/xxgk/gknb/"
    header_charset = False
    page_size = 12
    disallow_prefix = "/xxgk/gknb/draft/"

    list_path = "/xxgk/gknb/index.jsp"

    def doc_path(self, doc: Doc) -> str:
        return f"{self.column}content/{uuid.UUID(_hex(self.info.source_id, doc.n))}.html"

    def file_path(self, doc: Doc, k: int, ext: str) -> str:
        return f"/uploadfiles/{_month(doc.day)}/{_hex(self.info.source_id, doc.n, k)}.{ext}"

    def redirect_paths(self, doc: Doc) -> tuple[str, str]:
        stem = doc.path.rsplit("/", 1)[-1]
        return f"/art/{stem}", f"/xxgk/art/{stem}"

    def dynamic(self, req: Request) -> Response | None:
        if req.path != self.list_path:
            return None
        try:
            page = int(req.param("currentPage") or 1)
        except ValueError:
            return None
        return self.list_page(page)

    def list_page(self, page: int) -> Response | None:
        """1-based `page` of the list, None past its end."""
        rows, count = self.page_rows(page - 1)
        return self.render_list(rows, page, count) if 1 <= page <= count else None

    def render_list(self, rows: list[Row], page: int, count: int) -> Response:
        items = [pages.Item(r.href, r.doc.title, r.doc.day) for r in rows]
        html = pages.nextlink_list(
            self.info.name, self.info.site_code, items, page, count, self.list_path
        )
        return self.text(200, html)

    def not_found(self) -> Response:
        """This family's error page carries a wrong charset header (docs/portals.md §9)."""
        body = pages.NOT_FOUND.encode()
        return Response(404, body, "text/html; charset=iso-8859-1")

    def render_detail(self, meta: pages.Meta, body: str, files: list[tuple[str, str]]) -> str:
        return pages.nextlink_detail(meta, body, files)


class WafSite(TrsSite):
    """A TRS site behind a WAF: every request gets the challenge (docs/portals.md §10)."""

    def handle(self, req: Request) -> Response:
        token = _hex(self.info.source_id, req.path, time.monotonic_ns())
        if self.info.waf == "ruishu":
            return Response(
                412,
                pages.ruishu_challenge(token).encode(),
                "text/html",
                headers=[("Set-Cookie", f"FSSBBIl1UgzbN7N80S={token}; Path=/; HttpOnly")],
            )
        return Response(
            521,
            pages.jsl_challenge(token[:24]).encode(),
            "text/html",
            headers=[("Set-Cookie", f"__jsluid_h={token}; max-age=31536000; path=/; HttpOnly")],
        )


FAMILIES: dict[str, type[Site]] = {
    "trs": TrsSite,
    "catalog": CatalogSite,
    "fjdzapp": FjSite,
    "hanweb": HanwebSite,
    "nextlink": NextLinkSite,
    "waf": WafSite,
}
