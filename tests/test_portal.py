"""The local test portal behaves like the real portals of docs/portals.md, and knows its truth."""

from __future__ import annotations

import concurrent.futures
import io
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from nianbao.demo import Portal, Truth
from nianbao.demo.content import Corpus
from nianbao.demo.sites import EXAMPLE_PREFIX, proxy_slice
from tests.conftest import FIXTURES, load_gold, wait_until

TRS = "portal-trs-zhangshu"
HANWEB = "portal-hanweb-tonglu"
FJ = "portal-fj-putian"
NEXT = "portal-next-qidong"
XXGK = "portal-xxgk-miyun"
WAF = "portal-waf-zhenan"
ROBOTS = "portal-robots-shunyi"
LATE = "portal-late-linan"
NIANBAO = str(Path(sys.executable).parent / "nianbao")
PROXY_FORM = (
    "col=1&appid=1&webid=3095&path=%2F&columnid=1229140160&sourceContentType=1"
    "&unitid=6101313&webname=%E6%A1%90%E5%BA%90&permissiontype=0"
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) without following redirects or raising on errors."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=20) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    with Portal(reports_per_site=12, slow_seconds=0.3) as p:
        yield p


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li>.*?<a href="([^"]+)"[^>]*title="([^"]+)"', html)


def trs_rows(portal: Portal, source: str, first: str) -> tuple[list[str], str]:
    """All hrefs of a TRS list (absolute), following its pager call; and the first call."""
    site = portal.site(source)
    status, headers, body = fetch(first)
    assert status == 200
    text = body.decode("gb18030")
    call = re.search(r"createPageHTML\(([^)]*)\);</script>", text)[1]
    args = [a.strip(" '\"") for a in call.split(",")]
    count = int(args[0] if len(args) == 4 else args[1])
    shift = 1 if site.pager == "trs6-1" else 0
    names = ["index.html"] + [f"index_{k + shift}.html" for k in range(1, count)]
    hrefs = []
    for name in names:
        status, _, body = fetch(urljoin(first, name))
        assert status == 200, name
        hrefs += [urljoin(first, h) for h, _ in links(body.decode("gb18030"))]
    return hrefs, call


def check_truth(truth: Truth, listed: list[str]) -> None:
    """The list links exactly the truth: reports (one listed twice), the faults, non-reports."""
    listed = [truth.aliases.get(u, u) for u in listed]
    assert listed.count(truth.duplicate) == 2
    redirect_starts = set(truth.redirects)
    skipped = truth.not_found | truth.disallowed | truth.non_reports | truth.offsite
    fetched = set(listed) - skipped - redirect_starts
    assert fetched | set(truth.redirects.values()) == truth.reports
    assert truth.not_found <= set(listed) and truth.non_reports <= set(listed)
    assert redirect_starts <= set(listed)
    assert {truth.transient, truth.slow} <= truth.reports


# --- TRS in GBK ----------------------------------------------------------------------------


def test_trs_list_is_gbk_with_pager_over_three_pages(portal: Portal) -> None:
    site = portal.site(TRS)
    status, headers, body = fetch(site.url("/zwgk/zfxxgknb/index.html"))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=GBK"
    assert b'content="text/html; charset=gb2312"' in body
    assert "政府信息公开年报".encode("gbk") in body
    listed, call = trs_rows(portal, TRS, site.url("/zwgk/zfxxgknb/index.html"))
    _, count = site.page_rows(0)
    assert count >= 3 and call == f'{count}, 0, "index", "html"'
    assert fetch(site.url(f"/zwgk/zfxxgknb/index_{count}.html"))[0] == 404
    assert re.fullmatch(r"/zwgk/zfxxgknb/\d{6}/t\d{8}_\d+\.html", urlsplit(listed[0]).path)
    truth = portal.expected()[TRS]
    check_truth(truth, listed)
    (elsewhere,) = truth.offsite  # a report the Hanweb site serves
    assert elsewhere in listed and elsewhere in portal.expected()[HANWEB].reports


def test_trs_report_page_is_the_real_report(portal: Portal) -> None:
    truth = portal.expected()[TRS]
    url = next(u for u, doc in truth.corpus.items() if doc == "fj-putian-cgj-2025")
    status, headers, body = fetch(url)
    text = body.decode("gbk")
    assert status == 200
    assert "<div class=TRS_Editor>" in text
    assert "<td>发布机构：</td><td>莆田市城市管理局</td>" in text
    assert re.search(r"<td>索 引 号：</td><td>360982-2026-\d{5}</td>", text)
    gold = load_gold("fj-putian-cgj-2025")
    fees = next(p["value"] for p in gold["proactive"] if p["item"] == "fees")
    assert str(fees) in text  # 282.068 (万元), as in the corpus page
    corpus = Path("tests/fixtures/corpus/docs/fj-putian-cgj-2025.html").read_text("utf-8")
    for cell in re.findall(r">\s*(\d{2,})\s*<", corpus):
        assert f">{cell}<" in text


def test_trs_attachments_are_real_files(portal: Portal) -> None:
    truth = portal.expected()[TRS]
    kinds = set()
    for url in sorted(truth.attachments):
        status, headers, body = fetch(url)
        assert status == 200
        kind = url.rsplit(".", 1)[-1]
        if kind == "pdf":
            assert body.startswith(b"%PDF-") and headers["Content-Type"] == "application/pdf"
        elif kind == "doc":
            assert (
                body.startswith(b"\xd0\xcf\x11\xe0")
                and headers["Content-Type"] == "application/msword"
            )
        else:
            assert zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml")
        assert re.search(r"/\d{6}/P0\d{20}\.(pdf|docx|doc)$", url)
        kinds.add(kind)
    assert kinds >= {"pdf", "docx"}


def test_report_made_only_of_pictures(portal: Portal) -> None:
    """The late site publishes its 2024 report as the six page pictures of a real scan."""
    pictured = {s: t for s, t in portal.expected().items() if t.image_only}
    assert list(pictured) == [LATE]
    truth = pictured[LATE]
    (page,) = truth.image_only
    assert page in truth.reports and len(truth.images) == 6
    assert truth.documents[page]["year"] == 2024
    assert not truth.images & truth.attachments
    text = fetch(page)[2].decode(portal.site(LATE).charset)
    srcs = [urljoin(page, s) for s in re.findall(r'<img src="([^"]+)"', text)]
    assert set(srcs) == truth.images
    scans = FIXTURES / "scans/docs/js-huaian-2024-img_files"
    for k, url in enumerate(srcs, start=1):
        status, headers, body = fetch(url)
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        assert body == (scans / f"p{k}.jpg").read_bytes()  # in page order


# --- Hanweb ----------------------------------------------------------------------------------


def hanweb_hrefs(xml: str, base: str) -> list[str]:
    records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)
    return [urljoin(base, re.search(r"href=['\"]([^'\"]+)", r)[1]) for r in records]


def test_hanweb_datastore_and_overlapping_dataproxy_groups(portal: Portal) -> None:
    site = portal.site(HANWEB)
    col = site.url("/col/col1229140160/index.html")
    status, headers, body = fetch(col)
    page = body.decode("utf-8")
    assert status == 200
    store = re.search(r'<script type="text/xml"><datastore>(.*?)</datastore></script>', page, re.S)
    assert re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"', store[1])
    param = re.search(r"var param_\d+ = \{([^}]+)\}", page)[1]
    assert "columnid:1229140160" in param and "unitid:'6101313'" in param
    total = int(re.search(r"totalRecord:(\d+)", page)[1])
    per_page = int(re.search(r"perPage:(\d+)", page)[1])
    group = per_page * int(re.search(r"groupSize:(\d+)", page)[1])
    listed = hanweb_hrefs(store[1], col)
    assert len(listed) == group and total > 2 * group  # at least three groups
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "Referer": col}
    for start in range(group + 1, total + 1, group):
        query = f"startrecord={start}&endrecord={start + group - 1}&perpage={per_page}"
        status, h, body = fetch(
            site.url(f"/module/web/jpage/dataproxy.jsp?{query}"), PROXY_FORM.encode(), headers
        )
        reply = body.decode("utf-8")
        assert status == 200 and h["Content-Type"].startswith("text/xml")
        assert f"<totalrecord>{total}</totalrecord>" in reply
        hrefs = hanweb_hrefs(reply, col)
        assert hrefs[0] == listed[-1]  # the overlap record: the previous group's last
        assert hrefs[1].startswith("http://")  # replies use absolute links
        listed += hrefs[1:]
    assert len(listed) == total
    check_truth(portal.expected()[HANWEB], listed)
    # The incomplete <nextgroup> URL (no column parameters) returns a blank reply.
    assert fetch(site.url("/module/web/jpage/dataproxy.jsp?page=2"))[2] == b""


def test_hanweb_report_is_zoom_body_with_download_links(portal: Portal) -> None:
    truth = portal.expected()[HANWEB]
    url = next(u for u, doc in truth.corpus.items() if doc == "fj-putian-cgj-2021")
    assert re.search(r"/art/2022/1/13/art_1229140160_\d+\.html$", url)
    text = fetch(url)[2].decode("utf-8")
    zoom = text[text.index('<div id="zoom">') :]
    assert "170.42" in zoom  # fees (万元), gold of fj-putian-cgj-2021
    assert (
        '<meta name="ArticleTitle" content="莆田市城市管理局2021年政府信息公开工作年度报告">'
        in text
    )
    downloads = [u for u in truth.attachments if "/module/download/downfile.jsp?" in u]
    assert downloads and all("classid=0&filename=" in u for u in downloads)
    status, headers, body = fetch(sorted(downloads)[0])
    assert status == 200 and body[:4] in (b"%PDF", b"PK\x03\x04")


# --- Fujian JSON API -----------------------------------------------------------------------------


def test_fujian_column_and_json_api(portal: Portal) -> None:
    site = portal.site(FJ)
    status, _, body = fetch(site.url("/zfxxgk/zfxxgkndbg/"))
    page = body.decode("utf-8")
    assert status == 200 and "/fjdzapp/search" in page and "channelid = '201988'" in page
    listed: list[str] = []
    first = json.loads(fetch(site.url("/fjdzapp/search?channelid=201988&page=1&prepage=5"))[2])
    assert first["error"] is False and first["pageCount"] >= 3
    for n in range(1, first["pageCount"] + 1):
        status, headers, body = fetch(
            site.url(f"/fjdzapp/search?channelid=201988&page={n}&prepage=5")
        )
        reply = json.loads(body)
        assert headers["Content-Type"].startswith("application/json")
        assert reply["page"] == n and reply["recordCount"] == first["recordCount"]
        for row in reply["data"]:
            assert re.fullmatch(r"\d{4}\.\d\d\.\d\d 00:00:00", row["pubdate"])
            listed.append(row["url"])
    truth = portal.expected()[FJ]
    check_truth(truth, listed)
    filed = {f["_href"] for n in (1, 2, 3) for row in _fj_page(site, n) for f in row["files"]}
    assert filed and filed <= truth.attachments | truth.broken_attachments
    wrong = json.loads(fetch(site.url("/fjdzapp/search?channelid=1&page=1"))[2])
    assert wrong["error"] is True
    assert fetch(site.url("/zfxxgk/zfxxgkndbg/_lists/api_p001.json"))[0] == 404


def test_fujian_static_list_files_and_second_channel_url() -> None:
    with Portal(reports_per_site=8, fj_api="static") as portal:
        site, truth = portal.site(FJ), portal.expected()[FJ]
        column = fetch(site.url("/zfxxgk/zfxxgkndbg/"))[2].decode("utf-8")
        assert "$.getJSON('/zfxxgk/zfxxgkndbg/_lists/api_p' + ('00' + pageNo)" in column
        rows, n = [], 1
        while (got := fetch(site.url(f"/zfxxgk/zfxxgkndbg/_lists/api_p{n:03d}.json")))[0] == 200:
            rows += json.loads(got[2])["data"]
            n += 1
        assert (
            n - 1
            == json.loads(fetch(site.url("/zfxxgk/zfxxgkndbg/_lists/api_p001.json"))[2])[
                "pageCount"
            ]
            >= 3
        )
        check_truth(truth, [r["url"] for r in rows])
        ((alias, canonical),) = truth.aliases.items()
        (row,) = [r for r in rows if r["url"] == alias]
        assert row["chnldocurl"] == alias and row["docpuburl"] == canonical
        assert [r["docid2"] for r in rows].count(row["docid2"]) == 2
        assert fetch(alias)[2] == fetch(canonical)[2]
        assert fetch(site.url("/fjdzapp/search?channelid=201988&page=1"))[0] == 404


def _fj_page(site, n: int) -> list[dict]:
    return json.loads(fetch(site.url(f"/fjdzapp/search?channelid=201988&page={n}&prepage=5"))[2])[
        "data"
    ]


def test_fujian_report_page_keeps_putian_markup(portal: Portal) -> None:
    truth = portal.expected()[FJ]
    url = next(u for u, doc in truth.corpus.items() if doc == "fj-putian-cgj-2022")
    assert re.search(r"/zfxxgk/zfxxgkndbg/202301/t20230113_\d+\.htm$", url)
    text = fetch(url)[2].decode("utf-8")
    assert '<meta charset="UTF-8">' in text and "<span>来源：莆田市城市管理局</span>" in text
    assert "索引号" not in text[: text.index("<div class=TRS_Editor>")]  # none on real pages
    assert "仿宋_GB2312" in text  # a font name, not an encoding


# --- plain next links, discovery -----------------------------------------------------------------


def test_nextlink_pages_and_charsetless_bytes(portal: Portal) -> None:
    site = portal.site(NEXT)
    url, listed, pages = site.url("/xxgk/gknb/index.jsp"), [], 0
    while url:
        status, headers, body = fetch(url)
        assert status == 200 and headers["Content-Type"] == "text/html"
        text = body.decode("utf-8")
        assert "charset" not in text
        listed += [urljoin(url, h) for h, _ in links(text)]
        nxt = re.search(r'<a href="([^"]+)" class="next">下一页</a>', text)
        url = urljoin(url, nxt[1]) if nxt else ""
        pages += 1
    assert pages >= 3
    check_truth(portal.expected()[NEXT], listed)
    status, headers, _ = fetch(site.url("/xxgk/gknb/index.jsp?currentPage=99"))
    assert status == 404 and headers["Content-Type"] == "text/html; charset=iso-8859-1"


def test_xxgk_page_links_the_column_by_text(portal: Portal) -> None:
    site = portal.site(XXGK)
    home = next(s["url"] for s in portal.sources() if s["id"] == XXGK)
    status, headers, body = fetch(home)
    assert headers["Content-Type"] == "text/html"  # GBK is declared in <meta> only
    text = body.decode("gbk")
    assert 'charset=gbk"' in text
    column = urljoin(home, re.search(r'<a href="([^"]+)">政府信息公开年报</a>', text)[1])
    listed, call = trs_rows(portal, XXGK, column)
    assert re.fullmatch(r"'paging',\d+,1,'index','html',\d+", call)
    assert fetch(urljoin(column, "index_1.html"))[0] == 404  # 1-based: index_2 follows
    assert fetch(urljoin(column, "index_2.html"))[0] == 200
    check_truth(portal.expected()[XXGK], listed)
    report = sorted(portal.expected()[XXGK].reports)[0]
    assert 'class="trs_editor_view' in fetch(report)[2].decode("gbk")
    assert site.charset == "gbk"


def test_six_argument_pager_numbered_from_zero() -> None:
    with Portal(reports_per_site=8, six_arg_base=0) as portal:
        column = portal.site(XXGK).url("/zwgk/zfxxgk/zfxxgknb/")
        listed, call = trs_rows(portal, XXGK, column)
        assert re.fullmatch(r"'page_div',\d+,0,'index','html',\d+", call)
        assert fetch(urljoin(column, "index_1.html"))[0] == 200
        check_truth(portal.expected()[XXGK], listed)


def test_documents_truth_matches_pages(portal: Portal) -> None:
    for source in (TRS, HANWEB, FJ, NEXT, XXGK):
        truth, charset = portal.expected()[source], portal.site(source).charset
        assert set(truth.documents) == truth.reports
        for url in sorted(truth.reports - {truth.transient}):  # its one 500 is for another test
            meta, text = truth.documents[url], fetch(url)[2].decode(charset)
            assert meta["title"] in text and meta["agency"] in text
            assert meta["published_date"] in text and str(meta["year"]) in meta["title"]
            if source != FJ:  # Putian pages carry no 索引号 (docs/portals.md §5)
                assert meta["index_no"] in text


# --- faults ---------------------------------------------------------------------------------


def test_robots_txt_variants(portal: Portal) -> None:
    def robots(source: str) -> tuple[int, str]:
        status, _, body = fetch(portal.site(source).url("/robots.txt"))
        return status, body.decode()

    assert robots(TRS) == (200, "User-agent: *\nDisallow: /zwgk/zfxxgknb/preview/\n")
    assert robots(HANWEB)[1].endswith("Disallow: /module/xxgk/\n")
    assert robots(FJ)[0] == 404  # as www.putian.gov.cn
    assert robots(ROBOTS) == (200, "User-agent: *\nDisallow: /\n")
    assert "Sitemap: http://127.0.1.5:" in robots(XXGK)[1]
    truth = portal.expected()
    assert truth[ROBOTS].robots_disallow_all and not truth[ROBOTS].reports
    for source in (TRS, HANWEB, NEXT):
        (hidden,) = truth[source].disallowed
        assert urlsplit(hidden).path.startswith(truth[source].disallowed_paths[0])


def test_transient_500_then_200_and_slow_page(portal: Portal) -> None:
    truth = portal.expected()[NEXT]
    assert [fetch(truth.transient)[0] for _ in range(3)] == [500, 200, 200]
    assert fetch(truth.slow)[0] == 200


def test_broken_attachment_link_is_404(portal: Portal) -> None:
    for source in (TRS, HANWEB, FJ, NEXT, XXGK):
        truth, charset = portal.expected()[source], portal.site(source).charset
        (broken,) = truth.broken_attachments
        assert broken not in truth.attachments and fetch(broken)[0] == 404
        parts = urlsplit(broken)
        token = parts.query.split("&")[1] if parts.query else parts.path.rsplit("/", 1)[-1]
        pages = [fetch(u)[2].decode(charset) for u in sorted(truth.reports - {truth.transient})]
        assert sum(token in p for p in pages) == 1, source


def test_held_requests_wait_until_the_block_ends(portal: Portal) -> None:
    page = sorted(portal.expected()[HANWEB].reports)[0]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        with portal.held():
            calls = [pool.submit(fetch, page) for _ in range(2)]
            assert wait_until(lambda: portal.waiting[page] >= 2, 10)
            time.sleep(0.3)
            assert not any(c.done() for c in calls) and portal.waiting == {page: 2}
        assert [c.result(timeout=10)[0] for c in calls] == [200, 200]
    assert portal.waiting == {}
    assert fetch(page)[0] == 200  # not held any more


def test_redirect_chain_and_404(portal: Portal) -> None:
    truth = portal.expected()[TRS]
    ((start, final),) = truth.redirects.items()
    status, headers, _ = fetch(start)
    assert status == 301
    status, headers, _ = fetch(headers["Location"])
    assert status == 302 and headers["Location"] == final
    assert fetch(final)[0] == 200
    (missing,) = truth.not_found
    status, _, body = fetch(missing)
    assert status == 404 and "不存在".encode("gbk") in body


def test_conditional_requests_and_mutation() -> None:
    with Portal(reports_per_site=8, slow_seconds=0) as portal:
        truth = portal.expected()[HANWEB]
        page = sorted(truth.reports)[0]
        status, headers, body = fetch(page)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert fetch(page, headers={"If-None-Match": etag})[0] == 304
        assert fetch(page, headers={"If-Modified-Since": modified})[0] == 304
        portal.mutate(page)
        status, headers, changed = fetch(page, headers={"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag and changed != body
        assert "第1次更正" in changed.decode("utf-8")
        assert fetch(page, headers={"If-Modified-Since": modified})[0] == 200
        for url in sorted(truth.attachments):
            _, headers, before = fetch(url)
            portal.mutate(url)
            status, headers2, after = fetch(url, headers={"If-None-Match": headers["ETag"]})
            assert status == 200 and after != before
            if after.startswith(b"PK"):
                assert zipfile.ZipFile(io.BytesIO(after)).read("word/document.xml")
            elif url.endswith(".doc"):  # OLE2: whole 512-byte sectors
                assert after[:4] == b"\xd0\xcf\x11\xe0" and len(after) % 512 == 0
            else:
                assert after.startswith(b"%PDF-") and b"%%EOF" in after
        with pytest.raises(KeyError):
            portal.mutate(portal.site(HANWEB).url("/art/nothing.html"))
        conditional = [r for r in portal.requests if "if-none-match" in r.headers]
        assert conditional and all(r.url.startswith("http://127.0.1.2:") for r in conditional)


@pytest.mark.parametrize(
    ("waf", "status", "cookie", "marker"),
    [
        ("jsl", 521, "__jsluid_h=", "location.href=location.pathname+location.search"),
        ("ruishu", 412, "FSSBBIl1UgzbN7N80S=", '<meta id="9DhefwqGPrzGxEp9hPaoag"'),
    ],
)
def test_waf_site_challenges_every_request(waf: str, status: int, cookie: str, marker: str) -> None:
    with Portal(reports_per_site=6, waf=waf) as portal:
        site = portal.site(WAF)
        for path in ("/robots.txt", "/zwgk/zfxxgknb/index.html"):
            got, headers, body = fetch(site.url(path), headers={"Cookie": "__jsl_clearance=x"})
            assert got == status and headers["Set-Cookie"].startswith(cookie)
            assert marker in body.decode()
        assert portal.waf_source == WAF and portal.expected()[WAF].blocked == waf


def test_sources_and_request_log(portal: Portal, tmp_path: Path) -> None:
    path = portal.write_sources(tmp_path / "sources.yaml")
    sources = yaml.safe_load(path.read_text("utf-8"))["sources"]
    assert [s["id"] for s in sources] == [TRS, HANWEB, FJ, NEXT, XXGK, WAF, ROBOTS, LATE]
    hosts = [urlsplit(s["url"]).hostname for s in sources]
    assert hosts == [f"127.0.1.{k}" for k in range(1, 9)]
    assert {urlsplit(s["url"]).port for s in sources} == {portal.port}
    assert [s["cms"] for s in sources] == [
        "trs",
        "hanweb",
        "fjdzapp",
        "nextlink",
        "auto",
        "trs",
        "nextlink",
        "nextlink",
    ]
    # the late site is registered under its district's former code (临安市, now 临安区 330112)
    assert sources[-1]["division_code"] == "330185"
    assert all(s["allowed_domains"] == [urlsplit(s["url"]).hostname] for s in sources)
    before = len(portal.requests)
    fetch(sources[0]["url"], headers={"User-Agent": "nianbao-test"})
    last = portal.requests[before]
    assert (last.method, last.url, last.status) == ("GET", sources[0]["url"], 200)
    assert last.headers["user-agent"] == "nianbao-test"


def test_large_site_serves_two_thousand_reports() -> None:
    with Portal(reports_per_site=2000, slow_seconds=0) as portal:
        truth = portal.expected()[TRS]
        assert len(truth.reports) == 2000 and len(truth.attachments) > 300
        site = portal.site(TRS)
        first = fetch(site.url("/zwgk/zfxxgknb/index.html"))[2].decode("gbk")
        count = int(re.search(r"createPageHTML\((\d+), 0,", first)[1])
        assert count == -(-len(site.rows) // 20)
        last = fetch(site.url(f"/zwgk/zfxxgknb/index_{count - 1}.html"))
        assert last[0] == 200 and links(last[2].decode("gbk"))
        hanweb = portal.site(HANWEB).url("/col/col1229140160/index.html")
        assert "perPage:15, groupSize:3" in fetch(hanweb)[2].decode()


@given(
    total=st.integers(min_value=0, max_value=300),
    group=st.integers(min_value=1, max_value=60),
    overlap=st.booleans(),
)
def test_dataproxy_groups_cover_every_record_once(total: int, group: int, overlap: bool) -> None:
    rows = list(range(total))
    seen: list[int] = []
    for start in range(1, total + 1, group):
        got = proxy_slice(rows, start, start + group - 1, overlap)
        lead = 1 if overlap and start > 1 else 0
        assert got[lead:] == rows[start - 1 : start - 1 + group]
        if lead:
            assert got[0] == seen[-1]
        seen += got[lead:]
    assert seen == rows


@pytest.mark.slow
def test_portal_command_serves_until_interrupted(tmp_path: Path) -> None:
    out = tmp_path / "sources.yaml"
    proc = subprocess.Popen(
        [NIANBAO, "portal", "--reports", "6", "--sources-out", str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(out.exists, 30, [proc])
        sources = yaml.safe_load(out.read_text("utf-8"))["sources"]
        assert fetch(sources[0]["url"])[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=10)
    assert f"sources file: {out}" in stdout
    assert "portal-trs-zhangshu" in stdout and "stopped" in stdout


# Every corpus report is served under its own agency, with few reports a site or many: the
# one picture page (the late site's 2024 report) is a made-up report, not a corpus one.
@pytest.mark.parametrize(("reports", "real"), [(6, 22), (24, 22)])
def test_made_up_reports_name_only_fictional_agencies(reports: int, real: int) -> None:
    """A real body, PDF or page image appears under its own agency (a corpus report) or under
    a fictional 示例… agency, never under another real agency (issue 11)."""
    corpus = {d.doc_id: d.agency for d in Corpus().docs}
    truths = Portal(reports_per_site=reports, hostile=True).expected()
    made_up = 0
    for truth in truths.values():
        for url, doc in truth.documents.items():
            if url in truth.corpus:
                assert doc["agency"] == corpus[truth.corpus[url]]
                continue
            made_up += 1
            assert doc["agency"].startswith(EXAMPLE_PREFIX), (url, doc)
            assert doc["agency"] not in corpus.values() and doc["agency"] in doc["title"]
        assert not (set(truth.examples) | truth.image_only) & set(truth.corpus)
    assert sum(len(t.corpus) for t in truths.values()) == real
    assert made_up == sum(len(t.documents) for t in truths.values()) - real > 40
    places = {d["agency"][:4] for t in truths.values() for d in t.documents.values()}
    assert {"示例甲市", "示例乙县", "示例丙市", "示例丁市", "示例戊区", "示例辛区"} <= places
