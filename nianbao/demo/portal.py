"""The `Portal`: several realistic government sites on loopback, with their ground truth."""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from nianbao.demo import hostile
from nianbao.demo.content import Corpus
from nianbao.demo.server import Served, Servers
from nianbao.demo.sites import (
    EXAMPLE_PREFIX,
    FAMILIES,
    CatalogSite,
    FjSite,
    Site,
    SiteInfo,
    Truth,
)

log = logging.getLogger(__name__)

EXAMPLES_NOTE = (
    f"reports not from the corpus are examples: real report bodies served under the "
    f"fictional agencies of {EXAMPLE_PREFIX}… places"
)
# (family, registry facts). Real corpus reports are spread over the first five sites.
SITES: list[tuple[str, SiteInfo]] = [
    (
        "trs",
        SiteInfo(
            "portal-trs-zhangshu",
            "樟树市人民政府",
            "樟树市",
            "360982",
            "county",
            "3609820008",
            "trs",
            notes="TRS WCM in GBK; createPageHTML(N, i) pager; robots.txt disallows a path",
            example_place="示例甲市",
        ),
    ),
    (
        "hanweb",
        SiteInfo(
            "portal-hanweb-tonglu",
            "桐庐县人民政府",
            "桐庐县",
            "330122",
            "county",
            "3301220002",
            "hanweb",
            notes="Hanweb col page with <datastore>; dataproxy.jsp groups overlap by one record",
            example_place="示例乙县",
        ),
    ),
    (
        "fjdzapp",
        SiteInfo(
            "portal-fj-putian",
            "莆田市人民政府",
            "莆田市",
            "350300",
            "city",
            "3503000001",
            "fjdzapp",
            robots="missing",
            notes="Fujian column page + /fjdzapp/search JSON; robots.txt 404 as on putian.gov.cn",
            example_place="示例丙市",
        ),
    ),
    (
        "nextlink",
        SiteInfo(
            "portal-next-qidong",
            "启东市人民政府",
            "启东市",
            "320681",
            "county",
            "3206810011",
            "nextlink",
            notes="plain 下一页 links; no charset declared anywhere; 404 page says iso-8859-1",
            example_place="示例丁市",
        ),
    ),
    (
        "catalog",
        SiteInfo(
            "portal-xxgk-miyun",
            "北京市密云区人民政府",
            "密云区",
            "110118",
            "county",
            "1101180010",
            "auto",
            robots="sitemap",
            notes="url is the 信息公开 page; 年报 column by link text; GBK only in <meta>; "
            "six-argument createPageHTML, 1-based (index_2.html follows index.html)",
            example_place="示例戊区",
        ),
    ),
    (
        "waf",
        SiteInfo(
            "portal-waf-zhenan",
            "镇安县人民政府",
            "镇安县",
            "611025",
            "county",
            "6110250002",
            "trs",
            waf="jsl",
            notes="every request is challenged by a WAF",
            example_place="示例己县",
        ),
    ),
    (
        "nextlink",
        SiteInfo(
            "portal-robots-shunyi",
            "北京市顺义区人民政府",
            "顺义区",
            "110113",
            "county",
            "1101130002",
            "nextlink",
            robots="all",
            notes="robots.txt: Disallow: / (as www.bjshy.gov.cn)",
            example_place="示例庚区",
        ),
    ),
    (
        "nextlink",
        SiteInfo(
            "portal-late-linan",
            "杭州市临安区人民政府",
            "临安区",
            "330185",
            "county",
            "3301850004",
            "nextlink",
            notes="publishes every report five months late and none on 2023, its 2024 report "
            "as pictures of its pages; registered under 330185, the code of 临安市 before it "
            "became 临安区 (330112) in 2017",
            late_days=150,
            skip_year=2023,
            pictures=True,
            example_place="示例辛区",
        ),
    ),
]

# Served with hostile=True only (never in the demo): sites that misbehave (nianbao.demo.hostile).
HOSTILE_SITES: list[tuple[str, SiteInfo]] = [
    (
        "endless",
        SiteInfo(
            "hostile-endless",
            "永翻县人民政府",
            "永翻县",
            "990101",
            "county",
            "9901010001",
            "nextlink",
            notes="下一页 on every page, without end",
        ),
    ),
    (
        "hanweb-zero",
        SiteInfo(
            "hostile-hanweb-zero",
            "零页县人民政府",
            "零页县",
            "990102",
            "county",
            "9901020001",
            "hanweb",
            notes="Hanweb column declaring jpage perPage: 0",
        ),
    ),
    (
        "hanweb-huge",
        SiteInfo(
            "hostile-hanweb-huge",
            "万录县人民政府",
            "万录县",
            "990103",
            "county",
            "9901030001",
            "hanweb",
            notes="Hanweb column declaring totalRecord: 100000, perPage: 1, groupSize: 1",
        ),
    ),
    (
        "offsite",
        SiteInfo(
            "hostile-offsite",
            "外跳县人民政府",
            "外跳县",
            "990104",
            "county",
            "9901040001",
            "nextlink",
            notes="three listed reports redirect to another host",
        ),
    ),
    (
        "offsite-start",
        SiteInfo(
            "hostile-offsite-start",
            "迁址县人民政府",
            "迁址县",
            "990105",
            "county",
            "9901050001",
            "nextlink",
            notes="the list page redirects to another host",
        ),
    ),
    (
        "heavy",
        SiteInfo(
            "hostile-heavy",
            "大件县人民政府",
            "大件县",
            "990106",
            "county",
            "9901060001",
            "nextlink",
            notes="PDF attachments of 4 MB each",
        ),
    ),
    (
        "elsewhere",
        SiteInfo(
            "hostile-elsewhere",
            "他站",
            "他站",
            "990107",
            "county",
            "9901070001",
            "nextlink",
            notes="another host the off-site redirects point to; not a source",
        ),
    ),
]


class Portal:
    """Serve the test sites on 127.0.1.1, 127.0.1.2, … (one port), and know what they hold.

    Options for what docs/portals.md leaves uncertain: `waf` ("jsl": 加速乐 521, "ruishu": 瑞数
    412), `fj_api` ("search": /fjdzapp/search, "static": _lists/api_pNNN.json) and
    `six_arg_base` (numbering of the discovery site's six-argument createPageHTML: 1 gives
    index.html, index_2.html…; 0 gives index.html, index_1.html…).

    With `hostile`, the sites of HOSTILE_SITES are served too (nianbao.demo.hostile).

    `expected()` is the ground truth a crawl is checked against; `requests` logs every
    request served; `mutate(url)` changes one document so a recrawl finds a new version;
    `held()` keeps requests waiting, so crawls started together are sure to overlap.
    """

    def __init__(
        self,
        reports_per_site: int = 24,
        *,
        slow_seconds: float = 1.0,
        port: int = 0,
        waf: str = "jsl",
        fj_api: str = "search",
        six_arg_base: int = 1,
        host_prefix: str = "127.0.1.",
        hostile: bool = False,
    ) -> None:
        if waf not in ("jsl", "ruishu"):
            raise ValueError(f"waf must be 'jsl' or 'ruishu', not {waf!r}")
        if fj_api not in ("search", "static"):
            raise ValueError(f"fj_api must be 'search' or 'static', not {fj_api!r}")
        if six_arg_base not in (0, 1):
            raise ValueError(f"six_arg_base must be 0 or 1, not {six_arg_base!r}")
        corpus = Corpus()
        crawlable = 5
        self.sites: list[Site] = []
        for k, (family, info) in enumerate(SITES):
            if info.waf:
                info = SiteInfo(**{**info.__dict__, "waf": waf})
            real = corpus.docs[k::crawlable] if k < crawlable else []
            site = FAMILIES[family](info, corpus, real, reports_per_site, seed=k)
            site.slow_seconds = slow_seconds
            if isinstance(site, FjSite):
                site.api_style = fj_api
            if isinstance(site, CatalogSite):
                site.pager = f"trs6-{six_arg_base}"
            self.sites.append(site)
        trs, hanweb = self.sites[0], self.sites[1]
        trs.link_elsewhere(hanweb, hanweb.reports[1])
        if hostile:
            self.sites += self._hostile_sites(corpus, reports_per_site, slow_seconds)
        self.hosts = [f"{host_prefix}{k + 1}" for k in range(len(self.sites))]
        self._port = port
        self._log: list[Served] = []
        self._log_lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._waiting: collections.Counter[str] = collections.Counter()
        self._servers: Servers | None = None

    @staticmethod
    def _hostile_sites(corpus: Corpus, reports: int, slow_seconds: float) -> list[Site]:
        built = [
            hostile.FAMILIES[family](info, corpus, [], reports, seed=len(SITES) + k)
            for k, (family, info) in enumerate(HOSTILE_SITES)
        ]
        [elsewhere] = [s for s in built if isinstance(s, hostile.ElsewhereSite)]
        for site in built:
            site.slow_seconds = slow_seconds
            if isinstance(site, hostile.Elsewhere):
                site.elsewhere_site = elsewhere
        return built

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Portal:
        self._servers = Servers(self.sites, self.hosts, self._port, self._record, self._admit)
        for site, host in zip(self.sites, self.hosts, strict=True):
            site.origin = f"http://{host}:{self._servers.port}"
        log.info("portal serving %d sites on port %d", len(self.sites), self._servers.port)
        return self

    def stop(self) -> None:
        if self._servers is not None:
            self._servers.close()
            self._servers = None

    def __enter__(self) -> Portal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._servers is None:
            raise RuntimeError("the portal is not started")
        return self._servers.port

    # --- what it serves -----------------------------------------------------------------------

    def _record(self, served: Served) -> None:
        with self._log_lock:
            self._log.append(served)

    def _admit(self, url: str) -> None:
        if self._open.is_set():
            return
        with self._log_lock:
            self._waiting[url] += 1
        self._open.wait()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Requests arriving in this block wait unanswered until it ends; `waiting` counts them.

        Two crawls started inside it and let go once both have asked for something have each
        read the data directory (a crawl does before its first request) before either
        writes to it: they overlap whatever the machine's speed.
        """
        self._open.clear()
        try:
            yield
        finally:
            self._open.set()
            with self._log_lock:
                self._waiting.clear()

    @property
    def waiting(self) -> collections.Counter[str]:
        """How many requests for each URL wait in a `held()` block."""
        with self._log_lock:
            return collections.Counter(self._waiting)

    @property
    def requests(self) -> list[Served]:
        """A copy of the request log: (method, url, status, request headers)."""
        with self._log_lock:
            return list(self._log)

    @property
    def registered(self) -> list[Site]:
        """The sites that are sources (not the other hosts some of them point to)."""
        return [s for s in self.sites if s.in_registry]

    def site(self, source_id: str) -> Site:
        for s in self.sites:
            if s.info.source_id == source_id:
                return s
        raise KeyError(source_id)

    def sources(self) -> list[dict]:
        """Registry entries (crawler/sources.yaml format) for the sites."""
        out = []
        for site in self.registered:
            i = site.info
            entry = {
                "id": i.source_id,
                "name": i.name,
                "division_code": i.division_code,
                "level": i.level,
                "url": site.url(site.list_path),
                "cms": i.cms_hint,
                "allowed_domains": [urlsplit(site.origin).hostname],
                "verified": True,
                "notes": f"local test portal: {i.notes}; {EXAMPLES_NOTE}",
            }
            if site.charset == "gbk" and site.header_charset:
                entry["encoding"] = "gbk"
            out.append(entry)
        return out

    def write_sources(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump({"sources": self.sources()}, allow_unicode=True, sort_keys=False)
        # Written whole, then renamed: a reader waiting for the file never sees half of it.
        partial = path.with_name(path.name + ".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        return path

    def expected(self) -> dict[str, Truth]:
        """Per source id, what a correct crawl fetches (reports, attachments) and skips."""
        return {s.info.source_id: s.truth() for s in self.registered}

    @property
    def waf_source(self) -> str:
        return next(s.info.source_id for s in self.sites if s.info.waf)

    def mutate(self, url: str) -> None:
        """Publish a new revision of the report page or attachment at `url`."""
        self._change(url, "mutate")

    def withdraw(self, url: str) -> None:
        """Take the report page at `url` off its list; it answers 404 from now on."""
        self._change(url, "withdraw")

    def correct(self, url: str) -> None:
        """Re-publish the HTML report at `url` with its last table number corrected."""
        self._change(url, "correct")

    def _change(self, url: str, how: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        for site in self.sites:
            if site.origin == origin and getattr(site, how)(target):
                log.info("portal: %s %s", how, url)
                return
        raise KeyError(f"the portal cannot {how} {url}")
