"""The HTML reader on real portal pages and on the forms the same pages take elsewhere:
GBK-encoded, Word-pasted markup, layout tables, CMS chrome around the body."""

from __future__ import annotations

import html as html_lib
import re

from extract.extractor import extract_bytes
from extract.readers.html import read_html
from tests.conftest import CORPUS, load_gold

PUTIAN = CORPUS / "docs/fj-putian-cgj-2023.html"
SHANGHAI = CORPUS / "docs/sh-szfbgt-2019.html"


def _apps_total(record, row: str) -> int:
    return record.applications[row]["total"].value


def _gold_total(doc_id: str, row: str) -> int:
    return load_gold(doc_id)["applications"][row]["total"]


def test_trs_page_body_and_meta() -> None:
    doc = read_html(PUTIAN.read_bytes())
    assert doc.meta["PubDate"] == "2024-01-17 11:36"
    assert doc.title == "莆田市城市管理局2023年度政府信息公开工作年度报告"
    assert len(doc.tables) == 3  # only the report's tables, not the portal's chrome
    assert doc.tables[1].rows[3][0].text == "一、本年新收政府信息公开申请数量"


def test_gbk_page_declared_in_meta() -> None:
    text = PUTIAN.read_text(encoding="utf-8").replace('charset="UTF-8"', 'charset="gb2312"')
    text = re.sub(r'<meta charset="UTF-8">', '<meta charset="gb2312">', text)
    record = extract_bytes(text.encode("gb18030"), "gbk.html", "gbk.html")
    assert record.agency == "莆田市城市管理局"
    assert _apps_total(record, "total_processed") == _gold_total(
        "fj-putian-cgj-2023", "total_processed"
    )


def test_gbk_page_without_declaration_is_detected() -> None:
    text = re.sub(r"<meta charset=[^>]*>", "", PUTIAN.read_text(encoding="utf-8"))
    record = extract_bytes(text.encode("gbk", errors="replace"), "nometa.html", "nometa.html")
    assert record.status == "ok"
    assert record.year == 2023
    assert _apps_total(record, "new_received") == _gold_total("fj-putian-cgj-2023", "new_received")


def _word_pasted(html: str) -> str:
    """Rewrite every cell the way Word's HTML export pastes it: MsoNormal paragraphs,
    each character run in its own span, labels broken by <br> and <p>."""

    def cell(m: re.Match) -> str:
        attrs, inner = m.group(1), m.group(2)
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        half = len(text) // 2
        runs = "".join(f'<span lang=EN-US style="font-size:9pt">{ch}</span>' for ch in text[:half])
        rest = f'<span style="font-family:宋体">{text[half:]}</span>'
        return (
            f"<td{attrs} style='border:solid windowtext 1.0pt'><p class=MsoNormal>"
            f"{runs}<br>{rest}<o:p></o:p></p></td>"
        )

    html = re.sub(r"<td([^>]*)>(.*?)</td>", cell, html, flags=re.S)
    return html.replace("<table", "<table class=MsoNormalTable border=0 cellspacing=0")


def test_word_pasted_markup_reads_the_same() -> None:
    record = extract_bytes(_word_pasted(SHANGHAI.read_text(encoding="utf-8")).encode(), "w.html")
    gold = load_gold("sh-szfbgt-2019")
    assert record.status == "ok"
    assert record.applications["denied_inquiry"]["natural_person"].value == 10
    for row, columns in gold["applications"].items():
        assert {c: v.value for c, v in record.applications[row].items()} == columns
    assert record.review_litigation["litigation_direct"]["total"].value == 9


def test_tables_nested_in_layout_tables() -> None:
    body = SHANGHAI.read_text(encoding="utf-8")
    page = (
        "<html><body><table width=1000><tr><td class=nav>首页 | 信息公开 | 12345</td></tr>"
        f"<tr><td><table><tr><td>{body}</td></tr></table></td></tr></table></body></html>"
    )
    record = extract_bytes(page.encode(), "layout.html")
    assert record.status == "ok"
    assert record.applications["new_received"]["natural_person"].value == 821


def test_page_without_tables_is_not_a_report() -> None:
    page = (
        "<html><head><title>关于开展政务公开培训的通知</title></head>"
        "<body><p>各单位：</p></body></html>"
    )
    record = extract_bytes(page.encode(), "notice.html")
    assert record.status == "not_report"


def test_report_page_whose_tables_are_missing_is_partial() -> None:
    page = (
        "<html><head><title>某某局2022年政府信息公开工作年度报告</title></head>"
        "<body><div class=TRS_Editor><p>统计期限自2022年1月1日至2022年12月31日。</p>"
        "<p>详见附件。</p></div></body></html>"
    )
    record = extract_bytes(page.encode(), "img.html")
    assert record.status == "partial"
    assert "no national statistical tables" in record.error
    assert (record.agency, record.year) == ("某某局", 2022)


def test_report_published_as_pictures_needs_ocr() -> None:
    page = (
        "<html><head><title>某某局2022年政府信息公开工作年度报告</title></head>"
        "<body><div class=TRS_Editor><p>二、主动公开政府信息情况</p>"
        '<p><img src="1.jpg"></p><p><img src="2.jpg"></p></div></body></html>'
    )
    record = extract_bytes(page.encode(), "pictures.html")
    assert record.status == "needs_ocr"
    assert "2 pictures" in record.error
