"""Report metadata: agency as printed, the year covered, the publishing date, and
whether the document is an annual report at all."""

from __future__ import annotations

import re

from extract.model import Document, Paragraph
from extract.normalize import norm_text
from nianbao.common.numerals import arabic_years
from nianbao.common.report_page import meta_labels

_REPORT = re.compile(r"(年度报告|年报|工作报告|情况统计表)")  # 统计表: an attached 统计表
_TOPIC = r"(?:政府信息公开|政务公开|信息公开)"
_AGENCY_FIRST = re.compile(rf"^(?P<agency>.*?)(?:关于)?(?P<year>(?:19|20)\d{{2}})年度?{_TOPIC}")
_YEAR_FIRST = re.compile(rf"^(?P<year>(?:19|20)\d{{2}})年度?(?P<agency>.+?){_TOPIC}")
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|--)\s*")
_PERIOD = re.compile(r"统计期限[^。；]{0,12}?((?:19|20)\d{2})年\s*1\s*月\s*1\s*日")
_REPORT_YEAR = re.compile(rf"((?:19|20)\d{{2}})年度?{_TOPIC}[^。]{{0,6}}年度报告")
_DATE_LABELS = meta_labels("published_date", "written_date")
_DATE_LABEL = re.compile(
    "(?:" + "|".join(_DATE_LABELS) + r")\s*[:：]?\s*"
    r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)
_DATE = re.compile(r"\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
# <meta> names of the publishing date, then the labels of the page's metadata block.
_META_DATE_KEYS = (
    "PubDate",
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "article:published_time",
    *_DATE_LABELS,
)
_META_AGENCY_KEYS = (*meta_labels("agency"), "ContentSource")


def title_candidates(doc: Document) -> list[str]:
    """Titles to read agency and year from: the page's, then the report's heading lines."""
    heads = [b.text for b in doc.blocks[:12] if isinstance(b, Paragraph)]
    out = [
        segment  # "网站名_栏目_标题" or "标题 - 网站名": the segment that is the report's title
        for value in (doc.meta.get("ArticleTitle"), doc.title)
        if value
        for segment in _TITLE_SEPARATORS.split(value)
        if _REPORT.search(segment)
    ]
    for i, line in enumerate(heads):
        if _REPORT.search(line) and len(line) < 80:
            out.append(line)
            if i:
                out.append(heads[i - 1] + line)
    return [norm_text(arabic_years(t)) for t in out]


def agency_and_year(doc: Document) -> tuple[str | None, int | None]:
    agency = year = None
    for title in title_candidates(doc):
        for pattern in (_AGENCY_FIRST, _YEAR_FIRST):
            m = pattern.search(title)
            if not m:
                continue
            year = year or int(m.group("year"))
            name = _clean_agency(m.group("agency"))
            if name and agency is None:
                agency = name
        if agency and year:
            break
    if agency is None:
        agency = next((doc.meta[k] for k in _META_AGENCY_KEYS if doc.meta.get(k)), None)
    text = arabic_years(norm_text(doc.text[:20000]))
    period = _PERIOD.search(text)
    if period:
        year = int(period.group(1))
    elif year is None:
        m = _REPORT_YEAR.search(text)
        year = int(m.group(1)) if m else None
    return agency, year


def _clean_agency(name: str) -> str | None:
    name = re.sub(r"^[《“\"'（(【\[]+|[》”\"'）)】\]]+$", "", name).strip("：:-—_ ")
    name = re.sub(r"关于$", "", name)
    if (
        len(name) < 3
        or len(name) > 40
        or re.search(r"\d", name)
        or name.startswith(("政府", "根据"))
        or "《" in name
    ):
        return None
    return name


def published_date(doc: Document) -> str | None:
    for key in _META_DATE_KEYS:
        value = doc.meta.get(key)
        m = _DATE.match(value or "")
        if m:
            return _iso(*m.groups())
    m = _DATE_LABEL.search(doc.text[:50000])
    return _iso(*m.groups()) if m else None


def _iso(y: str, mo: str, d: str) -> str:
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def is_annual_report(doc: Document) -> bool:
    """An annual report on open government information names itself so in its title."""
    for title in title_candidates(doc):
        if _REPORT.search(title) and re.search(_TOPIC, title):
            return True
    head = norm_text(doc.text[:3000])
    return bool(re.search(rf"{_TOPIC}(?:工作)?年度报告", head))
