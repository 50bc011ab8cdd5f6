"""JSON list APIs: Fujian 集约化 (`/fjdzapp/search`, `_lists/api_pNNN.json`) and Guangdong gkmlpt.

Fujian replies carry `page`, `pageCount` and `data[]` with `doctitle`, `url`/`docpuburl`,
`pubdate`, `puborg`, `fileno`, `idxid` and `files[]`; dates use dots. gkmlpt replies carry
`total` and `articles[]` (100 a page) with `title`, `url`, `publisher`; the site's SID is read
from `window._CONFIG` on `/gkmlpt/index`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from crawler.listing import Entry, ListRequest, ListResult
from crawler.listing.classify import is_report_title, normalize_title, parse_date
from crawler.listing.links import report_entries

_STATIC_PAGE = re.compile(r"api_p(\d+)\.json$")
_SID = re.compile(r"SID\s*:\s*['\"]?([0-9]+)")
_PAGE_KEYS = ("page", "pageNo", "pageNum", "currpage", "curPage")
MAX_PAGES = 1000
BEIJING = timezone(timedelta(hours=8))  # epoch times are shown as Beijing dates


def loads(text: str) -> Any | None:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _with_page(url: str, page: int) -> str | None:
    parts = urlsplit(url)
    static = _STATIC_PAGE.search(parts.path)
    if static:
        width = len(static[1])
        path = parts.path[: static.start(1)] + str(page).zfill(width) + ".json"
        return urlunsplit(parts._replace(path=path))
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, _value) in enumerate(query):
        if key in _PAGE_KEYS:
            query[i] = (key, str(page))
            return urlunsplit(parts._replace(query=urlencode(query)))
    return None


def _current_page(url: str, payload_page: Any) -> int:
    if isinstance(payload_page, int) or (isinstance(payload_page, str) and payload_page.isdigit()):
        return int(payload_page)
    parts = urlsplit(url)
    static = _STATIC_PAGE.search(parts.path)
    if static:
        return int(static[1])
    for key, value in parse_qsl(parts.query):
        if key in _PAGE_KEYS and value.isdigit():
            return int(value)
    return 1


def _text(value: Any) -> str:
    return normalize_title(str(value)) if value not in (None, "") else ""


def _epoch_date(value: Any) -> str | None:
    if isinstance(value, int | float) and value > 10**8:
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=BEIJING).date().isoformat()
    return parse_date(str(value)) if value else None


def _int(value: Any) -> int:
    return (
        int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else 0
    )


def _page_count(payload: dict[str, Any]) -> int:
    """Pages of a Fujian reply: pageCount (or its spellings), else records / page size."""
    for key in ("pageCount", "pagecount", "totalPage", "totalpage", "pages"):
        if _int(payload.get(key)):
            return _int(payload[key])
    records = _int(payload.get("recordCount") or payload.get("total"))
    size = _int(payload.get("prepage") or payload.get("pageSize")) or len(payload.get("data") or [])
    return -(-records // size) if records and size else 0


def parse_fjdzapp(url: str, payload: dict[str, Any]) -> ListResult:
    result = ListResult("fjdzapp")
    seen_ids: set[str] = set()
    for doc in payload.get("data") or []:
        if not isinstance(doc, dict):
            continue
        title = _text(doc.get("doctitle") or doc.get("title"))
        link = doc.get("docpuburl") or doc.get("url") or doc.get("chnldocurl")
        doc_id = str(doc.get("docid2") or doc.get("docid") or link)
        if not link or doc_id in seen_ids or not is_report_title(title):
            continue
        seen_ids.add(doc_id)
        hints = {
            "agency": _text(doc.get("puborg")),
            "doc_no": _text(doc.get("fileno")),
            "index_no": _text(doc.get("idxid")),
        }
        date = parse_date(str(doc.get("pubdate") or doc.get("docreltime") or ""))
        entry = Entry(urljoin(url, link), title, date, hints={k: v for k, v in hints.items() if v})
        result.entries.append(entry)
    current = _current_page(url, payload.get("page") or payload.get("pageNo"))
    count = _page_count(payload)
    if current == 1:
        for page in range(2, min(count, MAX_PAGES) + 1):
            next_url = _with_page(url, page)
            if next_url:
                result.follow.append(ListRequest(next_url, family="fjdzapp"))
    return result


def parse_gkmlpt(url: str, payload: dict[str, Any]) -> ListResult:
    result = ListResult("gkmlpt")
    articles = payload.get("articles") or []
    for art in articles:
        if not isinstance(art, dict):
            continue
        title = _text(art.get("title"))
        link = art.get("url") or art.get("post_url")
        if not link or not is_report_title(title):
            continue
        date = _epoch_date(
            art.get("display_publish_time") or art.get("first_publish_time") or art.get("date")
        )
        hints = {"agency": _text(art.get("publisher"))}
        result.entries.append(
            Entry(urljoin(url, link), title, date, hints={k: v for k, v in hints.items() if v})
        )
    current = _current_page(url, None)
    total = int(payload.get("total") or 0)
    per_page = max(len(articles), 100) if current == 1 else 100
    if current == 1 and articles:
        last = min(-(-total // per_page), MAX_PAGES)
        for page in range(2, last + 1):
            next_url = _with_page(url, page)
            if next_url:
                result.follow.append(ListRequest(next_url, family="gkmlpt", headers=_GK_HEADERS))
    return result


_GK_HEADERS = {"X-Requested-With": "XMLHttpRequest"}


def gkmlpt_bootstrap(url: str, text: str) -> ListResult:
    """On `/gkmlpt/index` (or any page with `_CONFIG`), the API request for all categories."""
    result = ListResult("gkmlpt")
    sid = _SID.search(text)
    if sid and "_CONFIG" in text:
        parts = urlsplit(url)
        prefix = parts.path.split("/gkmlpt/", 1)[0] if "/gkmlpt/" in parts.path else ""
        api = urlunsplit(
            parts._replace(path=f"{prefix}/gkmlpt/api/all/0", query=f"page=1&sid={sid[1]}")
        )
        referer = urlunsplit(parts._replace(path=f"{prefix}/gkmlpt/policy", query=""))
        result.follow.append(
            ListRequest(api, family="gkmlpt", headers={**_GK_HEADERS, "Referer": referer})
        )
    return result


_FJ_CHANNEL = re.compile(r"channelid[\"']?\s*[:=]\s*[\"']?(\d+)", re.I)
FJ_API = "/fjdzapp/search"
_FJ_STATIC = re.compile(r"[\"']([^\"'\s]*?)_lists/api_p")
FJ_PAGE_SIZE = 100


def fjdzapp_bootstrap(url: str, text: str) -> ListResult:
    """On a Fujian column page that loads its list as JSON, the first page of it: a static
    `_lists/api_p001.json` when the page names one, else `/fjdzapp/search` for its channel.

    The request parameters are not documented (docs/portals.md §14): channelid, page and prepage
    are the names the Putian crawl notes and the Sanming replies use.
    """
    result = ListResult("fjdzapp")
    static = _FJ_STATIC.search(text)
    if static:  # pages published as files: <column>/_lists/api_p001.json, api_p002.json …
        api = urljoin(url, f"{static[1]}_lists/api_p001.json")
        result.follow.append(ListRequest(api, family="fjdzapp", headers={"Referer": url}))
        return result
    channel = _FJ_CHANNEL.search(text)
    if FJ_API in text and channel:
        query = urlencode({"channelid": channel[1], "page": 1, "prepage": FJ_PAGE_SIZE})
        api = urljoin(url, f"{FJ_API}?{query}")
        result.follow.append(ListRequest(api, family="fjdzapp", headers={"Referer": url}))
    return result


def parse(url: str, text: str) -> ListResult | None:
    """A JSON list reply of a known shape, or None."""
    payload = loads(text)
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("articles"), list):
        return parse_gkmlpt(url, payload)
    if isinstance(payload.get("data"), list):
        return parse_fjdzapp(url, payload)
    return parse_generic(url, payload)


_TITLE_KEYS = ("title", "doctitle", "docTitle", "name", "vc_title", "articleTitle")
_URL_KEYS = ("url", "docpuburl", "link", "href", "post_url", "linkUrl", "docUrl")
_DATE_KEYS = ("pubdate", "publishDate", "pubDate", "date", "docreltime", "createTime")
MAX_JSON_NODES = 20_000


def parse_generic(url: str, payload: Any) -> ListResult | None:
    """Any other JSON list reply (e.g. Jiangsu jpaas `{"data": {"html": "<li>…"}}`): report
    entries from objects with a title and a URL, and from HTML fragments in string values.
    Its paging is unknown, so only this reply is read."""
    result = ListResult("json")
    stack: list[Any] = [payload]
    seen = 0
    while stack and seen < MAX_JSON_NODES:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            title = next((_text(node[k]) for k in _TITLE_KEYS if node.get(k)), "")
            link = next((node[k] for k in _URL_KEYS if isinstance(node.get(k), str)), None)
            if title and link and is_report_title(title):
                date = next((parse_date(str(node[k])) for k in _DATE_KEYS if node.get(k)), None)
                result.extend(ListResult("json", [Entry(urljoin(url, link), title, date)]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and "<a" in node:
            result.extend(ListResult("json", report_entries(url, Selector(text=node))))
    return result if result.entries else None
