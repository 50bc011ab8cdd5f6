"""Hanweb 大汉 (jcms) columns: records embedded in `<script type="text/xml"><datastore>`.

The column page embeds the first group of records and a `var param_<unitid> = {...}` object;
the rest comes from `/module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=` (POST,
form body built from the param object). The `<nextgroup>` link can be incomplete, so requests
are built from `param_*` and the `jpage({totalRecord, perPage, groupSize})` options; later
groups may repeat the previous group's last record, which the URL dedupe absorbs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from crawler.listing import Entry, ListRequest, ListResult
from crawler.listing.classify import is_report_title, normalize_title, parse_date
from crawler.listing.links import looks_like_column_url, next_page_links, report_entries

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S)
_RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S)
_TOTALRECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[\s*<a\s+href=[\"']([^\"']+)[\"']", re.S)
_TOTALPAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
_PARAM = re.compile(r"var\s+param_\w+\s*=\s*\{([^}]+)\}")
_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,\s}]+))")
_JPAGE = re.compile(r"\.jpage\(\s*\{([^}]*)\}")
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
_BODY_KEYS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
_DEFAULTS = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0"}
MAX_RECORDS = 100_000


def _count(value: str | None) -> int:
    """A non-negative number the page declares, 0 when it is missing or not a number."""
    return int(value) if value and value.isdigit() else 0


def detect(text: str) -> bool:
    return "<datastore>" in text or "dataproxy.jsp" in text


def _pairs(body: str) -> dict[str, str]:
    return {m[1]: next(g for g in m.groups()[1:] if g is not None) for m in _PAIR.finditer(body)}


def records(url: str, text: str) -> list[Entry]:
    """Report entries in `<record>` CDATA blocks (embedded or a dataproxy reply)."""
    entries: dict[str, Entry] = {}
    for cdata, plain in _RECORD.findall(text):
        sel = Selector(text=cdata or plain)
        for anchor in sel.xpath("//a[@href]"):
            href = anchor.attrib["href"].strip()
            title = normalize_title(anchor.attrib.get("title") or "") or normalize_title(
                " ".join(anchor.xpath(".//text()").getall())
            )
            absolute = urljoin(url, href)
            if absolute not in entries and is_report_title(title):
                date = parse_date(" ".join(sel.xpath("//text()").getall()))
                entries[absolute] = Entry(absolute, title, date, looks_like_column_url(absolute))
    return list(entries.values())


def group_requests(url: str, text: str, embedded: int) -> list[ListRequest]:
    """dataproxy.jsp requests for every record after the embedded group."""
    param_match = _PARAM.search(text)
    jpage_match = _JPAGE.search(text)
    if not param_match or not jpage_match:
        nextgroup = _NEXTGROUP.search(text)
        return [ListRequest(urljoin(url, nextgroup[1]), family="hanweb")] if nextgroup else []
    param = {**_DEFAULTS, **_pairs(param_match[1])}
    options = _pairs(jpage_match[1])
    declared = options.get("totalRecord") or (_TOTALRECORD.search(text) or [None, "0"])[1]
    total = min(_count(declared), MAX_RECORDS)
    # The page's own sizes are never trusted for division: perPage 0, or no number at all,
    # falls back to the group the page embedded (that is what one group holds).
    per_page = _count(options.get("perPage", "15"))
    group_size = _count(options.get("groupSize", "3"))
    step = per_page * group_size or embedded
    if step <= 0:
        return []
    per_page = per_page or step
    proxy = urljoin(url, options.get("proxyUrl") or PROXY_PATH)
    body = urlencode([(k, param[k]) for k in _BODY_KEYS if k in param])
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        "Accept": "application/xml, text/xml, */*; q=0.01",
        "Referer": url,
    }
    out = []
    for start in range(embedded + 1, total + 1, step):
        end = min(start + step - 1, total)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
        out.append(ListRequest(f"{proxy}?{query}", "POST", body, headers, family="hanweb"))
    return out


def page_requests(url: str, text: str) -> list[ListRequest]:
    """For a page-numbered reply (`?page=N` with `<totalpage>`), the following pages."""
    total = _TOTALPAGE.search(text)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if not total or "page" not in query or not query["page"].isdigit():
        return []
    current = int(query["page"])
    if current != 1:
        return []
    out = []
    for page in range(2, min(int(total[1]), MAX_RECORDS) + 1):
        query["page"] = str(page)
        out.append(ListRequest(urlunsplit(parts._replace(query=urlencode(query))), family="hanweb"))
    return out


def parse(url: str, text: str, selector: Selector | None = None) -> ListResult:
    result = ListResult("hanweb")
    store = _DATASTORE.search(text)
    result.entries = records(url, store[1]) if store else []
    if _PARAM.search(text) or _JPAGE.search(text) or "<body" in text.lower():
        # A column page. Reports linked outside the datastore (a featured list) count too.
        selector = selector or Selector(text=text)
        result.extend(ListResult("hanweb", report_entries(url, selector)))
        if store:
            count = len(_RECORD.findall(store[1]))
            result.follow = group_requests(url, text, count)
        if not result.follow:  # front-end paging: index.html?uid=…&pageNum=N links
            result.follow = [
                ListRequest(u, family="hanweb") for u in next_page_links(url, selector)
            ]
    else:
        result.follow = page_requests(url, text)
        nextgroup = _NEXTGROUP.search(text)
        if not result.follow and nextgroup and result.entries:
            result.follow = [ListRequest(urljoin(url, nextgroup[1]), family="hanweb")]
    return result
