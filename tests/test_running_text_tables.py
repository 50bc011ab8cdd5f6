"""Tables printed as running text: a page with a cell per paragraph, and a PDF whose
tables have no ruling. The reader lays the stream back on the template; what it cannot
place for certain is flagged, never silently guessed."""

from __future__ import annotations

import html

from extract.extractor import extract_bytes, extract_path
from tests.conftest import CORPUS, FIXTURES, load_gold


def test_page_with_a_cell_per_paragraph() -> None:
    text = (CORPUS / "docs/bj-chaoyang-kxj-2020.txt").read_text(encoding="utf-8")
    body = "\n".join(
        f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()
    )
    record = extract_bytes(
        f"<html><body><div class=TRS_Editor>{body}</div></body></html>".encode(), "p.html"
    )
    gold = load_gold("bj-chaoyang-kxj-2020")
    assert record.status == "ok"
    for row, cols in gold["applications"].items():
        assert {c: v.value for c, v in record.applications[row].items()} == cols
    extra = {(p.label, p.metric): p.cell.value for p in record.proactive if p.item == "extra"}
    assert extra[("行政检查", "prev_year_items")] == 320


def test_pdf_without_ruling() -> None:
    record = extract_path(FIXTURES / "made/js-shuyang-fgj-2023-unruled.pdf")
    gold = load_gold("js-shuyang-fgj-2023")
    assert record.formats == {"proactive": "2021", "applications": "2021"}
    proactive = {(p.item, p.metric): p.cell.value for p in record.proactive}
    assert proactive == {(p["item"], p["metric"]): p["value"] for p in gold["proactive"]}
    for row, cols in gold["review_litigation"].items():
        assert {c: v.value for c, v in record.review_litigation[row].items()} == cols
    # 26 … 26 with the 法人 cells blank: the numbers are right, their columns uncertain.
    assert record.applications["new_received"]["natural_person"].value == 26
    assert record.applications["new_received"]["total"].value == 26
    failed = {c.name for c in record.failed_checks}
    assert "reader.layout_certain" in failed
