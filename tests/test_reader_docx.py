"""DOCX reader on DOCX files LibreOffice made from real report pages, and on bad zips."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import extract.readers.docx as docx_reader
from extract.model import ExtractError, Paragraph
from extract.readers.docx import read_docx
from tests.conftest import FIXTURES, load_gold
from tests.grid_helpers import APPLICATION_ROWS, figures, gold_applications, row_with, table_with

MADE = FIXTURES / "made"
DOCS = ("sh-szfbgt-2019", "fj-putian-cgj-2023", "js-shuyang-fgj-2023")


def read(doc_id: str):
    return read_docx((MADE / f"{doc_id}.docx").read_bytes())


@pytest.mark.parametrize("doc_id", DOCS)
def test_application_table_has_every_gold_row(doc_id: str) -> None:
    table = table_with(read(doc_id), "本年新收")
    expected = gold_applications(load_gold(doc_id))
    assert len(expected) >= 20
    for key, numbers in expected.items():
        assert figures(row_with(table, APPLICATION_ROWS[key]), 7) == numbers, key


def test_2019_merged_header_cells_are_origins() -> None:
    doc = read("sh-szfbgt-2019")
    apps = table_with(doc, "本年新收")
    assert apps.width == 10
    note = apps.rows[0][0]
    assert note.text.startswith("（本列数据的勾稽关系为") and note.is_origin
    assert {apps.rows[r][c].origin for r in range(3) for c in range(3)} == {(0, 0)}
    assert apps.rows[0][3].text == "申请人情况"
    assert [c.origin for c in apps.rows[0][3:]] == [(0, 3)] * 7
    assert apps.rows[1][4].text == "法人或其他组织" and apps.rows[1][8].origin == (1, 4)
    assert apps.rows[2][3].text == "自然人" and apps.rows[2][3].origin == (1, 3)
    assert apps.rows[2][9].text == "总计" and apps.rows[2][9].origin == (1, 9)
    secret = row_with(apps, "属于国家秘密")
    group = secret[1]
    assert group.text == "（三）不予公开" and group.is_origin
    assert row_with(apps, "属于行政查询事项")[1].origin == group.origin
    assert row_with(apps, "（七）总计")[0].text == "三、本年度办理结果"
    assert [c.text for c in row_with(apps, "本年新收")[3:]] == [
        "821",
        "35",
        "",
        "",
        "2",
        "1",
        "859",
    ]


def test_2019_proactive_table_keeps_its_spans() -> None:
    table = table_with(read("sh-szfbgt-2019"), "第二十条第（一）项")
    assert table.rows[0][0].text == "第二十条第（一）项"
    assert {c.origin for c in table.rows[0]} == {(0, 0)}
    assert [c.text for c in row_with(table, "规章") if c.is_origin] == ["规章", "13", "13", "524"]
    purchase = next(row for row in table.rows if row[0].text == "政府集中采购")
    assert [c.text for c in purchase if c.is_origin] == ["政府集中采购", "6", "251000元"]


def test_review_litigation_row_matches_gold() -> None:
    table = table_with(read("js-shuyang-fgj-2023"), "行政复议")
    gold = load_gold("js-shuyang-fgj-2023")["review_litigation"]
    expected = [
        float(gold[part][m])
        for part in ("review", "litigation_direct", "litigation_after_review")
        for m in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert figures(table.rows[-1], 15) == expected


def test_paragraphs_and_tables_in_body_order() -> None:
    doc = read("fj-putian-cgj-2023")
    texts = [b.text if isinstance(b, Paragraph) else "<table>" for b in doc.blocks]
    heading = texts.index("二、主动公开政府信息情况")
    assert texts[heading + 1] == "<table>"
    assert texts[texts.index("三、收到和处理政府信息公开申请情况") + 1] == "<table>"
    assert any("2023年1月1日至2023年12月31日" in t for t in texts)
    assert [t.index for t in doc.tables] == list(range(len(doc.tables)))


def _docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_spans_and_nested_table_built_with_python_docx() -> None:
    made = docx.Document()
    made.add_paragraph("二、主动公开政府信息情况")
    table = made.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "第二十条第（一）项"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "规章"
    table.cell(1, 1).text = "5"
    table.cell(2, 2).text = "7"
    inner = table.cell(1, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "内"
    inner.cell(0, 1).text = "9"
    doc = read_docx(_docx_bytes(made))
    assert isinstance(doc.blocks[0], Paragraph)
    outer, nested = doc.tables
    assert [c.origin for c in outer.rows[0]] == [(0, 0)] * 3
    assert outer.rows[2][0].text == "规章" and outer.rows[2][0].origin == (1, 0)
    assert outer.rows[1][1].text == "5" and outer.rows[2][2].text == "7"
    assert [c.text for c in nested.rows[0]] == ["内", "9"]
    assert nested.index == 1


def test_core_properties_become_meta() -> None:
    made = docx.Document()
    made.core_properties.title = "2023年政府信息公开工作年度报告"
    made.core_properties.author = "莆田市城市管理局"
    made.add_paragraph("正文")
    doc = read_docx(_docx_bytes(made))
    assert doc.title == "2023年政府信息公开工作年度报告"
    assert doc.meta["author"] == "莆田市城市管理局"


def _bomb(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return out.getvalue()


def test_zip_bomb_refused_by_ratio() -> None:
    data = _bomb(32 << 20)
    assert len(data) < 100_000
    with pytest.raises(ExtractError) as err:
        read_docx(data)
    assert err.value.status == "failed"
    assert err.value.reason.startswith("refusing DOCX: member word/document.xml compresses")
    assert "looks like a zip bomb" in err.value.reason


def test_zip_bomb_refused_by_total_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED", 4 << 20)
    with pytest.raises(ExtractError) as err:
        read_docx(_bomb(5 << 20))
    assert err.value.status == "failed"
    assert err.value.reason == "refusing DOCX: it inflates to 5 MB, looks like a zip bomb"


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04" + b"\x00" * 64, b"", b"\xd0\xcf\x11\xe0garbage" * 10]
)
def test_corrupt_zip_fails(data: bytes) -> None:
    with pytest.raises(ExtractError) as err:
        read_docx(data)
    assert err.value.status == "failed"
    assert err.value.reason.startswith("corrupt DOCX: not a readable zip")


def test_zip_without_document_fails() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/other.xml", "<x/>")
    with pytest.raises(ExtractError) as err:
        read_docx(out.getvalue())
    assert err.value.status == "failed"
    assert err.value.reason.startswith("corrupt DOCX:")


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_end_in_a_status_not_a_crash(data: bytes) -> None:
    try:
        read_docx(data)
    except ExtractError as exc:
        assert exc.status == "failed"


def test_image_only_docx_needs_ocr(tmp_path) -> None:
    picture = tmp_path / "scan.png"
    Image.new("L", (60, 80), 255).save(picture)
    made = docx.Document()
    made.add_picture(str(picture))
    with pytest.raises(ExtractError) as err:
        read_docx(_docx_bytes(made))
    assert err.value.status == "needs_ocr"
    assert err.value.reason == "image-only DOCX: pictures but no text"
