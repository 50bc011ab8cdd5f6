"""The key figures a report states in its prose → `narrative` (SCHEMA.md "Before 2019").

Every report, old or new, says in words how much it published, how many applications
it received, what it charged and whether it was taken to review or to court
("共主动公开政府信息205条", "没有收到公开申请", "未发生行政复议"). Each sentence of the body
is cut into clauses and each clause is tried against a few phrase patterns per
indicator; a negated clause ("没有/未/无…") states 0. A figure is only ever read next to
the words that name it, with a count unit after it, so phone numbers, dates, ICP and
visit counters in the page chrome never qualify. The first figure stated for the
agency itself wins; one stated for a whole region (全区/全市…共收到) is kept, marked
`region`, only when the agency's own is not stated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extract.model import Document, Paragraph
from extract.normalize import NumberError, parse_quantity, to_wan
from extract.record import NarrativeFigure

_SENTENCE = re.compile(r"(?<=[。；;！!？?])|\n")
_CLAUSE = re.compile(r"[，,：:]")
_NUM = r"(?P<n>[0-9０-９][0-9０-９,，.]*|[零〇一二两三四五六七八九十百千]+)"
_COUNT = rf"{_NUM}(?P<approx>多|余)?(?P<unit>件|条|份|个|宗|起|次|项)"
_NOT = r"(?:没有|未|无|不存在|均未|并未|尚未|暂无|未曾|未发生|没发生)"
_REGION = re.compile(r"全(?:区|市|县|省|旗|州|镇|乡)")
# Clauses that talk about something else: a figure there is not the indicator's.
_NOT_APPLICATION = re.compile(r"复议|诉讼|收费|费用|答复|办结|结转|咨询|投诉|举报|信访")
# What the sentence must be about for the indicator's words to be the report's figure:
# an agency that hears reviews (司法局) or charges 行政事业性收费 states those too.
_CONTEXT = {
    "applications_total": re.compile("公开"),
    "reviews": re.compile("公开"),
    "litigations": re.compile("公开"),
    "fees": re.compile("信息公开|依申请|处理费|公开的信息"),
}
_OTHER_FEES = re.compile("行政事业性")

# One figure for both: "行政复议、行政诉讼0件", "行政复议和行政诉讼均为0件".
_BOTH = re.compile(rf"行政复议[、和及与]行政诉讼(?:案件)?(?:各|均为|均|共)?{_COUNT}")
_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "proactive_total": (
        re.compile(
            rf"主动公开(?:了)?(?:各类)?(?:政府)?信息(?:的数量)?(?:共有|共计|共|合计|总计)?{_COUNT}"
        ),
        re.compile(rf"共(?:更新)?发布{_COUNT}(?:政府)?信息"),
        re.compile(rf"共(?:计)?主动公开{_COUNT}"),
    ),
    "applications_total": (
        re.compile(
            rf"(?:收到|接到|受理|接收|新收)[^，。；0-9０-９]{{0,20}}?申请(?:共|共计|合计)?{_COUNT}"
        ),
        re.compile(rf"(?:收到|接到|受理|接收)(?:各类)?{_COUNT}[^，。；]{{0,12}}申请"),
    ),
    "reviews": (
        re.compile(rf"行政复议(?:案件)?(?:共)?{_COUNT}"),
        _BOTH,
    ),
    "litigations": (
        re.compile(rf"行政诉讼(?:案件)?(?:共)?{_COUNT}"),
        _BOTH,
    ),
    "fees": (re.compile(rf"(?:收取|收费)[^，。；0-9]{{0,10}}?{_NUM}(?P<unit>万元|元)"),),
}
# A clause stating the indicator is nil: the negation before the words that name it.
_GAP = "[^，。；]"
_ZERO: dict[str, re.Pattern[str]] = {
    "applications_total": re.compile(rf"{_NOT}{_GAP}{{0,12}}(?:收到|接到|受理){_GAP}{{0,25}}申请"),
    "reviews": re.compile(rf"{_NOT}{_GAP}{{0,30}}行政复议|行政复议{_GAP}{{0,8}}(?:0|零)件"),
    "litigations": re.compile(rf"{_NOT}{_GAP}{{0,40}}行政诉讼|行政诉讼{_GAP}{{0,4}}(?:0|零)件"),
    "fees": re.compile(
        rf"{_NOT}[^，。；]{{0,20}}(?:收费|收取[^，。；]{{0,6}}费用|处理费)"
        r"|不存在[^，。；]{0,20}收费"
    ),
}
INDICATORS = ("proactive_total", "applications_total", "fees", "reviews", "litigations")
# A word every phrase of the indicator has: clauses without it are not tried.
_KEYWORDS = {
    "proactive_total": ("主动公开", "发布"),
    "applications_total": ("申请",),
    "fees": ("费",),
    "reviews": ("复议",),
    "litigations": ("诉讼",),
}
_ANY_KEYWORD = re.compile("|".join(w for words in _KEYWORDS.values() for w in words))


def read_narrative(doc: Document) -> list[NarrativeFigure]:
    """The first figure each indicator is stated with in the body's prose."""
    agency: dict[str, NarrativeFigure] = {}
    region: dict[str, NarrativeFigure] = {}
    for sentence in _sentences(doc):
        if not _ANY_KEYWORD.search(sentence):
            continue
        for clause in _CLAUSE.split(sentence):
            for figure in _figures(clause, sentence):
                found = region if figure.scope == "region" else agency
                found.setdefault(figure.indicator, figure)
    out = [agency.get(k) or region.get(k) for k in INDICATORS]
    return [f for f in out if f is not None]


def _sentences(doc: Document) -> Iterator[str]:
    for block in doc.blocks:
        if not isinstance(block, Paragraph):
            continue
        for sentence in _SENTENCE.split(block.text):
            if sentence.strip():
                yield sentence.strip()


def _figures(clause: str, sentence: str) -> Iterator[NarrativeFigure]:
    scope = "region" if _REGION.search(clause) else "agency"
    for indicator in INDICATORS:
        if not any(word in clause for word in _KEYWORDS[indicator]):
            continue
        if indicator == "applications_total" and _NOT_APPLICATION.search(clause):
            continue
        context = _CONTEXT.get(indicator)
        if context is not None and not context.search(sentence):
            continue
        if indicator == "fees" and _OTHER_FEES.search(sentence):
            continue
        value = _stated(indicator, clause)
        if value is not None:
            yield NarrativeFigure(indicator, value, sentence, scope)


def _stated(indicator: str, clause: str) -> int | float | None:
    for pattern in _PATTERNS.get(indicator, ()):
        m = pattern.search(clause)
        if m and indicator == "applications_total" and "公开" not in clause:
            continue  # 受理行政许可申请1234件: applications of another kind
        if m:
            try:
                q = parse_quantity(m.group("n"))
            except NumberError:
                continue
            if indicator == "fees":
                return to_wan(q.value, m.group("unit"), None)
            return q.value
    zero = _ZERO.get(indicator)
    if zero is not None and zero.search(clause):
        return 0
    return None
