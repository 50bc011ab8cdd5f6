"""Years in Chinese numerals, read the same way in list titles (crawler) and in report
titles and text (extractor), whichever zero the page types."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crawler.listing.classify import infer_year
from extract.metadata import agency_and_year
from extract.model import Document
from nianbao.common.numerals import CN_DIGITS, arabic_years

_SPELLINGS = {d: [c for c, v in CN_DIGITS.items() if v == d] for d in "0123456789"}


@st.composite
def spelled_years(draw: st.DrawFn) -> tuple[int, str]:
    year = draw(st.integers(1900, 2099))
    return year, "".join(draw(st.sampled_from(_SPELLINGS[d])) for d in str(year))


@given(spelled_years(), st.text(alphabet="某县局政府信息公开工作年度报告 ", max_size=12))
def test_every_spelling_of_a_year_reads_as_its_digits(spelled: tuple[int, str], tail: str) -> None:
    year, text = spelled
    assert arabic_years(f"{text}年{tail}") == f"{year}年{tail}"
    assert arabic_years(f"{text} 年") == f"{year} 年"


@given(st.text())
def test_reading_twice_changes_nothing_more(text: str) -> None:
    once = arabic_years(text)
    assert arabic_years(once) == once
    if not any(c in CN_DIGITS for c in text):
        assert once == text


def test_only_years_followed_by_nian_are_read() -> None:
    assert arabic_years("一二三四年") == "一二三四年"  # not a year of this era
    assert arabic_years("二〇一九") == "二〇一九"
    assert arabic_years("危及“三安全一稳定”") == "危及“三安全一稳定”"


def test_crawler_and_extractor_read_the_same_titles() -> None:
    """莆田市旅游局's 2008 report spells its year 二〇〇八; Latin and full-width O are
    typed for 〇 too (each side read only one of them before)."""
    for title, year in (
        ("莆田市旅游局二〇〇八年政府信息公开工作年度报告", 2008),
        ("某县二O一九年政府信息公开工作年度报告", 2019),
        ("某县二Ｏ二三年政府信息公开工作年度报告", 2023),
    ):
        assert infer_year(title) == year
        assert agency_and_year(Document(kind="html", title=title))[1] == year
