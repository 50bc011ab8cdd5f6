"""Reports that are pictures: scans, a mixed PDF, a TIFF, a photo, a picture page.

Each fixture is made from a corpus report (tests/fixtures/scans/PROVENANCE.md), so the
corpus's hand-checked answers say what must come out. The OCR runs are few and each
document is read once per session (a handful of pages: OCR costs seconds a page).
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from extract.extractor import extract_path
from extract.model import OcrInfo
from extract.readers import ruling
from extract.readers.ocr import _cell_text, _nearest_label
from extract.readers.ocr_engine import Reading, _decode, engine_name
from tests.conftest import FIXTURES, flatten_cells, load_gold

SCANS = FIXTURES / "scans"
# A document of a few pages takes seconds a page; a shared machine can make it minutes.
pytestmark = pytest.mark.timeout(1200)


@cache
def _extract(name: str) -> dict:
    return extract_path(SCANS / "docs" / name).to_dict()


def _gold(doc_id: str) -> dict:
    path = SCANS / "gold" / f"{doc_id}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return load_gold(doc_id)


def _wrong(record: dict, gold: dict, keep=lambda key: True) -> dict:
    got, expected = flatten_cells(record), flatten_cells(gold)
    return {
        k: (v, got.get(k, "missing")) for k, v in expected.items() if keep(k) and got.get(k) != v
    }


# -- the grid finder, on drawn tables -------------------------------------------------


@st.composite
def _ruled_tables(draw):
    """A table drawn like a scan: random rows and columns, some merged cells, lines 1–3 px,
    turned by up to 1° (a grid line no row draws is no grid line). Returns the picture
    and the expected (row, col, rowspan, colspan)."""
    rows = draw(st.integers(2, 7))
    cols = draw(st.integers(2, 7))
    heights = [draw(st.integers(34, 70)) for _ in range(rows)]
    widths = [draw(st.integers(50, 160)) for _ in range(cols)]
    owner = {(r, c): (r, c, 1, 1) for r in range(rows) for c in range(cols)}
    for _ in range(draw(st.integers(0, 3))):
        r, c = draw(st.integers(0, rows - 1)), draw(st.integers(0, cols - 1))
        rs, cs = draw(st.integers(1, rows - r)), draw(st.integers(1, cols - c))
        block = [(r + i, c + j) for i in range(rs) for j in range(cs)]
        if all(owner[p][2:] == (1, 1) and owner[p][:2] == p for p in block):
            for p in block:
                owner[p] = (r, c, rs, cs)
    # Every grid line is drawn somewhere; else the grid is not what was meant to be drawn.
    assume(
        all(any(owner[(r, c)] != owner[(r, c + 1)] for r in range(rows)) for c in range(cols - 1))
    )
    assume(
        all(any(owner[(r, c)] != owner[(r + 1, c)] for c in range(cols)) for r in range(rows - 1))
    )
    ys = np.cumsum([60, *heights]).tolist()
    xs = np.cumsum([60, *widths]).tolist()
    page = np.full((ys[-1] + 60, xs[-1] + 60), 255, np.uint8)
    thick = draw(st.integers(1, 3))
    for r in range(rows + 1):
        for c in range(cols):
            above = owner.get((r - 1, c))
            below = owner.get((r, c))
            if above is None or below is None or above != below:
                cv2.line(page, (xs[c], ys[r]), (xs[c + 1], ys[r]), 0, thick)
    for c in range(cols + 1):
        for r in range(rows):
            left = owner.get((r, c - 1))
            right = owner.get((r, c))
            if left is None or right is None or left != right:
                cv2.line(page, (xs[c], ys[r]), (xs[c], ys[r + 1]), 0, thick)
    angle = draw(st.floats(-1.0, 1.0))
    page = ruling.rotate(page, angle)
    return page, set(owner.values())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ruled_tables())
def test_grid_with_merged_cells_is_found_from_the_ruling(drawn) -> None:
    page, expected = drawn
    straight = ruling.rotate(page, ruling.skew_angle(page))
    tables, _ = ruling.find_tables(straight)
    assert len(tables) == 1
    found = {(c.row, c.col, c.rowspan, c.colspan) for c in tables[0].cells}
    assert found == expected


@pytest.mark.parametrize("cut", ["bottom", "top"])
def test_row_a_page_break_left_unruled_is_kept(cut) -> None:
    """A table cut by the page end: its last row has column lines but no line under it
    (or, going on from the page before, its first row none over it). The row is a row."""
    ys, xs = [60, 100, 140, 180, 220], [60, 200, 300, 400]
    page = np.full((300, 460), 255, np.uint8)
    drawn = ys[:-1] if cut == "bottom" else ys[1:]
    for y in drawn:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    tables, _ = ruling.find_tables(page)
    assert len(tables) == 1
    assert tables[0].ys == pytest.approx(ys, abs=2)
    assert {(c.row, c.col) for c in tables[0].cells} == {(r, c) for r in range(4) for c in range(3)}


def test_column_lines_just_past_the_table_add_no_row() -> None:
    """Outer lines overshooting a corner by a few pixels are no cut-off row."""
    page = np.full((300, 460), 255, np.uint8)
    for y in (60, 100, 140):
        cv2.line(page, (60, y), (400, y), 0, 2)
    for x in (60, 200, 400):
        cv2.line(page, (x, 52), (x, 148), 0, 2)
    tables, _ = ruling.find_tables(page)
    assert len(tables) == 1 and len(tables[0].ys) == 3


def test_red_seal_is_dropped_and_black_ink_kept() -> None:
    page = np.full((40, 40, 3), 255, np.uint8)
    page[:, :20] = (30, 30, 220)  # BGR: the red of a seal
    page[:, 20:] = (20, 20, 20)
    grey = ruling.grey(page)
    assert grey[:, :20].min() > 200 and grey[:, 20:].max() < 60


def test_numeric_cell_reads_letters_as_digits_and_says_so() -> None:
    ocr = OcrInfo(engine="test")
    reading = _cell_text([Reading("l0", 0.6, "10", 0.93)], ocr, "page 2")
    assert (reading.text, reading.confidence) == ("10", 0.93)
    assert ocr.substitutions == ["page 2: 'l0' read as '10' (numeric cell)"]
    label = _cell_text([Reading("行政", 0.99, "", 0.0), Reading("处罚", 0.98, "", 0.0)], ocr, "")
    assert label.text == "行政处罚" and label.alternatives == ()
    word = _cell_text([Reading("Ol", 0.9, "01", 0.9)], OcrInfo(engine="test"), "")
    assert word.text == "01"  # all letters that are digits: numeric
    assert _cell_text([Reading("IOS", 0.9, "10", 0.2)], ocr, "").text == "IOS"  # a word


def test_numeric_cell_keeps_the_other_numbers_the_recogniser_half_saw() -> None:
    """The general decode (letters taken for digits) and each line's runner-up digits,
    the line's place in the cell kept: what the table's sums may choose from."""
    lines = [Reading("1", 0.99, "1", 0.99), Reading("3O", 0.5, "38", 0.5, ("36", "3"))]
    reading = _cell_text(lines, OcrInfo(engine="test"), "")
    assert (reading.text, reading.confidence) == ("138", 0.5)
    assert reading.alternatives == ("130", "136", "13")


def test_unsure_digit_gives_its_runner_up_as_another_reading() -> None:
    """CTC frames over blank, 1, 3, 8, 口: a sure 1, a 3 half taken for an 8, then a 1 that
    may be no character at all (the blank its runner-up)."""
    chars = ["blank", "1", "3", "8", "口"]
    pred = np.array(
        [
            [0.005, 0.99, 0.0, 0.0, 0.005],
            [0.98, 0.01, 0.0, 0.0, 0.01],
            [0.02, 0.0, 0.6, 0.35, 0.03],
            [0.3, 0.65, 0.0, 0.0, 0.05],
        ]
    )
    digits = np.array([0, 1, 2, 3])  # the numeric classes: 口 is not one
    text, confidence, others = _decode(pred, digits, chars, alternatives=True)
    assert (text, confidence, others) == ("131", 0.6, ("181", "13"))
    assert _decode(pred, digits, chars) == ("131", 0.6, ())


def test_doubtful_label_one_stroke_off_the_template_is_put_right() -> None:
    ocr = OcrInfo(engine="test")
    assert (
        _cell_text([Reading("（一）子以公开", 0.55, "", 0.0)], ocr, "p4").text == "（一）予以公开"
    )
    assert ocr.substitutions == ["p4: label '（一）子以公开' read as '（一）予以公开'"]
    assert _cell_text([Reading("（一）子以公开", 0.99, "", 0.0)], ocr, "").text == "（一）子以公开"
    assert _nearest_label("2.其他法律行政止公开") == "2.其他法律行政止公开"  # printed so
    assert _nearest_label("某某某某") == "某某某某"


# -- whole documents against their gold answers ----------------------------------------


def test_scanned_pdf_with_seal_reads_like_the_original() -> None:
    record = _extract("js-hongze-2024-scan.pdf")
    gold = _gold("js-hongze-2024-scan")
    assert record["status"] == "ok", record["error"]
    assert (record["agency"], record["year"]) == (gold["agency"], gold["year"])
    assert record["formats"] == gold["formats"]
    assert not _wrong(record, gold)
    assert record["reader"] == "ocr" and record["ocr_pages"] == [1, 2, 3, 4, 5]
    assert record["ocr_engine"] == engine_name() and "PP-OCRv4" in record["ocr_engine"]


def test_ocr_cells_say_where_on_the_picture_and_how_sure() -> None:
    record = _extract("js-hongze-2024-scan.pdf")
    cell = record["applications"]["new_received"]["natural_person"]
    loc = cell["loc"]
    assert cell["value"] == 95
    assert loc["page"] == 3 and loc["dpi"] == 150
    x0, y0, x1, y1 = loc["bbox"]
    assert 0 < x0 < x1 < 1241 and 0 < y0 < y1 < 1754  # a cell-sized box on the A4 page
    assert 20 < x1 - x0 < 200 and 20 < y1 - y0 < 100
    assert 0.8 <= loc["confidence"] <= 1.0
    confident = [c for c in record["checks"] if c["name"] == "reader.ocr_confident"]
    assert len(confident) == 1 and confident[0]["passed"]


def test_mixed_pdf_reads_only_its_picture_pages_by_ocr() -> None:
    record = _extract("js-shuyang-fgj-2023-mixed.pdf")
    gold = _gold("js-shuyang-fgj-2023")
    assert record["ocr_pages"] == [3, 4, 5]
    assert record["status"] == "ok", record["error"]
    assert not _wrong(record, gold)


def test_multi_page_tiff_from_a_document_scanner() -> None:
    record = _extract("fj-putian-cgj-2023-scan.tif")
    gold = _gold("fj-putian-cgj-2023")
    assert record["kind"] == "image" and record["ocr_pages"] == [1, 2, 3, 4]
    assert record["formats"] == gold["formats"]
    assert not _wrong(record, gold)


def test_photo_at_an_angle() -> None:
    """Page 3 of 洪泽区 2023 photographed: the applications rows printed on it."""
    record = _extract("js-hongze-2023-photo.jpg")
    gold = _gold("js-hongze-2023")
    on_page = {"new_received", "carried_over", "granted", "partly_granted"}
    wrong = _wrong(record, gold, keep=lambda k: k[0] == "applications" and k[1] in on_page)
    assert not wrong
    assert record["applications"]["new_received"]["total"]["value"] > 0


def test_low_resolution_scan_is_right_or_flagged() -> None:
    """100 dpi: whatever is misread must not pass as clean."""
    record = _extract("js-hongze-2023-100dpi.pdf")
    gold = _gold("js-hongze-2023")
    assert len(flatten_cells(record)) >= 0.95 * len(flatten_cells(gold))
    if _wrong(record, gold):
        assert record["status"] != "ok" or any(not c["passed"] for c in record["checks"])


def test_row_cut_by_the_page_break_is_read() -> None:
    """js-hongze-2023 prints 三（四）2.没有现成信息需要另行制作 as the last row of page 3,
    the page ending before the line under it; the row is read, its numbers the gold's."""
    record = _extract("js-hongze-2023-100dpi.pdf")
    gold = _gold("js-hongze-2023")
    row = ("applications", "unable_needs_creation")
    got = {k: v for k, v in flatten_cells(record).items() if k[:2] == row}
    want = {k: v for k, v in flatten_cells(gold).items() if k[:2] == row}
    assert len(want) == 7 and got == want
    present = [c for c in record["checks"] if c["name"] == "applications.rows_present"]
    assert present and present[0]["passed"]


def test_picture_page_reads_the_pictures_saved_beside_it(tmp_path: Path) -> None:
    """A saved 图片版 page: `nianbao extract page.html` reads its `_files/` pictures."""
    page = tmp_path / "js-huaian-2024-img.html"
    shutil.copy(SCANS / "docs" / page.name, page)
    shutil.copytree(SCANS / "docs/js-huaian-2024-img_files", tmp_path / "js-huaian-2024-img_files")
    record = extract_path(page).to_dict()
    gold = _gold("js-huaian-2024-img")
    assert record["status"] == "ok", record["error"]
    assert record["kind"] == "html" and record["reader"] == "ocr"
    assert (record["agency"], record["year"]) == (gold["agency"], gold["year"])
    assert not _wrong(record, gold)
    # Two numbers read right but below the threshold: their sums hold as read, so the
    # sums choose nothing, and the check still names them.
    doubtful = {
        (row, col): cell
        for row, cols in record["applications"].items()
        for col, cell in cols.items()
        if cell["loc"].get("doubtful")
    }
    assert set(doubtful) == {("rejected_confirmation", "total"), ("other_misc", "legal_service")}
    assert all("read" not in cell["loc"] for cell in doubtful.values())
    assert not any("taken as" in w for w in record["warnings"])
    (confident,) = [c for c in record["checks"] if c["name"] == "reader.ocr_confident"]
    assert not confident["passed"] and "chosen by the table's sums" not in confident["left_expr"]


def test_picture_page_without_its_pictures_says_which_is_missing(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    shutil.copy(SCANS / "docs/js-huaian-2024-img.html", page)
    record = extract_path(page)
    assert record.status == "needs_ocr"
    assert "js-huaian-2024-img_files/p1.jpg" in record.error


def test_picture_that_cannot_be_decoded_fails_with_a_reason(tmp_path: Path) -> None:
    broken = tmp_path / "photo.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    record = extract_path(broken)
    assert record.status == "failed" and "picture cannot be decoded" in record.error


@pytest.mark.parametrize("src", ["http://example.org/p1.jpg", "../outside.jpg"])
def test_picture_page_does_not_follow_addresses_out_of_its_folder(tmp_path, src) -> None:
    (tmp_path / "outside.jpg").write_bytes(b"")
    folder = tmp_path / "page"
    folder.mkdir()
    page = folder / "report.html"
    page.write_text(
        "<html><head><title>某局2024年政府信息公开工作年度报告</title></head><body>"
        f'<div class="TRS_Editor"><p><img src="{src}"></p></div></body></html>',
        encoding="utf-8",
    )
    record = extract_path(page)
    assert record.status == "needs_ocr" and src in record.error
