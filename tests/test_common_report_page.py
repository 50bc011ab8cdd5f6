"""The report page's body containers and metadata labels, declared once: the crawler's
regular expressions and the extractor's parsed page read every one of them alike."""

from __future__ import annotations

import pytest

from crawler.detail import metadata_block, parse_report
from extract.metadata import agency_and_year, published_date
from extract.readers.html import read_html
from nianbao.common.report_page import CMS_BODY_CONTAINERS, META_FIELDS, meta_labels
from tests.conftest import CORPUS

URL = "http://www.example.gov.cn/zfxxgk/202401/t20240117_1.htm"
CHROME = (
    "<div class='nav'>首页 政务公开 " + "版权所有 主办单位：某市人民政府办公室 " * 10 + "</div>"
)


@pytest.mark.parametrize("name", CMS_BODY_CONTAINERS)
@pytest.mark.parametrize("attribute", ["class", "id"])
def test_every_cms_container_is_the_body_for_both(name: str, attribute: str) -> None:
    scans = '<p><img src="./W1.jpg"></p><p><img src="./W2.jpg"></p>'
    page = f'<html><body>{CHROME}<div {attribute}="{name}">{scans}</div>{CHROME}</body></html>'
    pictures = parse_report(URL, page).pictures  # the body is the report's page pictures
    assert [p.rsplit("/", 1)[1] for p in pictures] == ["W1.jpg", "W2.jpg"]
    table = "<table><tr><td>本年新收政府信息公开申请数量</td><td>13</td></tr></table>"
    body = f'<html><body>{CHROME}<div {attribute}="{name}">{table}</div>{CHROME}</body></html>'
    doc = read_html(body.encode("utf-8"))
    assert [t.rows[0][1].text for t in doc.tables] == ["13"]
    assert "版权所有" not in doc.text


def test_the_real_pages_body_is_found_by_both() -> None:
    """莆田市水利局 2008: TRS_Editor around Custom_UnionStyle."""
    text = (CORPUS / "docs/fj-putian-slj-2008.html").read_text(encoding="utf-8")
    assert parse_report(URL, text).attachments == []  # a text body: no page pictures
    doc = read_html(text.encode("utf-8"))
    assert doc.text.startswith("根据《中华人民共和国政府信息公开条例》有关规定")
    assert doc.text.endswith("莆田市水利局办公室\n2009年1月21日")


@pytest.mark.parametrize("label", meta_labels("agency"))
def test_every_agency_label_is_read_by_both(label: str) -> None:
    assert metadata_block(f"{label}：莆田市城市管理局\n") == {"agency": "莆田市城市管理局"}
    page = (
        "<html><head><title>政府信息公开工作年度报告</title></head><body>"
        f"<table><tr><td>{label}：莆田市城市管理局</td>\n<td>索引号：FJ00101-0202-2024-00004</td>"
        "</tr></table></body></html>"
    )
    assert agency_and_year(read_html(page.encode("utf-8")))[0] == "莆田市城市管理局"


@pytest.mark.parametrize("label", meta_labels("published_date", "written_date"))
def test_every_date_label_is_read_by_both(label: str) -> None:
    field = next(name for name, labels in META_FIELDS.items() if label in labels)
    assert metadata_block(f"{label}：2024年1月17日\n") == {field: "2024-01-17"}
    page = f"<html><body><p>{label}：2024-01-17</p><p>正文</p></body></html>"
    assert published_date(read_html(page.encode("utf-8"))) == "2024-01-17"


@pytest.mark.parametrize("label", META_FIELDS["source"])
def test_who_posted_the_page_is_the_agency_for_the_crawler_only(label: str) -> None:
    assert metadata_block(f"{label}：市政府办\n") == {"agency": "市政府办"}
    page = f"<html><body><table><tr><td>{label}：市政府办</td></tr></table></body></html>"
    assert agency_and_year(read_html(page.encode("utf-8")))[0] is None
