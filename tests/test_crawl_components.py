"""Crawler components in isolation: registry, settings, decoding, WAF and offsite middlewares,
file validation, raw store and manifest."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError, TCPTimedOutError
from twisted.python.failure import Failure

from crawler.errors import error_kind
from crawler.manifest import ManifestWriter, SeenStore, compact, read_documents
from crawler.middlewares import (
    BackoffRetryMiddleware,
    SourceDomainsMiddleware,
    WafDetectionMiddleware,
    waf_evidence,
)
from crawler.pipelines import InvalidFile, store_raw, validate_file
from crawler.settings import crawl_settings
from crawler.sources import SourceError, load_sources, make_source
from nianbao.common.charset import decode_page
from tests.conftest import CORPUS

REGISTRY = Path(__file__).parents[1] / "crawler" / "sources.yaml"

# -- registry --------------------------------------------------------------------------------


def test_seed_registry_loads_and_is_unverified() -> None:
    sources = load_sources(REGISTRY)
    by_id = {s.id: s for s in sources}
    assert by_id["fj-putian-kjj"].url == (
        "https://www.putian.gov.cn/zfxxgk/bmzfxxgk/ptkjj/zfxxgk/zfxxgknb/"
    )
    assert by_id["fj-putian-kjj"].division_code == "350300"
    assert by_id["fj-putian-kjj"].allowed_domains == ("www.putian.gov.cn", "putian.gov.cn")
    assert by_id["zj-yongjia"].allowed_domains == ("www.yj.gov.cn", "yj.gov.cn")
    assert by_id["sn-zhenan"].allowed_domains == ("zazf.gov.cn",)
    assert by_id["bj-chaoyang"].encoding == "gbk"
    assert {"fj-pingtan", "fj-sanming", "sh-shanghai", "bj-chaoyang"} <= set(by_id)
    assert not any(s.verified for s in sources)


def test_csv_registry_with_only_id_name_url(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "id,name,url\nmiyun,北京市密云区人民政府,http://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/\n",
        encoding="utf-8",
    )
    [source] = load_sources(path)
    assert (source.id, source.cms, source.level, source.allowed_domains) == (
        "miyun",
        "auto",
        None,
        ("www.bjmy.gov.cn", "bjmy.gov.cn"),
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"id": "a", "name": "x"}, "missing url"),
        ({"id": "a", "name": "x", "url": "ftp://x.gov.cn/"}, "is not an http"),
        ({"id": "a", "name": "x", "url": "http://x.gov.cn/", "division_code": "3503"}, "6 digits"),
        ({"id": "a", "name": "x", "url": "http://x.gov.cn/", "level": "village"}, "level"),
        ({"id": "a", "name": "x", "url": "http://x.gov.cn/", "cms": "drupal"}, "cms"),
    ],
)
def test_bad_registry_rows_say_why(row: dict, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        make_source(row, "row 1")


# -- settings --------------------------------------------------------------------------------


def test_polite_defaults_and_environment_overrides() -> None:
    base = crawl_settings(environ={})
    assert base["ROBOTSTXT_OBEY"] is True
    assert base["AUTOTHROTTLE_ENABLED"] is True
    assert base["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert "+https://" in base["USER_AGENT"]
    env = crawl_settings(environ={"NIANBAO_CONCURRENCY_PER_DOMAIN": "1", "NIANBAO_USER_AGENT": "x"})
    assert (env["CONCURRENT_REQUESTS_PER_DOMAIN"], env["USER_AGENT"]) == (1, "x")
    fast = crawl_settings(throttle=False, environ={})
    assert (fast["AUTOTHROTTLE_ENABLED"], fast["DOWNLOAD_DELAY"]) == (False, 0)
    assert fast["ROBOTSTXT_OBEY"] is True


# -- decoding --------------------------------------------------------------------------------


def test_decoding_cases_of_portals_md_section_9() -> None:
    text = (
        '<html><head><meta charset="gb2312"></head>'
        "<body>朝阳区2020年政府信息公开工作年度报告</body></html>"
    )
    gbk = text.encode("gbk")
    assert "朝阳区2020年" in decode_page(gbk, "text/html")  # GBK declared only in <meta>
    assert "朝阳区2020年" in decode_page(gbk, "text/html; charset=iso-8859-1")  # wrong header
    bare = "<p>朝阳区政府信息公开</p>".encode("gbk")
    assert decode_page(bare, None) == "<p>朝阳区政府信息公开</p>"  # no charset anywhere
    fonts = '<p><span style="font-family: 仿宋_GB2312"><font face="仿宋_GB2312">根据</font></span>'
    utf8 = fonts.encode("utf-8")
    assert decode_page(utf8, "text/html") == fonts  # font names are not charsets
    assert "朝阳" in decode_page(gbk, "text/html; charset=utf-8", hint="gbk")


# -- error names ---------------------------------------------------------------------------


def test_error_kinds_name_what_went_wrong() -> None:
    url = "https://www.zjtl.gov.cn/art/2024/1/30/art_1229_1.html"
    gone = HttpError(HtmlResponse(url, status=404, body=b""))
    assert error_kind(Failure(gone)) == "http_404"
    assert error_kind(DNSLookupError("www.zjtl.gov.cn")) == "dns"
    assert error_kind(Failure(TCPTimedOutError())) == "timeout"
    assert error_kind(DownloadCancelledError()) == "too_large"
    assert error_kind(ValueError("odd")) == "valueerror"


# -- WAF detection ---------------------------------------------------------------------------

JSL_BODY = (
    b"<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+"
    b"('r')+('a')+('n')+('c')+('e')+('=')+('1');location.href=location.pathname+"
    b"location.search</script>"
)
RS_BODY = (
    b'<html><head><meta id="9DhefwqGPrzGxEp9hPaoag" content="x"><script type="text/javascript"'
    b" r=\"m\">$_ts=window['$_ts'];</script></head></html>"
)


def test_waf_signatures() -> None:
    url = "http://www.bjchy.gov.cn/zwgk/"
    jsl = Response(url, status=521, body=JSL_BODY, headers={"Set-Cookie": "__jsluid_h=abc; path=/"})
    assert waf_evidence(jsl).startswith("HTTP 521 加速乐/JSL challenge (cookie: __jsluid)")
    ruishu = Response(url, status=412, body=RS_BODY, headers={"Set-Cookie": "FSSBBIl1UgzbN7N80S=1"})
    assert "瑞数" in waf_evidence(ruishu)
    ruishu_body = Response(url, status=412, body=RS_BODY)
    assert "瑞数 challenge (body: 9DhefwqGPrzGxEp9hPaoag)" in waf_evidence(ruishu_body)
    page = CORPUS.joinpath("docs", "fj-putian-kjj-2024.html").read_bytes()
    assert waf_evidence(HtmlResponse(url, status=200, body=page)) is None
    assert waf_evidence(Response(url, status=404, body=b"not found")) is None
    second_stage = Response(url, status=512, body=b'<script>go({"bts":["1"],"ha":"md5"})</script>')
    assert "加速乐/JSL challenge (body: go({" in waf_evidence(second_stage)
    generic = Response(url, status=403, body=b"", headers={"Server": "WAF"})
    assert "generic WAF" in waf_evidence(generic)


class _Sources(Spider):
    name = "t"

    def __init__(self) -> None:
        super().__init__()
        self.sources = [
            make_source({"id": "chy", "name": "朝阳", "url": "http://www.bjchy.gov.cn/zwgk/"}),
            make_source(
                {
                    "id": "pt",
                    "name": "莆田",
                    "url": "https://www.putian.gov.cn/zfxxgk/",
                    "allowed_domains": ["putian.gov.cn"],
                }
            ),
        ]


def _crawler(settings: dict | None = None):
    crawler = get_crawler(_Sources, settings)
    crawler.spider = _Sources.from_crawler(crawler)
    return crawler


def test_waf_marks_source_blocked_and_drops_its_later_requests() -> None:
    crawler = _crawler()
    mw = WafDetectionMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    robots = Request("http://www.bjchy.gov.cn/robots.txt")
    challenge = Response(robots.url, status=521, body=JSL_BODY)
    with pytest.raises(IgnoreRequest):
        mw.process_response(robots, challenge)
    assert crawler.stats.get_value("source/chy/blocked").startswith("HTTP 521 加速乐/JSL")
    with pytest.raises(IgnoreRequest, match="blocked"):
        mw.process_request(Request("http://www.bjchy.gov.cn/zwgk/gknb/", meta={"source_id": "chy"}))
    assert (
        mw.process_request(Request("https://www.putian.gov.cn/", meta={"source_id": "pt"})) is None
    )
    assert crawler.stats.get_value("nianbao/errors/waf") == 1


def test_requests_and_redirects_stay_within_allowed_domains() -> None:
    crawler = _crawler()
    crawler.stats.open_spider()
    mw = SourceDomainsMiddleware.from_crawler(crawler)
    ok = Request("https://ptkjj.putian.gov.cn/a.pdf", meta={"source_id": "pt"})
    assert mw.process_request(ok) is None  # a subdomain of an allowed domain
    redirected = Request("https://www.eshutan.com/zfxxgk/a.htm", meta={"source_id": "pt"})
    with pytest.raises(IgnoreRequest, match="outside"):
        mw.process_request(redirected)
    assert crawler.stats.get_value("nianbao/offsite_filtered") == 1


def test_retry_waits_longer_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.middlewares as middlewares

    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(middlewares.asyncio, "sleep", record)
    crawler = _crawler({"NIANBAO_RETRY_BACKOFF_BASE": 0.5, "NIANBAO_RETRY_BACKOFF_MAX": 20})
    crawler.stats.open_spider()
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://www.bjchy.gov.cn/zwgk/index_3.html")
    retried = asyncio.run(mw.process_response(request, Response(request.url, status=503)))
    assert isinstance(retried, Request) and retried.meta["retry_times"] == 1
    again = asyncio.run(mw.process_response(retried, Response(request.url, status=503)))
    assert again.meta["retry_times"] == 2
    ok = Response(request.url, status=200)
    assert asyncio.run(mw.process_response(again, ok)) is ok
    slow_down = Response(request.url, status=429, headers={"Retry-After": "7"})
    assert asyncio.run(mw.process_response(request, slow_down)).meta["retry_times"] == 1
    assert waits == [0.5, 1.0, 7.0]  # base * 2**(n-1), then what Retry-After asks


# -- files and manifest ----------------------------------------------------------------------


def test_files_are_checked_before_they_are_kept() -> None:
    assert validate_file(b"%PDF-1.7\n...", "pdf") == "pdf"
    assert validate_file(b"PK\x03\x04rest", "docx") == "docx"
    assert validate_file(b"PK\x03\x04rest", "doc") == "docx"  # a .doc that is really a .docx
    assert validate_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "wps") == "wps"
    assert validate_file(b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg") == "jpg"
    with pytest.raises(InvalidFile, match="magic bytes"):
        validate_file(b"\x89PNG\r\n\x1a\n....", "jpg")
    with pytest.raises(InvalidFile, match="empty"):
        validate_file(b"", "pdf")
    with pytest.raises(InvalidFile, match="HTML page saved as .pdf"):
        validate_file(b"  <!DOCTYPE html><html><title>404</title>", "pdf")
    with pytest.raises(InvalidFile, match="magic bytes"):
        validate_file(b"GIF89a....", "pdf")


def test_raw_store_is_content_addressed(tmp_path: Path) -> None:
    body = CORPUS.joinpath("docs", "js-hongze-2024.pdf").read_bytes()
    sha, path = store_raw(tmp_path, body, "pdf")
    assert sha == "82ba40ade55a93100236c9d5c9d89416a5a4d3fd3affc4c5d80994917179b83a"
    assert path == f"raw/82/{sha}.pdf"
    assert (tmp_path / path).read_bytes() == body
    assert store_raw(tmp_path, body, "pdf") == (sha, path)
    assert list((tmp_path / "raw" / "82").iterdir()) == [tmp_path / path]


def _row(url: str, sha: str, **extra) -> dict:
    from datetime import UTC, datetime

    return {
        "source_id": "pt",
        "url": url,
        "page_url": url,
        "sha256": sha,
        "path": f"raw/{sha[:2]}/{sha}.html",
        "kind": "page",
        "fetched_at": datetime.now(UTC),
        "run_id": "r1",
        **extra,
    }


def _add(writer: ManifestWriter, row: dict) -> None:
    """What ManifestPipeline does with a row: buffer it, and write the buffer when due."""
    writer.append(row)
    if writer.due():
        writer.flush()


def test_manifest_parts_dedupe_and_seen_store(tmp_path: Path) -> None:
    page = "https://www.putian.gov.cn/a/202201/t20220113_1698102.htm"
    old = "https://www.putian.gov.cn/old/t20220113_1698102.htm"
    writer = ManifestWriter(tmp_path, "r1", flush_rows=2, flush_s=60)
    _add(writer, _row(page, "aa" * 32, etag='"v1"', listed_url=old, attachment_urls=["x.pdf"]))
    _add(writer, _row(page, "aa" * 32))  # the same bytes again: flushed, but read once
    _add(writer, _row(page, "bb" * 32, etag='"v2"'))  # a new version
    writer.flush()
    parts = list((tmp_path / "manifests" / "documents").glob("part-r1-*.parquet"))
    assert len(parts) == 2
    table = read_documents(tmp_path)
    assert table.column("sha256").to_pylist() == ["aa" * 32, "bb" * 32]
    seen = SeenStore.load(tmp_path)
    assert seen.conditional_headers(page) == {"If-None-Match": '"v2"'}
    assert seen.conditional_headers(old) == {"If-None-Match": '"v1"'}  # the listed URL too
    assert seen.attachments[old] == ["x.pdf"]
    assert ("bb" * 32, page) in seen


def test_many_manifest_parts_are_compacted_without_losing_a_version(tmp_path: Path) -> None:
    page = "https://www.putian.gov.cn/a/202201/t20220113_1698102.htm"
    parts = tmp_path / "manifests" / "documents"
    writer = ManifestWriter(tmp_path, "r1", flush_rows=1, flush_s=60)
    for k in range(5):
        _add(writer, _row(page, f"{k:02d}" * 32))
    before = read_documents(tmp_path).column("sha256").to_pylist()
    assert compact(tmp_path, "documents", min_parts=20).parts == 0  # too few parts to bother
    assert compact(tmp_path, "documents", min_parts=4).parts == 5
    assert len(list(parts.glob("part-*.parquet"))) == 1
    for k in range(5):
        _add(writer, _row(page, f"{k:02d}" * 32))  # the same versions again
    done = compact(tmp_path, "documents", min_parts=20)  # rows written twice: rewritten
    assert (done.parts, done.duplicates, done.rows) == (6, 5, 5)
    assert len(list(parts.glob("part-*.parquet"))) == 1
    assert read_documents(tmp_path).column("sha256").to_pylist() == before
    assert len(before) == 5


def test_unreadable_robots_txt_forbids_the_host() -> None:
    from twisted.internet.defer import Deferred

    from crawler.middlewares import StrictRobotsTxtMiddleware

    crawler = _crawler({"ROBOTSTXT_OBEY": True})
    crawler.stats.open_spider()
    mw = StrictRobotsTxtMiddleware.from_crawler(crawler)
    pending: Deferred = Deferred()
    mw._parsers["www.bjchy.gov.cn"] = pending
    mw._robots_error(ConnectionRefusedError("refused"), "www.bjchy.gov.cn")
    parser = mw._parsers["www.bjchy.gov.cn"]
    assert not parser.allowed("http://www.bjchy.gov.cn/zwgk/gknb/", "nianbao")
    assert pending.called
    assert crawler.stats.get_value("robotstxt/unreadable") == 1


def test_wzws_redirect_and_compressed_challenges_are_seen() -> None:
    import gzip

    url = "http://www.stats.gov.cn/sj/"
    wzws = Response(
        url, status=307, headers={"Set-Cookie": "wzws_cid=abc; path=/", "Location": url}
    )
    assert "网宿 WZWS challenge (cookie: wzws_cid)" in waf_evidence(wzws)
    packed = Response(
        url, status=521, body=gzip.compress(JSL_BODY), headers={"Content-Encoding": "gzip"}
    )
    assert "加速乐/JSL challenge (body:" in waf_evidence(packed)


def test_every_request_waiting_for_robots_txt_gets_the_parser() -> None:
    """Scrapy 2.19's own middleware gives the parser to the first waiter and None ("allow
    all") to the others (waiters_get(RobotsTxtMiddleware) == [True, False, False]): seen as
    disallowed pages fetched when two workers share a Redis queue."""
    from scrapy.utils.misc import build_from_crawler
    from twisted.internet.defer import Deferred

    from crawler.middlewares import StrictRobotsTxtMiddleware

    async def waiters_get(cls: type) -> list[bool]:
        mw = cls.from_crawler(_crawler({"ROBOTSTXT_OBEY": True}))
        netloc = "www.bjmy.gov.cn"
        pending: Deferred = Deferred()
        mw._parsers[netloc] = pending  # robots.txt is being fetched
        requests = [Request(f"http://{netloc}/zwgk/draft/{k}.html") for k in range(3)]
        tasks = [asyncio.ensure_future(mw.robot_parser(r)) for r in requests]
        await asyncio.sleep(0)
        parser = build_from_crawler(
            mw._parserimpl, mw.crawler, b"User-agent: *\nDisallow: /zwgk/draft/\n"
        )
        mw._parsers[netloc] = parser  # what _parse_robots does, then it fires the Deferred
        pending.callback(parser)
        return [result is parser for result in await asyncio.gather(*tasks)]

    assert asyncio.run(waiters_get(StrictRobotsTxtMiddleware)) == [True, True, True]


def test_a_listed_report_that_is_the_pdf_itself_is_kept_as_a_document(tmp_path: Path) -> None:
    from crawler.pipelines import ManifestPipeline
    from crawler.spiders.reports import ReportsSpider

    crawler = get_crawler(
        ReportsSpider, {"NIANBAO_DATA_DIR": str(tmp_path), "NIANBAO_RUN_ID": "r1"}
    )
    source = make_source({"id": "hz", "name": "洪泽区人民政府", "url": "http://www.hongze.gov.cn/"})
    spider = ReportsSpider([source], SeenStore())
    spider._set_crawler(crawler)
    crawler.stats.open_spider()
    url = "http://www.hongze.gov.cn/module/download/downfile.jsp?classid=0&filename=a1b2.pdf"
    body = CORPUS.joinpath("docs", "js-hongze-2024.pdf").read_bytes()
    request = Request(
        url,
        meta={
            "source_id": "hz",
            "entry_title": "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
            "entry_date": "2025-01-20",
        },
    )
    response = Response(url, body=body, request=request, headers={"ETag": '"v1"'})
    [item] = list(spider.parse_report(response))
    assert (item.direct_ext, item.year, item.file_urls) == ("pdf", 2024, [])
    pipeline = ManifestPipeline.from_crawler(crawler)
    asyncio.run(pipeline.process_item(item))
    pipeline.close_spider()
    [row] = read_documents(tmp_path).to_pylist()
    assert (row["kind"], row["url"], row["content_type"], row["etag"]) == (
        "attachment",
        url,
        "application/pdf",
        '"v1"',
    )
    assert row["path"] == f"raw/82/{row['sha256']}.pdf"
    assert row["title"] == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert row["published_date"] == date(2025, 1, 20)  # the list's date, kept as a date
