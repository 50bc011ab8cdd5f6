"""Crawl limits, dropped requests and the bytes-in-flight budget, component by component
(issue 7, failures 3, 4 and 7); tests/test_crawl_hostile.py crawls the hostile portal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, StopDownload
from scrapy.http import Headers, HtmlResponse, Response
from scrapy.utils.test import get_crawler

import crawler.limits as limits_module
from crawler.crawl_process import source_status
from crawler.inflight import DEFERRED, BytesInFlightMiddleware
from crawler.limits import Limits, ListBudget, truncated_key
from crawler.losses import DroppedRequest, dropped_by_reason, record_drop
from crawler.manifest import SeenStore
from crawler.middlewares import SourceDomainsMiddleware
from crawler.settings import crawl_settings
from crawler.sources import SourceError, make_source
from crawler.spiders.reports import ReportsSpider

TONGLU = {
    "id": "tl",
    "name": "桐庐县人民政府",
    "url": "http://www.tonglu.gov.cn/col/col1/index.html",
}


def _spider(limits: Limits, **row: object) -> ReportsSpider:
    crawler = get_crawler(ReportsSpider)
    spider = ReportsSpider([make_source({**TONGLU, **row})], SeenStore(), limits)
    spider._set_crawler(crawler)
    crawler.stats.open_spider()
    return spider


def _hanweb_column(total: int, per_page: int, group: int, embedded: int) -> str:
    records = "".join(
        f"<record><![CDATA[<li><a href='/art/2024/1/{k + 1}/art_1_{k}.html'>"
        f"桐庐县{2008 + k % 17}年政府信息公开工作年度报告</a></li>]]></record>"
        for k in range(embedded)
    )
    return (
        '<html><body><div><script type="text/xml"><datastore><recordset>'
        f"{records}</recordset></datastore></script></div><script>var param_1 = "
        f"{{columnid:1,unitid:'1'}};$('#1').jpage({{totalRecord:{total},perPage:{per_page},"
        f"groupSize:{group}}});</script></body></html>"
    )


def _list_reply(spider: ReportsSpider, text: str, hops: int = 0) -> list[Request]:
    source = spider.sources[0]
    request = Request(source.url, meta={"source_id": source.id, "family": "auto", "hops": hops})
    response = HtmlResponse(source.url, body=text.encode(), encoding="utf-8", request=request)
    return list(spider.parse_list(response))


def test_default_limits_are_settings_the_environment_and_a_source_can_change() -> None:
    settings = crawl_settings(environ={"NIANBAO_MAX_LIST_PAGES": "40"})
    assert settings["NIANBAO_MAX_LIST_DEPTH"] == 3
    assert settings["NIANBAO_MAX_REQUESTS_PER_LIST_PAGE"] == 1000
    assert settings["NIANBAO_MAX_BYTES_IN_FLIGHT"] == 256 * 1024 * 1024
    limits = Limits.from_settings(get_crawler(settings_dict=settings).settings)
    assert limits == Limits(list_pages=40, list_depth=3, requests_per_list_page=1000)
    own = make_source({**TONGLU, "max_list_pages": "5000", "max_list_depth": ""})
    assert limits.for_source(own) == Limits(5000, 3, 1000)
    assert own.to_dict()["max_list_pages"] == 5000 and "max_list_depth" not in own.to_dict()
    with pytest.raises(SourceError, match="max_list_depth '-1' is not a whole number"):
        make_source({**TONGLU, "max_list_depth": "-1"}, "row 1")


def test_a_list_budget_counts_each_list_request_once_and_keeps_the_first_evidence() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    budget = ListBudget("tl", Limits(list_pages=2, list_depth=3, requests_per_list_page=10))
    assert budget.admit_list("http://a/1") and budget.admit_list("http://a/2")
    assert budget.admit_list("http://a/1")  # already issued: costs nothing
    assert not budget.admit_list("http://a/p", "POST", "start=1")  # a third: refused
    assert not budget.admit_list("http://a/3")
    budget.hit(crawler.stats, "list_pages", "http://a/3")
    budget.hit(crawler.stats, "list_pages", "http://a/4")
    stats = crawler.stats.get_stats()
    assert stats[truncated_key("tl")] == "list_pages limit 2 reached at http://a/3"
    assert dropped_by_reason(stats, "tl") == {"limit_list_pages": 2}


def test_a_declared_total_of_100000_records_queues_no_more_than_the_page_limit() -> None:
    """Hanweb totalRecord 100000, perPage 1 queued 100,005 POSTs from one column page."""
    spider = _spider(Limits(list_pages=1000, list_depth=3, requests_per_list_page=50))
    requests = _list_reply(spider, _hanweb_column(100_000, 1, 1, embedded=3))
    assert len(requests) == 50
    assert [r.meta["kind"] for r in requests[:3]] == ["report"] * 3  # reports come first
    assert requests[3].method == "POST" and "startrecord=4&endrecord=4" in requests[3].url
    stats = spider.crawler.stats.get_stats()
    assert stats[truncated_key("tl")] == (
        f"requests_per_list_page limit 50 reached at {TONGLU['url']}"
    )
    assert dropped_by_reason(stats, "tl") == {"limit_requests_per_list_page": 100_000 - 3 - 47}


def test_list_pages_of_a_source_stop_at_its_own_limit() -> None:
    spider = _spider(Limits(1000, 3, 1000), max_list_pages=10)
    requests = _list_reply(spider, _hanweb_column(1000, 5, 1, embedded=5))
    assert [r.meta["kind"] for r in requests].count("list") == 10
    evidence = spider.crawler.stats.get_value(truncated_key("tl"))
    assert evidence.startswith("list_pages limit 10 reached at http://www.tonglu.gov.cn/module")


def test_sub_columns_past_the_list_depth_are_refused_with_evidence() -> None:
    page = '<html><body><a href="/col/col2/index.html">政府信息公开年报</a></body></html>'
    spider = _spider(Limits(1000, 2, 1000))
    [column] = _list_reply(spider, page, hops=1)
    assert (column.meta["kind"], column.meta["hops"]) == ("list", 2)
    assert _list_reply(spider, page, hops=2) == []
    assert spider.crawler.stats.get_value(truncated_key("tl")) == (
        "list_depth limit 2 reached at http://www.tonglu.gov.cn/col/col2/index.html"
    )


def test_a_list_page_that_breaks_a_parser_is_an_error_of_its_source() -> None:
    from twisted.python.failure import Failure

    spider = _spider(Limits(1000, 3, 1000))
    request = Request(TONGLU["url"], meta={"source_id": "tl", "kind": "list"})
    response = HtmlResponse(TONGLU["url"], body=b"<html></html>", request=request)
    spider.on_callback_error(
        Failure(ValueError("range() arg 3 must not be zero")), response, spider
    )
    stats = spider.crawler.stats.get_stats()
    assert (stats["source/tl/errors"], stats["nianbao/errors/parse"]) == (1, 1)


def test_an_offsite_redirect_is_dropped_as_such() -> None:
    spider = _spider(Limits(1000, 3, 1000))
    crawler = spider.crawler
    crawler.spider = spider
    mw = SourceDomainsMiddleware.from_crawler(crawler)
    listed = "http://www.tonglu.gov.cn/art/2024/1/1/art_1_1.html"
    moved = Request(
        "http://www.elsewhere.cn/art_1_1.html",
        meta={"source_id": "tl", "redirect_urls": [listed]},
    )
    with pytest.raises(DroppedRequest) as raised:
        mw.process_request(moved)
    assert raised.value.reason == "offsite_redirect"
    with pytest.raises(DroppedRequest) as raised:
        mw.process_request(Request("http://www.elsewhere.cn/a.pdf", meta={"source_id": "tl"}))
    assert raised.value.reason == "offsite"


def test_requests_are_kept_to_their_domains_before_robots_txt_is_asked_for() -> None:
    """robots.txt was fetched from an off-site host before the domain filter applied."""
    order = crawl_settings()["DOWNLOADER_MIDDLEWARES"]
    domains = order["crawler.middlewares.SourceDomainsMiddleware"]
    assert domains < order["crawler.middlewares.StrictRobotsTxtMiddleware"]


@pytest.mark.parametrize(
    ("stats", "status", "evidence"),
    [
        ({"reports_listed": 24}, "ok", None),
        ({"reports_listed": 24, "dropped/robots": 1}, "ok", "dropped: robots 1"),
        (
            {"reports_listed": 5, "dropped/offsite_redirect": 3, "dropped/robots": 1},
            "incomplete",
            "3 requests lost (e.g. A → B); dropped: offsite_redirect 3, robots 1",
        ),
        (
            {"dropped/offsite_redirect": 1},
            "failed",
            "no reports listed: offsite_redirect (e.g. A → B); dropped: offsite_redirect 1",
        ),
        (
            {"reports_listed": 24, "truncated": "list_pages limit 1000 reached at X"},
            "truncated",
            "list_pages limit 1000 reached at X",
        ),
        ({"dropped/robots": 3}, "empty", "robots.txt forbids its pages; dropped: robots 3"),
        ({"errors": 2}, "failed", "2 errors and no reports listed"),
    ],
)
def test_a_source_status_says_what_happened(stats: dict, status: str, evidence: str) -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    for key, value in stats.items():
        if key.startswith("dropped/"):
            record_drop(crawler.stats, "s", key.removeprefix("dropped/"), "A → B", value)
        else:
            crawler.stats.set_value(f"source/s/{key}", value)
    assert source_status(crawler.stats.get_stats(), "s") == (status, evidence)


def test_bytes_in_flight_stay_within_the_budget_and_every_download_still_runs() -> None:
    """Sixteen parallel 95 MB pages held 1.9 GB: DOWNLOAD_MAXSIZE caps one response only."""
    crawler = get_crawler(settings_dict={"NIANBAO_MAX_BYTES_IN_FLIGHT": 1000})
    crawler.stats.open_spider()
    mw = BytesInFlightMiddleware.from_crawler(crawler)
    small, large, late = (Request(f"http://www.tonglu.gov.cn/{n}") for n in "abc")

    async def scenario() -> list[int]:
        totals = []
        assert mw.process_request(small) is None and mw.process_request(large) is None
        mw.on_headers(Headers(), 600, small, None)
        totals.append(mw.total)
        with pytest.raises(StopDownload):  # 600 + 600 > 1000 while `small` runs
            mw.on_headers(Headers(), 600, large, None)
        again = mw.process_exception(large, StopDownload(fail=True))
        assert again.meta[DEFERRED] and again.dont_filter and again.url == large.url
        lane = asyncio.ensure_future(mw.process_request(again))
        await asyncio.sleep(0.1)
        newcomer = asyncio.ensure_future(mw.process_request(late))  # waits: the lane is next
        await asyncio.sleep(0.2)
        assert not lane.done() and not newcomer.done()  # both wait while `small` runs
        mw.process_response(small, Response(small.url))
        await asyncio.wait_for(lane, 5)
        await asyncio.wait_for(newcomer, 5)
        mw.on_headers(Headers(), 5000, again, None)  # the lane may pass the budget
        totals.append(mw.total)
        with pytest.raises(StopDownload):  # any other download then waits for it
            mw.on_headers(Headers(), 10, late, None)
        assert mw.process_exception(late, StopDownload(fail=True)).meta[DEFERRED]
        mw.process_response(again, Response(again.url))
        totals.append(mw.total)
        return totals

    assert asyncio.run(scenario()) == [600, 5000, 0]
    stats = crawler.stats.get_stats()
    assert stats["nianbao/bytes_in_flight_deferred"] == 2
    assert stats["nianbao/bytes_in_flight_max"] == 5000


def test_nothing_runs_beside_the_lane_whichever_headers_come_first() -> None:
    """The lane's size is known only at its headers: a newcomer whose headers came first
    was admitted, and the two held 8 MB against a 5 MB budget (test_crawl_hostile)."""
    crawler = get_crawler(settings_dict={"NIANBAO_MAX_BYTES_IN_FLIGHT": 1000})
    crawler.stats.open_spider()
    mw = BytesInFlightMiddleware.from_crawler(crawler)
    large, late = (Request(f"http://www.tonglu.gov.cn/{n}") for n in "ab")
    large.meta[DEFERRED] = True

    async def scenario() -> None:
        await asyncio.wait_for(mw.process_request(large), 5)  # the lane: nothing else runs
        assert mw.process_request(late) is None  # admitted: the lane's size is not known yet
        with pytest.raises(StopDownload):  # 600 fits the budget, but the lane runs
            mw.on_headers(Headers(), 600, late, None)
        mw.process_exception(late, StopDownload(fail=True))
        mw.on_headers(Headers(), 900, large, None)

    asyncio.run(scenario())
    assert mw.total == 900 and crawler.stats.get_value("nianbao/bytes_in_flight_max") == 900


def test_a_download_of_unknown_size_is_capped_at_its_share_and_restarts_alone() -> None:
    crawler = get_crawler(settings_dict={"NIANBAO_MAX_BYTES_IN_FLIGHT": 1000})
    crawler.stats.open_spider()
    mw = BytesInFlightMiddleware.from_crawler(crawler)
    chunked = Request("http://www.tonglu.gov.cn/chunked")
    assert mw.process_request(chunked) is None
    mw.on_headers(Headers(), -1, chunked, None)  # no Content-Length
    assert (mw.total, chunked.meta["download_maxsize"]) == (1000, 1000)
    again = mw.process_exception(chunked, DownloadCancelledError("larger than 1000 bytes"))
    assert again.meta[DEFERRED] and "download_maxsize" not in again.meta
    assert mw.total == 0 and mw.process_exception(again, DownloadCancelledError()) is None


def test_dropped_requests_are_counted_by_reason_with_an_example() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    record_drop(crawler.stats, "s", "offsite_redirect", "http://a/1 → http://b/1")
    record_drop(crawler.stats, "s", "offsite_redirect", "http://a/2 → http://b/2")
    stats = crawler.stats.get_stats()
    assert json.dumps(dropped_by_reason(stats, "s")) == '{"offsite_redirect": 2}'
    assert stats["source/s/dropped_example/offsite_redirect"] == "http://a/1 → http://b/1"


def test_docs_list_every_limit_with_its_default() -> None:
    text = (Path(__file__).parents[1] / "docs" / "faults.md").read_text(encoding="utf-8")
    section = text.split("## Crawl limits", 1)[1].split("\n## ", 1)[0]
    table = {
        cells[1].strip("` "): cells[2].split()[0]
        for cells in (line.split("|")[1:-1] for line in section.splitlines())
        if len(cells) == 5 and cells[1].strip().startswith("`NIANBAO_")
    }
    defaults = crawl_settings(environ={})
    assert table == {
        name: str(defaults[name])
        for name in (*limits_module.SETTINGS.values(), "NIANBAO_MAX_BYTES_IN_FLIGHT")
    }
