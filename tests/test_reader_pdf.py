"""PDF reader on the corpus's real PDFs and on PDFs LibreOffice made from real pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.model import ExtractError, Paragraph, Table
from extract.readers.cleantext import is_digit_figure, join_cell_text
from extract.readers.pages import Part, PCell, _append, _attach, _Builder, _grid
from extract.readers.pdf import read_pdf
from tests.conftest import CORPUS, FIXTURES, load_gold
from tests.grid_helpers import APPLICATION_ROWS, figures, gold_applications, row_with, table_with

MADE = FIXTURES / "made"
PDFS = {
    "js-hongze-2023": CORPUS / "docs" / "js-hongze-2023.pdf",
    "js-hongze-2024": CORPUS / "docs" / "js-hongze-2024.pdf",
    "js-huaian-2024": CORPUS / "docs" / "js-huaian-2024.pdf",
    "fj-putian-cgj-2023": MADE / "fj-putian-cgj-2023.pdf",
    "js-shuyang-fgj-2023": MADE / "js-shuyang-fgj-2023.pdf",
}
_cache: dict[str, object] = {}


def read(doc_id: str):
    """Each PDF is read once per test session: the reader is pure."""
    if doc_id not in _cache:
        _cache[doc_id] = read_pdf(PDFS[doc_id].read_bytes())
    return _cache[doc_id]


@pytest.mark.parametrize("doc_id", sorted(PDFS))
def test_application_table_has_every_gold_row(doc_id: str) -> None:
    table = table_with(read(doc_id), "本年新收")
    expected = gold_applications(load_gold(doc_id))
    assert len(expected) >= 20
    for key, numbers in expected.items():
        assert figures(row_with(table, APPLICATION_ROWS[key]), 7) == numbers, key


@pytest.mark.parametrize("doc_id", sorted(PDFS))
def test_review_litigation_row_matches_gold(doc_id: str) -> None:
    table = table_with(read(doc_id), "行政复议")
    gold = load_gold(doc_id)["review_litigation"]
    expected = [
        float(gold[part][m])
        for part in ("review", "litigation_direct", "litigation_after_review")
        for m in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert table.width == 15
    assert figures(table.rows[-1], 15) == expected


def test_hongze_2023_values_as_printed() -> None:
    doc = read("js-hongze-2023")
    apps = table_with(doc, "本年新收")
    row = row_with(apps, "属于国家秘密")
    assert [c.text for c in row[-7:]] == ["1", "0", "0", "0", "0", "0", "1"]
    assert "（三）不予公开" in [c.text for c in row]
    review = table_with(doc, "行政复议")
    assert [c.text for c in review.rows[-1][:5]] == ["10", "1", "0", "0", "0"]


def test_huaian_table_across_page_break_is_one_table_with_label_joined() -> None:
    doc = read("js-huaian-2024")
    apps = [t for t in doc.tables if any("本年新收" in c.text for r in t.rows for c in r)]
    assert len(apps) == 1
    table = apps[0]
    assert set(table.row_pages) == {4, 5}
    assert table.page == 4
    row = row_with(table, "没有现成信息需要另行制作")
    r = row[0].row
    assert table.page_of(r) == 5
    group = row[1]
    assert group.text == "（四）无法提供"
    # The merged cell starts on page 4, in the row of its first sub-item.
    assert table.page_of(group.origin[0]) == 4
    assert "不掌握相关政府信息" in table.rows[group.origin[0]][2].text
    assert [c.text for c in row[-7:]] == ["11", "0", "0", "0", "0", "0", "11"]
    labels = {c.text for row in table.rows for c in row}
    assert "法提供" not in labels and "（四）无" not in labels
    # The vertical group label of section 三 covers rows on both pages.
    vertical = [c for c in table.rows[-2] if c.text == "三、本年度办理结果"]
    assert vertical and not vertical[0].is_origin


def test_hongze_section_two_table_joined_across_pages() -> None:
    doc = read("js-hongze-2023")
    table = table_with(doc, "行政许可")
    assert set(table.row_pages) == {2, 3}
    assert table.width == 4
    assert [c.text for c in row_with(table, "行政许可")][:2] == ["行政许可", "550"]
    assert [c.text for c in row_with(table, "行政事业性收费")][:2] == ["行政事业性收费", "7730.28"]
    fees = row_with(table, "行政事业性收费")
    assert fees[1].origin == fees[3].origin  # one cell over three grid columns
    # pdfplumber finds no cell for this header (its border is a fill); read it anyway.
    assert [c.text for c in table.rows[8][:2]] == ["信息内容", "本年处理决定数量"]
    assert table.page_of(8) == 3
    rules = row_with(table, "规章")
    assert [c.text for c in rules] == ["规章", "0", "0", "0"]


def test_shuyang_table_across_two_page_breaks() -> None:
    doc = read("js-shuyang-fgj-2023")
    table = table_with(doc, "本年新收")
    assert len(set(table.row_pages)) >= 2
    assert len(table.rows) == 28
    header = table.rows[2]
    assert [c.text for c in header[4:9]] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]


def test_merged_header_cells_are_origins() -> None:
    table = table_with(read("js-hongze-2024"), "本年新收")
    top = table.rows[0]
    assert top[3].text == "申请人情况" and top[3].is_origin
    assert all(c.origin == (0, 3) for c in top[3:])
    assert table.rows[1][4].text == "法人或其他组织"
    assert [c.origin for c in table.rows[1][4:9]] == [(1, 4)] * 5
    assert table.rows[2][3].text == "自然人" and table.rows[2][3].origin == (1, 3)
    note = table.rows[2][0]
    assert note.origin == (0, 0) and note.text.startswith("（本列数据的勾稽关系为")


def test_body_text_frames_are_paragraphs_in_reading_order() -> None:
    doc = read("js-hongze-2023")
    assert all(t.width > 1 for t in doc.tables)
    assert all(t.page != 1 for t in doc.tables)
    texts = [b.text if isinstance(b, Paragraph) else "<table>" for b in doc.blocks]
    heading = texts.index("二、主动公开政府信息情况")
    assert texts[heading + 1] == "<table>"
    assert texts.index("三、收到和处理政府信息公开申请情况") > heading + 1
    intro = next(t for t in texts if t.startswith("本报告由淮安市洪泽区人民政府办公室"))
    # Lines wrapped on the page are one paragraph again.
    assert "统计期限自2023年1月1日起至2023年12月31日止" in intro
    assert all(isinstance(b.page, int) for b in doc.blocks if isinstance(b, Paragraph))


def test_paragraph_crossing_page_break_is_joined() -> None:
    doc = read("js-huaian-2024")
    pages = [b.page for b in doc.blocks if isinstance(b, Paragraph)]
    assert pages == sorted(pages)
    assert any(
        "统计期限自2024年1月1日至2024年12月31日" in b.text
        for b in doc.blocks
        if isinstance(b, Paragraph)
    )
    assert "六、其他需要报告的事项" in [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def test_meta_from_pdf_info() -> None:
    doc = read("js-hongze-2023")
    assert doc.pages == 5
    assert doc.meta["Title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert doc.title == doc.meta["Title"]
    assert doc.meta["CreationDate"].startswith("D:20240226")
    assert doc.meta["Creator"].startswith("WPS")


def test_tables_are_rectangular_and_indexed() -> None:
    for doc_id in PDFS:
        doc = read(doc_id)
        for i, table in enumerate(doc.tables):
            assert isinstance(table, Table)
            assert table.index == i
            assert len(table.row_pages) == len(table.rows)
            for r, row in enumerate(table.rows):
                assert len(row) == table.width
                for c, cell in enumerate(row):
                    assert (cell.row, cell.col) == (r, c)
                    origin = table.rows[cell.origin[0]][cell.origin[1]]
                    assert origin.is_origin and origin.text == cell.text


def test_encrypted_pdf_fails_with_reason() -> None:
    with pytest.raises(ExtractError) as err:
        read_pdf((MADE / "encrypted.pdf").read_bytes())
    assert err.value.status == "failed"
    assert err.value.reason.startswith("encrypted PDF")


def test_image_only_pdf_goes_to_ocr() -> None:
    doc = read_pdf((MADE / "image-only.pdf").read_bytes())
    assert doc.ocr is not None and doc.ocr.pages == [1]


def test_blank_pdf_fails() -> None:
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    with pytest.raises(ExtractError) as err:
        read_pdf(buf.getvalue())
    assert err.value.status == "failed" and err.value.reason.startswith("blank PDF")


def test_truncated_pdf_fails(tmp_path: Path) -> None:
    data = PDFS["js-hongze-2023"].read_bytes()
    with pytest.raises(ExtractError) as err:
        read_pdf(data[: len(data) // 2])
    assert err.value.status == "failed"
    assert err.value.reason.startswith("corrupt PDF")


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"%PDF-1.4\n" + bytes(range(256)) * 8])
def test_garbage_fails(data: bytes) -> None:
    with pytest.raises(ExtractError) as err:
        read_pdf(data)
    assert err.value.status == "failed"
    assert err.value.reason


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_end_in_a_status_not_a_crash(tail: bytes) -> None:
    try:
        read_pdf(b"%PDF-1.4\n" + tail)
    except ExtractError as exc:
        assert exc.status in ("failed", "needs_ocr")


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_numbers_survive_cell_joining(whole: int, cents: int) -> None:
    for text in (str(whole), f"{whole}.{cents:02d}", f" {whole}\n"):
        assert join_cell_text(text) == text.strip()
        assert is_digit_figure(join_cell_text(text))


@given(st.text(alphabet="商业企业科研机构三、本年度（一）", min_size=1, max_size=12))
def test_cjk_label_broken_over_lines_is_joined(label: str) -> None:
    broken = "\n".join(label)
    assert join_cell_text(broken) == label
    assert join_cell_text(join_cell_text(broken)) == label


def _part(rows: list[list[tuple[str, float, float, int]]]) -> Part:
    """A table part as the page reader makes it: cells (text, x0, x1, rowspan) per row."""
    cells = [
        PCell(text, r, span, x0, x1) for r, row in enumerate(rows) for text, x0, x1, span in row
    ]
    return Part(72.0, [0.0, 100.0, 200.0, 300.0], cells, len(rows))


def test_row_cut_by_page_break_without_numbers_is_one_row() -> None:
    builder = _Builder(edges=[0.0, 100.0, 200.0, 300.0])
    _append(
        builder,
        _part(
            [
                [("规章", 0, 100, 1), ("1", 100, 200, 1), ("2", 200, 300, 1)],
                [("（四）无", 0, 100, 1), ("7", 100, 200, 1), ("8", 200, 300, 1)],
            ]
        ),
        4,
    )
    # The next page opens with the rest of the label and no figures, then a new row.
    _attach(
        builder,
        _part(
            [
                [("法提供", 0, 100, 1), ("", 100, 200, 1), ("", 200, 300, 1)],
                [("行政许可", 0, 100, 1), ("3", 100, 200, 1), ("4", 200, 300, 1)],
            ]
        ),
        5,
    )
    table = _grid(builder, 0)
    assert [[c.text for c in row] for row in table.rows] == [
        ["规章", "1", "2"],
        ["（四）无法提供", "7", "8"],
        ["行政许可", "3", "4"],
    ]
    assert table.row_pages == [4, 4, 5]


def test_group_label_cut_by_page_break_joins_when_numbering_goes_on() -> None:
    builder = _Builder(edges=[0.0, 100.0, 200.0, 300.0])
    _append(
        builder,
        _part([[("（四）无", 0, 100, 1), ("1.不掌握", 100, 200, 1), ("5", 200, 300, 1)]]),
        4,
    )
    _attach(
        builder,
        _part(
            [
                [("法提供", 0, 100, 2), ("2.没有现成", 100, 200, 1), ("6", 200, 300, 1)],
                [("3.补正后", 100, 200, 1), ("0", 200, 300, 1)],
            ]
        ),
        5,
    )
    table = _grid(builder, 0)
    assert [c.text for c in table.rows[2]] == ["（四）无法提供", "3.补正后", "0"]
    assert {table.rows[r][0].origin for r in range(3)} == {(0, 0)}
    # A new group on the next page whose numbering starts again stays its own cell.
    other = _Builder(edges=[0.0, 100.0, 200.0, 300.0])
    _append(other, _part([[("（三）", 0, 100, 1), ("8.查询", 100, 200, 1), ("5", 200, 300, 1)]]), 4)
    _attach(other, _part([[("（五）", 0, 100, 1), ("1.信访", 100, 200, 1), ("6", 200, 300, 1)]]), 5)
    assert [c.text for c in _grid(other, 0).rows[1]] == ["（五）", "1.信访", "6"]
