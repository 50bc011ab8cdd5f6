"""Anchors on an HTML list page: the candidates every family parser starts from."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.listing import Entry
from crawler.listing.classify import is_column_title, is_report_title, normalize_title, parse_date

_YEAR_ONLY = re.compile(r"^(?:19|20)\d{2}(?:年度?)?$")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")
_DIR_LIKE = re.compile(r"(?:/|/index(?:_\d+)?\.s?html?|/col/col\d+/(?:index\.html)?)$", re.I)


def base_url(url: str, selector: Selector) -> str:
    base = selector.xpath("//base/@href").get()
    return urljoin(url, base.strip()) if base else url


def looks_like_column_url(url: str) -> bool:
    """A directory or index page, i.e. a list of documents rather than one document."""
    return bool(_DIR_LIKE.search(urlsplit(url).path or "/"))


def _entry_date(anchor: Selector) -> str | None:
    for xpath in ("..", "../.."):
        text = " ".join(anchor.xpath(f"{xpath}//text()").getall())
        found = parse_date(text)
        if found:
            return found
    return None


_REPORT_SEGMENTS = re.compile(
    r"/(?:zfxxgknb|xxgknb|zfxxgkndbg|ndbg|gknb|tbnb|xtjdbnb|xxgk-xxgknb|zfxxgknb_\d+)(?:/|$)"
)


def is_report_column(url: str, selector: Selector) -> bool:
    """A 年报 column page: its meta ColumnName/ColumnType or <title> says 年报, or its path
    has one of the column segments of docs/portals.md §7.1."""
    if _REPORT_SEGMENTS.search(urlsplit(url).path):
        return True
    names = selector.xpath(
        "//meta[@name='ColumnName' or @name='ColumnType']/@content | //title/text()"
    ).getall()
    return any("年报" in n or "年度报告" in n for n in names)


def report_entries(url: str, selector: Selector) -> list[Entry]:
    """Every anchor whose title or text names an annual report or a 年报 (sub-)column."""
    base = base_url(url, selector)
    in_column = is_report_column(url, selector)
    entries: dict[str, Entry] = {}
    for anchor in selector.xpath("//a[@href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        text = normalize_title(" ".join(anchor.xpath(".//text()").getall()))
        title = normalize_title(anchor.attrib.get("title") or "") or text
        absolute = urljoin(base, href).split("#", 1)[0]
        if absolute in entries:
            continue
        if is_report_title(title, in_column) or (
            text != title and is_report_title(text, in_column)
        ):
            column = looks_like_column_url(absolute)
            entries[absolute] = Entry(absolute, title, _entry_date(anchor), is_column=column)
        elif is_column_title(title) or is_column_title(text):
            entries[absolute] = Entry(absolute, title, None, is_column=True)
        elif _YEAR_ONLY.match(text) and looks_like_column_url(absolute):
            # A 年报 column's year folders ("2017年" → gknb2017/); followed below the column.
            entries[absolute] = Entry(absolute, title, None, is_column=True)
    return list(entries.values())


_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后页|next|›|»|>)$", re.I)


def next_page_links(url: str, selector: Selector) -> list[str]:
    """Plain pagination: anchors labelled 下一页 / 下页 / next."""
    base = base_url(url, selector)
    found: list[str] = []
    for anchor in selector.xpath("//a[@href]"):
        text = normalize_title(" ".join(anchor.xpath(".//text()").getall()))
        href = (anchor.attrib.get("href") or "").strip()
        if _NEXT_TEXT.match(text) and href and not href.lower().startswith(_SKIP_SCHEMES):
            absolute = urljoin(base, href).split("#", 1)[0]
            if absolute != url and absolute not in found:
                found.append(absolute)
    return found
