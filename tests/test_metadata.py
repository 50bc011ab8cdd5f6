"""Agency, year and publishing date as real pages and reports print them."""

from __future__ import annotations

import pytest

from extract.metadata import agency_and_year, is_annual_report, published_date
from extract.model import Document, Paragraph


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("莆田市城市管理局2023年度政府信息公开工作年度报告", "莆田市城市管理局", 2023),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
        ("沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局", "沭阳县发展和改革局", 2023),
        ("某市人民政府门户网站_某市民政局2022年政府信息公开工作年度报告", "某市民政局", 2022),
        ("某市民政局2022年度政府信息公开工作年度报告 - 某市人民政府", "某市民政局", 2022),
        ("莆田市审计局关于2010年政府信息公开工作年度报告", "莆田市审计局", 2010),
        ("莆田市旅游局二〇〇八年政府信息公开工作年度报告", "莆田市旅游局", 2008),
    ],
)
def test_agency_and_year_from_titles(title: str, agency: str, year: int) -> None:
    assert agency_and_year(Document(kind="html", title=title)) == (agency, year)


def test_heading_lines_of_a_pdf() -> None:
    """洪泽区 2024: the PDF's Title says only 政府信息公开工作年度报告; the first two lines
    carry agency and year."""
    doc = Document(
        kind="pdf",
        title="政府信息公开工作年度报告",
        blocks=[
            Paragraph("淮安市洪泽区人民政府"),
            Paragraph("2024年政府信息公开工作年度报告"),
            Paragraph("本报告由淮安市洪泽区人民政府办公室根据……编制。"),
        ],
    )
    assert agency_and_year(doc) == ("淮安市洪泽区人民政府", 2024)


def test_statistics_period_beats_the_publishing_year() -> None:
    doc = Document(
        kind="html",
        title="某局政府信息公开工作年度报告",
        blocks=[
            Paragraph("本报告所列数据统计期限自2023年1月1日起至2023年12月31日止。"),
            Paragraph("发布日期：2024-01-20"),
        ],
    )
    assert agency_and_year(doc)[1] == 2023
    assert published_date(doc) == "2024-01-20"


def test_dates_from_meta_and_info_block() -> None:
    assert (
        published_date(Document(kind="html", meta={"PubDate": "2024-01-17 11:36"})) == "2024-01-17"
    )
    assert published_date(Document(kind="html", meta={"发文日期": "2024年1月9日"})) == "2024-01-09"
    doc = Document(kind="html", blocks=[Paragraph("成文日期： 2021年2月3日")])
    assert published_date(doc) == "2021-02-03"


def test_what_is_an_annual_report() -> None:
    assert is_annual_report(Document(kind="html", title="某县2022年政府信息公开工作年度报告"))
    assert not is_annual_report(Document(kind="html", title="某县2022年政务公开工作要点"))
