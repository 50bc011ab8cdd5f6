"""Every real document of the corpus against its hand-checked answers."""

from __future__ import annotations

import csv

import pytest

from extract.extractor import extract_path
from tests.conftest import CORPUS, flatten_cells, load_gold


def _manifest() -> list[dict[str, str]]:
    with open(CORPUS / "MANIFEST.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("entry", _manifest(), ids=lambda e: e["id"])
def test_document_matches_gold(entry: dict[str, str]) -> None:
    gold = load_gold(entry["id"])
    record = extract_path(CORPUS / entry["file"]).to_dict()
    assert record["status"] == "ok", record["error"]
    assert record["agency"] == gold["agency"]
    assert record["year"] == gold["year"]
    assert record["sha256"] == entry["sha256"]
    for table, fmt in gold.get("formats", {}).items():
        assert record["formats"][table] == fmt
    got = flatten_cells(record)
    expected = flatten_cells(gold)
    if "narrative" not in gold:  # narrative not answered for this report: not compared
        got = {k: v for k, v in got.items() if k[0] != "narrative"}
    wrong = {k: (v, got.get(k, "missing")) for k, v in expected.items() if got.get(k) != v}
    assert not wrong
    invented = {k: v for k, v in got.items() if k[0] == "narrative" and k not in expected}
    assert not invented, "narrative figures the text does not state"
    if gold.get("legacy"):
        assert record["formats"]["legacy"] == "pre2019"
        assert record["status"] == "ok"


def test_published_numbers_that_do_not_add_up_are_kept_and_flagged() -> None:
    """洪泽区 2023 prints 复议 10 + 1 with total 0: kept as printed, the check fails."""
    record = extract_path(CORPUS / "docs/js-hongze-2023.pdf")
    review = record.review_litigation["review"]
    assert (review["upheld"].value, review["corrected"].value, review["total"].value) == (10, 1, 0)
    failed = {(c.name, c.row) for c in record.failed_checks}
    assert ("review_litigation.row_total", "review") in failed
    assert ("review_litigation.row_total", "litigation_after_review") in failed


def test_blank_cells_are_zero_with_raw_text_kept() -> None:
    """Shanghai 2019 leaves most 总计 cells blank: value 0, raw '', row check fails."""
    record = extract_path(CORPUS / "docs/sh-szfbgt-2019.html")
    granted = record.applications["granted"]
    assert granted["natural_person"].value == 258
    assert granted["total"].value == 0 and granted["total"].raw == ""
    assert any(
        c.name == "applications.row_total" and c.row == "granted" and not c.passed
        for c in record.checks
    )
    amount = next(p for p in record.proactive if p.item == "procurement" and p.metric == "amount")
    assert amount.cell.value == pytest.approx(25.1) and amount.cell.raw == "251000元"


def test_cells_say_where_they_came_from() -> None:
    record = extract_path(CORPUS / "docs/js-huaian-2024.pdf")
    cell = record.applications["new_received"]["total"]
    assert cell.loc["page"] is not None and cell.loc["table"] is not None
    html = extract_path(CORPUS / "docs/fj-putian-cgj-2023.html")
    loc = html.applications["unable_not_held"]["natural_person"].loc
    assert loc["table"] == 1 and loc["page"] is None and loc["row"] > 3


def test_three_row_other_processing_gives_derived_total() -> None:
    record = extract_path(CORPUS / "docs/fj-putian-cgj-2021.html")
    assert record.formats["applications"] == "2021"
    total = record.applications["other_total"]["total"]
    assert total.derived and total.value == sum(
        record.applications[k]["total"].value
        for k in ("other_no_correction", "other_unpaid_fee", "other_misc")
    )


def test_pre2019_report_is_ok_with_its_year_and_agency() -> None:
    record = extract_path(CORPUS / "docs/fj-putian-sjj-2009.html")
    assert (record.status, record.year, record.agency) == ("ok", 2009, "莆田市审计局")
    assert set(record.formats.values()) == {"pre2019"}
