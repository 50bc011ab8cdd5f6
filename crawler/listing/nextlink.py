"""Plain lists paged by 下一页 links (Beijing 慧兰, many small CMSs)."""

from __future__ import annotations

from parsel import Selector

from crawler.listing import ListRequest, ListResult
from crawler.listing.links import next_page_links, report_entries


def parse(url: str, text: str, selector: Selector | None = None) -> ListResult:
    selector = selector or Selector(text=text)
    result = ListResult("nextlink", report_entries(url, selector))
    result.follow = [ListRequest(u, family="nextlink") for u in next_page_links(url, selector)]
    return result
