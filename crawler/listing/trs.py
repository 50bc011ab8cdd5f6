"""TRS WCM static lists: `index.html`, `index_1.html`… announced by `createPageHTML(...)`.

The four-argument form `createPageHTML(N, cur, "index", "html")` gives the page count N and
the 0-based current page, so all pages are known from the first. The six-argument form
`createPageHTML('page_div', A, B, prefix, ext, records)` is numbered differently on different
sites (docs/portals.md §2.1), so pages are probed one after another until a 404 ends the chain.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from crawler.listing import ListRequest, ListResult
from crawler.listing.links import next_page_links, report_entries

_FOUR_ARGS = re.compile(
    r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)"
)
_SIX_ARGS = re.compile(
    r"createPageHTML\(\s*[\"'][\w-]+[\"']\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,"
    r"\s*[\"'](\w+)[\"']\s*,\s*(\d+)\s*\)"
)
_PAGE_INDEX = re.compile(r"_(\d+)\.\w+$")
MAX_PROBED_PAGES = 500


def detect(text: str) -> bool:
    return "createPage" in text


def pager_urls(url: str, text: str) -> list[str]:
    """List pages announced by the TRS pager on this page (not including page 1)."""
    four = _FOUR_ARGS.search(text)
    if four:
        count, current, name, ext = int(four[1]), int(four[2]), four[3], four[4]
        if current != 0:
            return []  # the first page announced them all
        return [urljoin(url, f"{name}_{k}.{ext}") for k in range(1, min(count, MAX_PROBED_PAGES))]
    six = _SIX_ARGS.search(text)
    if six:
        name, ext = six[3], six[4]
        current = _PAGE_INDEX.search(url.split("?", 1)[0])
        index = (
            int(current[1])
            if current and url.split("?", 1)[0].rsplit("/", 1)[-1].startswith(f"{name}_")
            else 0
        )
        if index >= MAX_PROBED_PAGES:
            return []
        # Page 1 asks for _1 and _2 (both numberings occur); later pages ask for the next one.
        wanted = [1, 2] if index == 0 else [index + 1]
        return [urljoin(url, f"{name}_{k}.{ext}") for k in wanted]
    return []


def parse(url: str, text: str, selector: Selector | None = None) -> ListResult:
    selector = selector or Selector(text=text)
    result = ListResult("trs", report_entries(url, selector))
    pages = pager_urls(url, text) or next_page_links(url, selector)
    result.follow = [ListRequest(u, family="trs") for u in pages]
    return result
