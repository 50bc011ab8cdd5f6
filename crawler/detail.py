"""A report page: its title, metadata block (索引号, 发布机构, 发文日期, 文号 …) and attachments.

Labels vary by system (docs/portals.md §8.2): spaces, full-width spaces and &nbsp; inside labels,
`:` or `：` or a table cell boundary as the separator, and synonyms (发布日期 / 发文日期 /
生成日期 / 发布时间 …). A label counts only when a separator or a cell boundary follows it,
so prose such as "包含索引号、文章标题、发布机构" is not read as metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import PurePosixPath
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from crawler.listing.classify import normalize_title, parse_date
from nianbao.common.report_page import CMS_BODY_CONTAINERS, META_FIELDS, OTHER_META_LABELS

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd", "zip")

_S = r"[\s\u3000\xa0]*"
_WS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")


def _label(word: str) -> str:
    return _S.join(re.escape(ch) for ch in word)


# field -> labels, in order of preference; who posted the page (来源) is the agency when
# the block names no other.
_FIELDS = {name: labels for name, labels in META_FIELDS.items() if name != "source"}
_FIELDS["agency"] += META_FIELDS["source"]
_LABEL_TO_FIELD = {label: name for name, labels in _FIELDS.items() for label in labels}
_ALL_LABELS = sorted([*_LABEL_TO_FIELD, *OTHER_META_LABELS], key=len, reverse=True)
_LABEL_RE = re.compile(
    r"(?P<label>" + "|".join(_label(w) for w in _ALL_LABELS) + r")" + _S + r"(?P<sep>[:：|]|\n)"
)
_INDEX_NO = re.compile(r"^[\w\-/.（）()]{4,60}$")
_META = ("ArticleTitle", "PubDate", "ContentSource", "SiteIDCode", "SiteName", "ColumnName")
# The report body's container: a div with a CMS family's class or id.
_CONTAINERS = "|".join(re.escape(name) for name in CMS_BODY_CONTAINERS)
_BODY_START = re.compile(
    rf"<div\b[^>]*(?:class\s*=\s*[\"']?[^>]*\b(?:{_CONTAINERS})\b"
    rf"|id\s*=\s*[\"']?(?:{_CONTAINERS})\b)[^>]*>",
    re.I,
)
_DIV = re.compile(r"<(/?)div\b", re.I)
_IMG = re.compile(r"<img\b([^>]*)>", re.I)
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "tif", "tiff")
BODY_HEAD = 6000  # characters of the report body read for a metadata block opening it
IMAGE_ONLY_MAX_TEXT = 100  # characters of text in a body that is really a stack of page scans


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str
    ext: str


@dataclass
class ReportPage:
    title: str | None = None
    published_date: str | None = None
    written_date: str | None = None
    agency: str | None = None
    index_no: str | None = None
    doc_no: str | None = None
    site_id_code: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    # A body made only of pictures (图片版): the report's pages, in the order shown.
    pictures: list[str] = field(default_factory=list)


def attachment_ext(url: str) -> str | None:
    """The document type of a link: from its path, or from `filename=` (Hanweb downfile.jsp)."""
    parts = urlsplit(url)
    candidates = [PurePosixPath(unquote(parts.path)).suffix]
    query = parse_qs(parts.query)
    for key in ("filename", "fileName", "file"):
        candidates += [PurePosixPath(v).suffix for v in query.get(key, [])]
    for suffix in candidates:
        ext = suffix.lower().lstrip(".")
        if ext in ATTACHMENT_EXTENSIONS:
            return ext
    return None


_DROP = re.compile(r"<(script|style|select|noscript)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_BODY = re.compile(r"<body\b", re.I)
_BLANK_LINES = re.compile(r" *\n[\n ]*")


def image_ext(url: str) -> str:
    """The image type of a link by its path ("" when it is not an image)."""
    ext = PurePosixPath(urlsplit(url).path).suffix.lower().lstrip(".")
    return ext if ext in IMAGE_EXTENSIONS else ""


def _text_lines(text: str, body: tuple[int, int] | None = None) -> str:
    """Page text with one line per text node: element boundaries become newlines.

    Regular expressions rather than a DOM walk: this runs on every report page (some are
    200 KB of Word tables), and the C regex engine does it several times faster. With the
    report body's span known, only its start is read (metadata blocks sit above the body or
    open it, as the Hanweb 信息公开元数据 block does), not its tables.
    """
    if body is not None and body[1] - body[0] > BODY_HEAD:
        text = text[: body[0] + BODY_HEAD] + "\n" + text[body[1] :]
    start = _BODY.search(text)
    html = _DROP.sub("\n", text[start.start() :] if start else text)
    plain = _WS.sub(" ", unescape(_TAG.sub("\n", html)))
    return _BLANK_LINES.sub("\n", plain).strip()


def metadata_block(text: str) -> dict[str, str]:
    """Field -> value for labelled metadata in `text`; the preferred label of a field wins."""
    found: dict[str, tuple[int, str]] = {}
    matches = list(_LABEL_RE.finditer(text))
    for i, match in enumerate(matches):
        label = re.sub(_S, "", match["label"])
        name = _LABEL_TO_FIELD.get(label)
        if name is None:
            continue
        rank = _FIELDS[name].index(label)
        if name in found and found[name][0] <= rank:
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip(" \t\n:：|")
        value = value.split("\n", 1)[0].strip()[:120]
        if name.endswith("_date"):
            value = parse_date(value) or ""
        elif name == "index_no" and not _INDEX_NO.match(value.replace(" ", "")):
            value = ""
        elif name == "agency" and (value.isdigit() or "://" in value):
            value = ""
        if value:
            found[name] = (rank, value)
    return {name: value for name, (_rank, value) in found.items()}


_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.I | re.S)
_BASE = re.compile(r"<base\b([^>]*)>", re.I)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)


def _attrs(tag: str) -> dict[str, str]:
    return {
        m[1].lower(): unescape(next(g for g in m.groups()[1:] if g is not None))
        for m in _ATTR.finditer(tag)
    }


def _plain(fragment: str) -> str:
    return normalize_title(unescape(_TAG.sub(" ", fragment)))


def _meta_tags(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    head_end = text.find("</head")
    for tag in _META_TAG.findall(text[: head_end if head_end > 0 else 200_000]):
        attrs = _attrs(tag)
        name, value = attrs.get("name"), (attrs.get("content") or "").strip()
        if name in _META and value and name not in out:
            out[name] = value
    return out


def _attachments(url: str, text: str) -> list[Attachment]:
    base_tag = _BASE.search(text)
    base = urljoin(url, _attrs(base_tag[1]).get("href", "")) if base_tag else url
    found: dict[str, Attachment] = {}
    for attributes, inner in _ANCHOR.findall(text):
        href = _attrs(attributes).get("href", "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urljoin(base, href).split("#", 1)[0]
        ext = attachment_ext(absolute)
        if ext and absolute not in found:
            found[absolute] = Attachment(absolute, _plain(inner), ext)
    return list(found.values())


def _body_span(text: str) -> tuple[int, int] | None:
    """Where the HTML inside the report body's container is (matching nested divs)."""
    start = _BODY_START.search(text)
    if not start:
        return None
    depth = 1
    for tag in _DIV.finditer(text, start.end()):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return start.end(), tag.start()
    return start.end(), len(text)


def _page_pictures(url: str, body: str | None) -> list[str]:
    """The pictures of a body made only of pictures (scanned pages), in page order: the
    report itself, read by OCR from them."""
    if body is None or "<img" not in body.lower() or len(_plain(body)) > IMAGE_ONLY_MAX_TEXT:
        return []
    found: dict[str, None] = {}
    for attributes in _IMG.findall(body):
        src = _attrs(attributes).get("src", "").strip()
        absolute = urljoin(url, src).split("#", 1)[0] if src else ""
        if image_ext(absolute):
            found.setdefault(absolute)
    return list(found)


def _title(text: str, meta: dict[str, str]) -> str | None:
    if meta.get("ArticleTitle"):
        return normalize_title(meta["ArticleTitle"])
    for pattern in (_H1, _TITLE):
        match = pattern.search(text)
        title = _plain(match[1]) if match else ""
        if title:
            return re.split(r"\s*[_|]\s*|-(?=[^-]*$)", title, maxsplit=1)[0] or title
    return None


def parse_report(url: str, text: str) -> ReportPage:
    """Everything the crawler records about one report page."""
    meta = _meta_tags(text)
    span = _body_span(text)
    block = metadata_block(_text_lines(text, span))
    body = text[span[0] : span[1]] if span else None
    page = ReportPage(
        meta=meta, attachments=_attachments(url, text), pictures=_page_pictures(url, body)
    )
    page.title = _title(text, meta) or block.get("title")
    page.index_no = block.get("index_no")
    page.doc_no = block.get("doc_no")
    page.written_date = block.get("written_date")
    page.published_date = (
        block.get("published_date") or parse_date(meta.get("PubDate")) or page.written_date
    )
    source = meta.get("ContentSource", "")
    page.agency = block.get("agency") or (None if not source or source.isdigit() else source)
    page.site_id_code = meta.get("SiteIDCode")
    return page
