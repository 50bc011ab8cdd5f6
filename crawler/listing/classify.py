"""Which list entries are annual reports, which year they cover, and date parsing.

A 年报 column also lists 工作要点, 通知, 解读 and the like; only the reports themselves are kept.
The covered year is the one in the title ("2021年", "2013年度", "二〇一九年"); the report is
published the following year, so a title without a year falls back to the publication year - 1.
"""

from __future__ import annotations

import re
from datetime import date

from nianbao.common.numerals import arabic_years

_SPACE = re.compile(r"[\s\u3000\xa0]+")
_REPORT = re.compile(r"公开.{0,12}?(?:年度?报告?|年\s*报|工作报告|年度报)")
_NOT_REPORT = re.compile(
    r"工作要点|要点|通知|通告|公告|方案|指南|制度|目录|计划|解读|图解|公示|征求意见|申请表|"
    r"考核|培训|会议|办法|规定|意见|统计表|测评|评估|督查|通报"
)
# A column (not a report): short link text without a year, e.g. 政府信息公开年报, 信息公开年度报告.
_COLUMN = re.compile(
    r"^(?:政府|政务)?(?:信息)?公开(?:工作)?(?:年度报告|年报)(?:专栏)?$|^年报$|^年度报告$"
)
_TRUNCATED = re.compile(r"信息公开(?:工作)?(?:(?:年|年度|年度报)(?:\.{2,}|…+)?|(?:\.{2,}|…+))$")
_IN_COLUMN = re.compile(r"(?:19|20)\d{2}\s*年度?(?:工作)?(?:年度)?报告|年报")
_OTHER_REPORT = re.compile(
    r"政府工作报告|法治|预算|决算|绩效|统计|述职|审计|社会责任|环境|信用|人大"
)
_YEAR_DIGITS = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_PAREN = re.compile(r"[（(]((?:19|20)\d{2})[）)]")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")

FIRST_YEAR = 2007  # the 2008 条例 made the first reports due on 2009-03-31 (for 2008)


def normalize_title(title: str) -> str:
    return _SPACE.sub("", title or "").strip()


def is_report_title(title: str, in_report_column: bool = False) -> bool:
    """True for 政府信息公开工作年度报告 titles (even truncated), not for other notices.

    Inside a 年报 column the words 信息公开 may be left out ("XX局2023年度报告"), but other
    annual reports (政府工作报告, 法治政府建设, 预决算 …) are still not ours.
    """
    text = normalize_title(title)
    if not text or _COLUMN.match(text):
        return False
    if _NOT_REPORT.search(text):
        return False
    if _REPORT.search(text):
        return True
    if in_report_column and _IN_COLUMN.search(text) and not _OTHER_REPORT.search(text):
        return True
    # List pages cut long titles: "…政府信息公开工作年度..." still names a report.
    return bool(_TRUNCATED.search(text))


def is_column_title(title: str) -> bool:
    """True for the link text of a 年报 column on a 信息公开 page (no year, no agency)."""
    return bool(_COLUMN.match(normalize_title(title)))


def _valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= date.today().year + 1


def infer_year(title: str, published: str | None = None) -> int | None:
    """The year a report covers, from its title, else from its publication date."""
    text = normalize_title(title)
    for pattern in (_YEAR_DIGITS, _YEAR_PAREN):
        for match in pattern.finditer(text):
            year = int(match.group(1))
            if _valid_year(year):
                return year
    for match in _YEAR_DIGITS.finditer(arabic_years(text)):  # 二〇一九年: digit years failed
        year = int(match.group(1))
        if _valid_year(year):
            return year
    if published:
        pub = parse_date(published)
        if pub:
            return int(pub[:4]) - 1
    return None


def parse_date(text: str | None) -> str | None:
    """First date in `text` as YYYY-MM-DD ("2022-01-13 17:09", "2026.01.06", "2020年1月31日")."""
    if not text:
        return None
    for pattern in (_DATE, _COMPACT_DATE):
        for match in pattern.finditer(text):
            y, m, d = (int(g) for g in match.groups())
            try:
                return date(y, m, d).isoformat()
            except ValueError:
                continue
    return None
