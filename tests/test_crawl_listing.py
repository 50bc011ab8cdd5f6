"""List parsers per CMS family and the report classifier, on recorded responses.

Fixtures: tests/fixtures/pages (see PROVENANCE.md there).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.listing import hanweb, jsonapi, trs
from crawler.listing.classify import infer_year, is_column_title, is_report_title, parse_date
from crawler.listing.dispatch import parse_list

PAGES = Path(__file__).parent / "fixtures" / "pages"
PUTIAN_KJJ = "http://www.putian.gov.cn/zfxxgk/bmzfxxgk/ptkjj/zfxxgk/zfxxgknb/"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


# -- classifier ------------------------------------------------------------------------------


def test_real_report_titles_are_reports() -> None:
    for title in (
        "莆田市科学技术局2021年政府信息公开工作年度报告",
        "莆田市科技局2013年度政府信息公开工作年度报告",
        "太平镇人民政府2022年政府信息公开工作年度报告",
        "2022年度螅镇政府信息公开工作年度报告",
        "舒兰市市场监督管理局2016年政务信息公开年度报告",
        "沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局",
        "莆田市科学技术局2023年政府信息公开工作年度...",
    ):
        assert is_report_title(title), title


def test_notices_and_columns_are_not_reports() -> None:
    for title in (
        "莆田市2025年政务公开工作要点",
        "关于做好2024年度政府信息公开工作年度报告编制发布工作的通知",
        "2022年政府信息公开工作年度报告解读",
        "政府信息公开年报",
        "政府信息公开指南",
        "省综合应急救援工作督导组到樟树督导",
        "",
    ):
        assert not is_report_title(title), title
    assert is_column_title("政府信息公开年报")
    assert is_column_title("信息公开年度报告")
    assert not is_column_title("莆田市科学技术局2021年政府信息公开工作年度报告")


def test_year_covered_comes_from_the_title_then_the_publication_date() -> None:
    assert infer_year("莆田市科学技术局2021年政府信息公开工作年度报告") == 2021
    assert infer_year("2022年度螅镇政府信息公开工作年度报告") == 2022
    assert infer_year("高岭镇_2017年_政府信息公开工作年度报告") == 2017
    assert infer_year("二〇一九年政府信息公开工作年度报告") == 2019
    assert infer_year("政府信息公开工作年度报告（2020）") == 2020
    assert infer_year("某局政府信息公开工作年度报告", "2020-01-31") == 2019
    assert infer_year("某局政府信息公开工作年度报告") is None


def test_dates_in_the_shapes_portals_print() -> None:
    assert parse_date("2022-01-13 17:09") == "2022-01-13"
    assert parse_date("2026.01.06 00:00:00") == "2026-01-06"
    assert parse_date("发布日期：2020年1月31日") == "2020-01-31"
    assert parse_date("t20220113_1698102.htm") == "2022-01-13"
    assert parse_date("2022-13-45") is None
    assert parse_date(None) is None


@given(
    agency=st.sampled_from(["莆田市科学技术局", "太平镇人民政府", "上海市人民政府办公厅", ""]),
    year=st.integers(min_value=2008, max_value=2025),
    suffix=st.sampled_from(["年政府信息公开工作年度报告", "年度政府信息公开工作年度报告"]),
)
def test_any_report_title_is_kept_with_its_year(agency: str, year: int, suffix: str) -> None:
    title = f"{agency}{year}{suffix}"
    assert is_report_title(title)
    assert infer_year(title, f"{year + 1}-01-20") == year


@given(st.text(max_size=300))
def test_classifier_and_year_never_crash(text: str) -> None:
    assert isinstance(is_report_title(text), bool)
    year = infer_year(text, text)
    assert year is None or 2007 <= year <= 2100


# -- TRS WCM ---------------------------------------------------------------------------------


def test_trs_pager_of_the_zhangshu_list_gives_all_21_pages() -> None:
    result = parse_list(
        "http://www.zhangshu.gov.cn/zwgk/index.html", page("trs-zhangshu-list.html")
    )
    assert result.family == "trs"
    assert result.entries == []  # 省综合应急救援工作督导组到樟树督导 is not a report
    urls = [r.url for r in result.follow]
    assert urls[0] == "http://www.zhangshu.gov.cn/zwgk/index_1.html"
    assert urls[-1] == "http://www.zhangshu.gov.cn/zwgk/index_20.html"
    assert len(urls) == 20


def test_trs_list_keeps_reports_and_drops_notices() -> None:
    result = parse_list(PUTIAN_KJJ, page("trs-report-list.html"), "trs")
    reports = [(e.url.removeprefix(PUTIAN_KJJ), e.date) for e in result.entries if not e.is_column]
    assert reports == [
        ("202601/t20260120_2043430.htm", "2026-01-20"),
        ("202501/t20250121_1971034.htm", "2025-01-21"),
        ("202501/t20250121_1971033.htm", "2024-01-18"),
    ]
    columns = [e.url for e in result.entries if e.is_column]
    assert columns == [PUTIAN_KJJ]  # the left navigation's 政府信息公开年报
    assert [r.url.removeprefix(PUTIAN_KJJ) for r in result.follow] == ["index_1.htm", "index_2.htm"]


def test_trs_six_argument_pager_is_probed_page_by_page() -> None:
    text = "<script>createPageHTML('page_div',10, 1,'dezlist','shtml',149);</script>"
    base = "http://zjt.hainan.gov.cn/xxgk/"
    assert trs.pager_urls(base + "dezlist.shtml", text) == [
        base + "dezlist_1.shtml",
        base + "dezlist_2.shtml",
    ]
    assert trs.pager_urls(base + "dezlist_2.shtml", text) == [base + "dezlist_3.shtml"]


# -- Hanweb ----------------------------------------------------------------------------------


def test_hanweb_column_builds_dataproxy_groups_from_param() -> None:
    url = "http://www.jiangsu.gov.cn/col/col33718/index.html"
    result = parse_list(url, page("hanweb-jiangsu-column.html"))
    assert result.family == "hanweb"
    assert result.entries == []  # 连云港跨里海班列运输提质提速 is news
    first, last = result.follow[0], result.follow[-1]
    assert first.method == "POST"
    assert first.url == (
        "http://www.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp"
        "?startrecord=2&endrecord=58&perpage=19"
    )
    body = parse_qs(first.body)
    assert body["columnid"] == ["33718"] and body["unitid"] == ["212860"]
    assert first.headers["Referer"] == url
    assert last.url.endswith("startrecord=4847&endrecord=4895&perpage=19")
    assert len(result.follow) == 86


def test_hanweb_records_in_both_markup_variants() -> None:
    url = "https://www.tonglu.gov.cn/col/col1229140160/index.html"
    result = parse_list(url, page("hanweb-report-list.html"), "hanweb")
    assert [(e.url, e.date) for e in result.entries] == [
        ("https://www.tonglu.gov.cn/art/2024/1/17/art_1229140160_87194.html", "2024-01-17"),
        ("http://www.tonglu.gov.cn/art/2024/1/16/art_1229140160_86714.html", "2024-01-16"),
    ]
    starts = [r.url.split("?", 1)[1] for r in result.follow]
    assert starts == [
        "startrecord=4&endrecord=48&perpage=15",
        "startrecord=49&endrecord=93&perpage=15",
        "startrecord=94&endrecord=100&perpage=15",
    ]
    assert "webname=%E6%A1%90%E5%BA%90%E5%8E%BF" in result.follow[0].body


def test_hanweb_overlapping_groups_are_deduplicated_by_url() -> None:
    record = (
        "<record><![CDATA[<li><a href='/art/2024/1/17/art_1229140160_87194.html' "
        "title='桐庐县2023年政府信息公开工作年度报告'>x</a><span>2024-01-17</span></li>]]></record>"
    )
    reply = f"<datastore><recordset>{record}{record}</recordset></datastore>"
    entries = hanweb.records("https://www.tonglu.gov.cn/module/web/jpage/dataproxy.jsp", reply)
    assert len(entries) == 1


def test_hanweb_page_numbered_reply_asks_for_the_remaining_pages() -> None:
    url = (
        "http://www.yuhang.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3095"
        "&path=/&columnid=1229165988&unitid=6101313"
    )
    result = parse_list(url, page("hanweb-yuhang-dataproxy.xml"))
    assert result.entries == []  # the quoted record's title is elided ("…")
    assert len(result.follow) == 308  # <totalpage>309</totalpage>
    assert "page=309&" in result.follow[-1].url


# -- JSON APIs -------------------------------------------------------------------------------


def test_fjdzapp_reply_pages_and_filters() -> None:
    url = "https://www.sm.gov.cn/zc/xzgfxwj/_lists/api_p001.json"
    result = parse_list(url, page("fjdzapp-sanming-api_p001.json"))
    assert result.family == "fjdzapp"
    assert result.entries == []  # 三明市人民政府办公室关于印发…的通知
    assert [r.url for r in result.follow] == [
        "https://www.sm.gov.cn/zc/xzgfxwj/_lists/api_p002.json",
        "https://www.sm.gov.cn/zc/xzgfxwj/_lists/api_p003.json",
    ]


def test_fjdzapp_report_entry_keeps_list_metadata_as_hints() -> None:
    payload = {
        "page": 1,
        "pageCount": 1,
        "data": [
            {
                "docid2": 1698102,
                "doctitle": "莆田市科学技术局2021年政府信息公开工作年度报告",
                "url": "https://www.putian.gov.cn/zfxxgk/bmzfxxgk/ptkjj/zfxxgk/zfxxgknb/202201/t20220113_1698102.htm",
                "pubdate": "2022.01.13 17:09:00",
                "puborg": "莆田市科技局",
                "idxid": "",
            }
        ]
        * 2,
    }
    result = jsonapi.parse_fjdzapp("https://www.putian.gov.cn/fjdzapp/search?page=1", payload)
    assert len(result.entries) == 1  # the same docid listed twice
    entry = result.entries[0]
    assert entry.date == "2022-01-13"
    assert entry.hints == {"agency": "莆田市科技局"}


def test_fjdzapp_column_page_bootstraps_the_search_api() -> None:
    text = "<script>var channelid = '201988'; $.ajax({url: '/fjdzapp/search'});</script>"
    result = parse_list("https://www.putian.gov.cn/zfxxgk/zfxxgkndbg/", text)
    assert result.family == "fjdzapp"
    assert [r.url for r in result.follow] == [
        "https://www.putian.gov.cn/fjdzapp/search?channelid=201988&page=1&prepage=100"
    ]


def test_gkmlpt_reply_and_config_bootstrap() -> None:
    url = "http://www.gd.gov.cn/gkmlpt/api/all/0?page=1&sid=2"
    result = parse_list(url, page("gkmlpt-api-all.json"), "gkmlpt")
    assert [(e.url, e.date, e.hints) for e in result.entries] == [
        (
            "http://www.gd.gov.cn/gkmlpt/content/4/4284/post_4284753.html",
            "2023-03-31",
            {"agency": "广东省人民政府办公厅"},
        )
    ]
    assert [r.url for r in result.follow] == [
        "http://www.gd.gov.cn/gkmlpt/api/all/0?page=2&sid=2",
        "http://www.gd.gov.cn/gkmlpt/api/all/0?page=3&sid=2",
    ]
    boot = parse_list(
        "http://www.gd.gov.cn/gkmlpt/index",
        "<script>window._CONFIG = {SID: '2', TREE: []}</script>",
    )
    assert [r.url for r in boot.follow] == ["http://www.gd.gov.cn/gkmlpt/api/all/0?page=1&sid=2"]
    assert boot.follow[0].headers["Referer"] == "http://www.gd.gov.cn/gkmlpt/policy"


# -- plain next links and discovery ----------------------------------------------------------


def test_next_page_link_and_column_discovery_by_link_text() -> None:
    text = """<html><body>
      <a href="/zwgk/zfxxgk/zfxxgkzn/">政府信息公开指南</a>
      <a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a>
      <a href="list_2.html">下一页</a></body></html>"""
    result = parse_list("http://www.bjmy.gov.cn/zwgk/zfxxgk/", text)
    assert [(e.url, e.is_column) for e in result.entries] == [
        ("http://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/", True)
    ]
    assert [r.url for r in result.follow] == ["http://www.bjmy.gov.cn/zwgk/zfxxgk/list_2.html"]


@given(st.text(max_size=2000), st.sampled_from(["auto", "trs", "hanweb", "fjdzapp", "gkmlpt"]))
def test_list_parsers_never_crash_on_arbitrary_replies(text: str, hint: str) -> None:
    result = parse_list("http://www.example.gov.cn/col/index.html", text, hint)
    assert all(e.url.startswith("http") for e in result.entries)


def test_hanweb_reply_without_cdata_and_total_only_in_the_datastore() -> None:
    column = """<html><body><script type="text/xml"><datastore><totalrecord>40</totalrecord>
      <recordset><record><li><a href="/art/2024/1/16/art_1229779591_86714.html"
      title="溪下乡2023年政府信息公开工作年度报告">溪下乡2023年…</a><i>2024-01-16</i></li></record>
      </recordset></datastore></script>
      <script>var param_745545 = {col:1,webid:355,path:'/',columnid:1229779591,unitid:'745545'};
      $('#745545').jpage({perPage:10,groupSize:2});</script></body></html>"""
    result = parse_list("https://www.yj.gov.cn/col/col1229779591/index.html", column)
    assert [(e.url, e.date) for e in result.entries] == [
        ("https://www.yj.gov.cn/art/2024/1/16/art_1229779591_86714.html", "2024-01-16")
    ]
    assert [r.url.split("?")[1] for r in result.follow] == [
        "startrecord=2&endrecord=21&perpage=10",
        "startrecord=22&endrecord=40&perpage=10",
    ]


def test_fjdzapp_page_count_from_record_count() -> None:
    payload = {"page": 1, "prepage": 20, "recordCount": 45, "data": []}
    url = "https://www.putian.gov.cn/fjdzapp/search?channelid=201988&page=1&prepage=20"
    result = jsonapi.parse_fjdzapp(url, payload)
    assert [r.url.rsplit("&", 2)[1] for r in result.follow] == ["page=2", "page=3"]


def test_year_folders_of_a_report_column_are_sub_columns() -> None:
    text = (
        '<a href="gknb2017/">2017年</a><a href="gknb2018/index.html">2018</a><a href="/x/">首页</a>'
    )
    result = parse_list("http://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/", text)
    assert [(e.url, e.is_column) for e in result.entries] == [
        ("http://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/gknb2017/", True),
        ("http://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/gknb2018/index.html", True),
    ]


@given(
    count=st.integers(min_value=1, max_value=400),
    name=st.sampled_from(["index", "list", "dezlist"]),
    ext=st.sampled_from(["html", "htm", "shtml"]),
)
def test_trs_pager_announces_every_page_once(count: int, name: str, ext: str) -> None:
    text = f'<script>createPageHTML({count}, 0, "{name}", "{ext}");</script>'
    urls = trs.pager_urls(f"http://www.putian.gov.cn/zfxxgk/{name}.{ext}", text)
    assert urls == [f"http://www.putian.gov.cn/zfxxgk/{name}_{k}.{ext}" for k in range(1, count)]
    later = f'<script>createPageHTML({count}, 1, "{name}", "{ext}");</script>'
    assert trs.pager_urls(f"http://www.putian.gov.cn/zfxxgk/{name}_1.{ext}", later) == []


@given(
    total=st.integers(min_value=0, max_value=3000),
    per_page=st.integers(min_value=1, max_value=50),
    group=st.integers(min_value=1, max_value=5),
)
@settings(deadline=None)  # thousands of groups: hypothesis's 200 ms is a timing test on 2 cores
def test_hanweb_groups_cover_every_record_once(total: int, per_page: int, group: int) -> None:
    embedded = min(total, per_page * group)
    records = "".join(
        f"<record><![CDATA[<li><a href='/art/2024/1/1/art_1_{k}.html'>x</a></li>]]></record>"
        for k in range(embedded)
    )
    column = (
        f'<div><script type="text/xml"><datastore><recordset>{records}</recordset></datastore>'
        f"</script></div><script>var param_1 = {{columnid:1,unitid:'1'}};"
        f"$('#1').jpage({{totalRecord:{total},perPage:{per_page},groupSize:{group}}});</script>"
    )
    covered = set(range(1, embedded + 1))
    for request in hanweb.group_requests(
        "http://www.nbjb.gov.cn/col/col1/index.html", column, embedded
    ):
        query = dict(parse_qs(request.url.split("?", 1)[1]))
        start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
        assert not covered & set(range(start, end + 1))
        covered |= set(range(start, end + 1))
    assert covered == set(range(1, total + 1))


def test_fjdzapp_column_page_with_static_json_pages() -> None:
    text = """<script>function loadPage(pageNo) {
      $.getJSON('/zfxxgk/zfxxgkndbg/_lists/api_p' + ('00' + pageNo).slice(-3) + '.json', f);
    }</script>"""
    result = parse_list("https://www.sm.gov.cn/zfxxgk/zfxxgkndbg/", text)
    assert result.api_first
    assert [r.url for r in result.follow] == [
        "https://www.sm.gov.cn/zfxxgk/zfxxgkndbg/_lists/api_p001.json"
    ]


def test_other_json_lists_give_their_reports() -> None:
    jpaas = {
        "success": True,
        "data": {
            "html": '<li class="clearfix"><a href="/art/2024/1/17/art_1229140160_87194.html">'
            "桐庐县2023年政府信息公开工作年度报告</a><span>2024-01-17</span></li>"
            '<li><a href="/art/2024/3/1/art_1_9.html">2024年政务公开工作要点</a></li>'
        },
    }
    result = jsonapi.parse_generic("https://www.tonglu.gov.cn/api-gateway/x", jpaas)
    assert [(e.url, e.date) for e in result.entries] == [
        ("https://www.tonglu.gov.cn/art/2024/1/17/art_1229140160_87194.html", "2024-01-17")
    ]
    nested = {
        "result": {
            "list": [
                {
                    "name": "太平镇人民政府2022年政府信息公开工作年度报告",
                    "link": "/xxgk/nb/2023-01-18.html",
                    "pubDate": "2023-01-18",
                }
            ]
        }
    }
    [entry] = parse_list(
        "https://www.example.gov.cn/api", json.dumps(nested, ensure_ascii=False)
    ).entries
    assert (entry.url, entry.date) == (
        "https://www.example.gov.cn/xxgk/nb/2023-01-18.html",
        "2023-01-18",
    )


def test_hanweb_front_end_paging_links_are_followed() -> None:
    text = """<html><body><div id="1"><script type="text/xml"><datastore><recordset>
      </recordset></datastore></script></div>
      <a href="index.html?uid=380055&pageNum=2">下一页</a></body></html>"""
    url = "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html"
    result = parse_list(url, text)
    assert [r.url for r in result.follow] == [url + "?uid=380055&pageNum=2"]


def test_short_titles_count_inside_a_report_column_only() -> None:
    assert is_report_title("莆田市科学技术局2023年政府信息公开工作年度")  # cut, no ellipsis
    assert not is_report_title("城厢区农业农村局2023年度报告")
    assert is_report_title("城厢区农业农村局2023年度报告", in_report_column=True)
    assert is_report_title("2019年年报", in_report_column=True)
    for other in ("2024年政府工作报告", "2023年度法治政府建设年度报告", "2022年度部门决算报告"):
        assert not is_report_title(other, in_report_column=True), other
    page = """<html><head><meta name="ColumnName" content="政府信息公开年报"></head><body>
      <a href="./202401/t20240117_1.htm">城厢区农业农村局2023年度报告</a>
      <a href="./202403/t20240320_2.htm">2024年政府工作报告</a></body></html>"""
    result = parse_list("http://www.chengxiang.gov.cn/zfxxgk/gkml/", page)
    assert [e.url.rsplit("/", 1)[1] for e in result.entries] == ["t20240117_1.htm"]
    elsewhere = page.replace("政府信息公开年报", "通知公告")
    assert parse_list("http://www.chengxiang.gov.cn/zfxxgk/gkml/", elsewhere).entries == []


def _hanweb_column(total: str, per_page: str, group: str, embedded: int) -> str:
    records = "".join(
        f"<record><![CDATA[<li><a href='/art/2024/1/1/art_1_{k}.html'>x</a></li>]]></record>"
        for k in range(embedded)
    )
    return (
        f'<div><script type="text/xml"><datastore><recordset>{records}</recordset></datastore>'
        f"</script></div><script>var param_1 = {{columnid:1,unitid:'1'}};"
        f"$('#1').jpage({{totalRecord:{total},perPage:{per_page},groupSize:{group}}});</script>"
    )


@given(
    total=st.integers(min_value=0, max_value=3000),
    per_page=st.one_of(
        st.integers(min_value=0, max_value=50).map(str), st.sampled_from(["x", "-3", "''"])
    ),
    group=st.one_of(st.integers(min_value=0, max_value=5).map(str), st.sampled_from(["y", "-1"])),
    embedded=st.integers(min_value=0, max_value=60),
)
@settings(deadline=None)
def test_hanweb_page_sizes_from_the_page_never_divide_by_zero(
    total: int, per_page: str, group: str, embedded: int
) -> None:
    """perPage 0 (or not a number) raised ValueError and lost the embedded records; now the
    groups step by what the page embedded, and still cover every record once."""
    embedded = min(embedded, total)
    column = _hanweb_column(str(total), per_page, group, embedded)
    requests = hanweb.group_requests("http://www.nbjb.gov.cn/col/col1/index.html", column, embedded)
    covered = set(range(1, embedded + 1))
    for request in requests:
        query = dict(parse_qs(request.url.split("?", 1)[1]))
        start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
        assert int(query["perpage"][0]) > 0
        assert not covered & set(range(start, end + 1))
        covered |= set(range(start, end + 1))
    sizes_known = per_page.isdigit() and group.isdigit() and int(per_page) * int(group) > 0
    if sizes_known or embedded:
        assert covered == set(range(1, total + 1))
    else:
        assert requests == []


def test_hanweb_column_with_per_page_zero_keeps_its_embedded_records() -> None:
    column = _hanweb_column("100", "0", "3", 20).replace("<div>", "<body><div>")
    result = parse_list("http://www.tl.gov.cn/col/col1/index.html", column, "hanweb")
    assert len(result.entries) == 0  # the records say "x": not report titles
    titled = column.replace(">x<", ">桐庐县2023年政府信息公开工作年度报告<")
    result = parse_list("http://www.tl.gov.cn/col/col1/index.html", titled, "hanweb")
    assert len(result.entries) == 20
    assert [r.url.split("?")[1] for r in result.follow] == [
        "startrecord=21&endrecord=40&perpage=20",
        "startrecord=41&endrecord=60&perpage=20",
        "startrecord=61&endrecord=80&perpage=20",
        "startrecord=81&endrecord=100&perpage=20",
    ]
