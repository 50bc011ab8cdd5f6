"""HTML pages as portals publish them: a CMS page around a Word-pasted report body.

The body is looked for inside the content containers the CMS families use; layout
tables (tables holding tables) are walked through, data tables become grids.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from extract.model import Document, ExtractError, Paragraph, Table, grid_from_spans
from nianbao.common.charset import decode_page
from nianbao.common.report_page import (
    CMS_BODY_CONTAINERS,
    GENERIC_BODY_CONTAINERS,
    meta_labels,
)

# Where the report body is looked for: the CMS containers, then the generic names.
CONTENT_SELECTORS = CMS_BODY_CONTAINERS + GENERIC_BODY_CONTAINERS
_BLOCK_TAGS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "blockquote",
    "center",
    "pre",
    "dd",
    "dt",
    "ul",
    "ol",
    "dl",
    "font",
    "span",
    "form",
}
_SKIP_TAGS = {"script", "style", "noscript", "head", "title", "iframe", "select", "button"}
_SPACE = re.compile(r"[\s\u00a0\u3000]+")
_MAX_SPAN = 200
# lxml holds every element of a page in memory at once (about 160 bytes each, 1.6 GB for
# 50 MB of table cells); a report page has a few thousand tags, this is a hundred times that.
MAX_HTML_TAGS = 200_000


def read_html(data: bytes) -> Document:
    tags = data.count(b"<")  # an upper bound on the elements, counted before parsing any
    if tags > MAX_HTML_TAGS:
        raise ExtractError(
            "failed",
            f"page has {tags:,} tags, over the cap of {MAX_HTML_TAGS:,} for one HTML page "
            "(a report page has a few thousand)",
        )
    text = decode_page(data)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError("failed", f"HTML could not be parsed: {exc}") from exc
    meta = {**_info_block(root), **_meta_tags(root)}
    title = meta.get("ArticleTitle") or _title(root)
    doc = Document(kind="html", title=title, meta=meta)
    container = _content_container(root)
    _walk(container, doc)
    doc.pictures = [src for img in container.iter("img") if (src := img.get("src", "").strip())]
    doc.images = sum(1 for _ in container.iter("img"))
    return doc


def _meta_tags(root: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = el.get("name") or el.get("property")
        content = el.get("content")
        if name and content and content.strip():
            meta[name.strip()] = content.strip()
    return meta


# The block's fields kept in `Document.meta` under their printed labels (not its title);
# the search stops at the element that brings three, the block itself.
_INFO_FIELDS = ("index_no", "agency", "source", "published_date", "written_date", "doc_no")
_INFO_LABEL = re.compile(
    "(" + "|".join(sorted(meta_labels(*_INFO_FIELDS), key=len, reverse=True)) + ")"
    r"\s*[:：]\s*([^\s:：|]{2,40})"
)


def _info_block(root: etree._Element) -> dict[str, str]:
    """The 信息公开 metadata block (索引号, 发布机构, 发文日期 …) wherever the page puts it."""
    found: dict[str, str] = {}
    for el in root.iter("table", "div", "ul", "dl", "p", "span", "li", "td"):
        text = clean(el.text_content())
        if len(text) > 600 or not _INFO_LABEL.search(text):
            continue
        for label, value in _INFO_LABEL.findall(text):
            found.setdefault(label, value)
        if len(found) >= 3:
            break
    return found


def _title(root: etree._Element) -> str | None:
    found = root.find(".//title")
    if found is None:
        return None
    text = clean(found.text_content())
    return text or None


def _content_container(root: etree._Element) -> etree._Element:
    """The CMS body container that holds the report, or <body>."""
    for name in CONTENT_SELECTORS:
        matches = root.xpath(
            f'//*[contains(concat(" ", normalize-space(@class), " "), " {name} ") or @id="{name}"]'
        )
        best = max(matches, key=lambda el: len(el.text_content()), default=None)
        if best is not None and _has_report_body(best):
            return best
    body = root.find("body")
    return body if body is not None else root


def _has_report_body(el: etree._Element) -> bool:
    text = el.text_content()
    return len(text) > 200 or el.find(".//table") is not None


def clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _walk(el: etree._Element, doc: Document) -> None:
    """Append the paragraphs and data tables under `el` in reading order."""
    buffer: list[str] = []

    def flush() -> None:
        text = clean("".join(buffer))
        if text:
            doc.blocks.append(Paragraph(text))
        buffer.clear()

    if el.text:
        buffer.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP_TAGS or not tag:
            if child.tail:
                buffer.append(child.tail)
            continue
        if tag == "table":
            flush()
            if child.find(".//table") is not None:
                _walk_layout_table(child, doc)
            else:
                _add_table(child, doc)
        elif tag == "br":
            flush()
        elif tag in _BLOCK_TAGS and _has_block(child):
            flush()
            _walk(child, doc)
        elif tag in _BLOCK_TAGS and tag not in ("span", "font"):
            flush()
            buffer.append(child.text_content())
            flush()
        else:
            buffer.append(child.text_content())
        if child.tail:
            buffer.append(child.tail)
    flush()


def _has_block(el: etree._Element) -> bool:
    return any(
        isinstance(d.tag, str) and d.tag.lower() in ("table", "p", "div", "br", "li", "tr")
        for d in el.iterdescendants()
    )


def _walk_layout_table(table: etree._Element, doc: Document) -> None:
    for cell in table.iterdescendants("td", "th"):
        if _owning_table(cell) is table:
            _walk(cell, doc)


def _owning_table(el: etree._Element) -> etree._Element | None:
    for anc in el.iterancestors("table"):
        return anc
    return None


def _span(el: etree._Element, name: str) -> int:
    try:
        return max(1, min(int(re.sub(r"\D", "", el.get(name, "1")) or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _add_table(table: etree._Element, doc: Document) -> None:
    rows: list[list[tuple[str, int, int]]] = []
    for tr in table.iterdescendants("tr"):
        if _owning_table(tr) is not table:
            continue
        cells = [
            (_cell_text(td), _span(td, "rowspan"), _span(td, "colspan"))
            for td in tr
            if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")
        ]
        if cells:
            rows.append(cells)
    if not rows:
        return
    index = len(doc.tables)
    doc.blocks.append(Table(rows=grid_from_spans(rows), index=index))


def _cell_text(td: etree._Element) -> str:
    """Cell text with span fragments joined and line breaks (<br>, <p>) as one space."""
    for el in td.iter("br", "p", "div"):
        el.tail = "\n" + (el.tail or "")
    return clean(td.text_content())
