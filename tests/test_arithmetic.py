"""An uncertain OCR number chosen by the table's sums: the chooser's properties, and the
whole rule on a real table (the corpus answers of 洪泽区 2023's 表三)."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from extract.arithmetic import choose_by_sums, choose_reading
from extract.checks import application_checks, ocr_check
from extract.record import CellValue, Matrix
from tests.conftest import load_gold

_values = st.integers(0, 10_000)


@given(_values, st.lists(_values, max_size=6))
def test_a_reading_whose_sum_holds_is_never_changed(read, candidates) -> None:
    assert choose_reading(read, candidates, lambda v: v == read) is None


@given(_values, st.lists(_values, max_size=6), st.sets(_values, min_size=2, max_size=4))
def test_never_a_choice_when_two_readings_fit(read, candidates, fitting) -> None:
    offered = [*candidates, *fitting]
    fits = {v for v in offered if v in fitting and v != read}
    chosen = choose_reading(read, offered, lambda v: v in fitting)
    if read in fitting or len(fits) != 1:
        assert chosen is None
    else:
        assert chosen in fitting


@given(_values, st.lists(_values, max_size=6), _values)
def test_the_one_fitting_candidate_is_chosen_and_nothing_is_invented(read, candidates, right):
    chosen = choose_reading(read, candidates, lambda v: v == right)
    if right != read and right in candidates:
        assert chosen == right
    else:
        assert chosen is None


# -- the rule on a real table -------------------------------------------------------------


def _applications(doc_id: str) -> tuple[Matrix, str]:
    """A corpus report's 表三 as the extractor's cells, from its hand-checked answers."""
    gold = load_gold(doc_id)
    apps = {
        row: {col: CellValue(v, str(v), {"page": 3}) for col, v in cols.items()}
        for row, cols in gold["applications"].items()
    }
    return apps, gold["formats"]["applications"]


def _misread(apps: Matrix, row: str, col: str, raw: str, readings: list[str]) -> Matrix:
    cell = apps[row][col]
    loc = {**cell.loc, "confidence": 0.41, "doubtful": True, "readings": readings}
    return {**apps, row: {**apps[row], col: CellValue(int(raw), raw, loc)}}


def _passed(apps: Matrix, fmt: str) -> bool:
    return all(c.passed for c in application_checks(apps, fmt))


def test_real_table_a_misread_cell_takes_the_one_reading_its_sums_allow() -> None:
    apps, fmt = _applications("js-hongze-2023")
    assert _passed(apps, fmt)
    right = apps["new_received"]["natural_person"].value
    assert right == 21
    wrong = _misread(apps, "new_received", "natural_person", "27", ["29", "21"])
    tables, choices = choose_by_sums({"applications": wrong}, {"applications": fmt})
    cell = tables["applications"]["new_received"]["natural_person"]
    assert (cell.value, cell.raw, cell.loc["read"]) == (21, "21", "27")
    assert _passed(tables["applications"], fmt)
    (choice,) = choices
    assert "applications.new_received.natural_person" in choice.note
    assert "read '27'" in choice.note and "taken as '21'" in choice.note
    assert "applications.row_total (new_received)" in choice.sums
    assert "applications.balance (natural_person)" in choice.sums
    assert wrong["new_received"]["natural_person"].value == 27  # the input is not changed


def test_real_table_cells_the_sums_cannot_decide_stay_as_read() -> None:
    apps, fmt = _applications("js-hongze-2023")
    formats = {"applications": fmt}
    # no reading fits: kept as read
    none_fit = _misread(apps, "new_received", "natural_person", "27", ["29", "23"])
    assert choose_by_sums({"applications": none_fit}, formats) == ({"applications": none_fit}, [])
    # confident cells are never changed, even when their sums fail
    confident = {
        **apps,
        "new_received": {
            **apps["new_received"],
            "natural_person": dataclasses.replace(apps["new_received"]["natural_person"], value=27),
        },
    }
    assert choose_by_sums({"applications": confident}, formats)[1] == []
    # two uncertain cells in one sum: the sum says nothing certain about either
    two = _misread(none_fit, "new_received", "total", "29", ["23"])
    two = _misread(two, "new_received", "natural_person", "27", ["21"])
    assert choose_by_sums({"applications": two}, formats)[1] == []


def test_a_chosen_reading_still_fails_the_ocr_check_and_is_named_there() -> None:
    apps, fmt = _applications("js-hongze-2023")
    wrong = _misread(apps, "new_received", "natural_person", "27", ["29", "21"])
    _, choices = choose_by_sums({"applications": wrong}, {"applications": fmt})
    check = ocr_check(["page 3 (523, 952, 594, 1003) '27' (0.41)"], [c.note for c in choices])
    assert not check.passed and check.right == 1
    assert "chosen by the table's sums: applications.new_received.natural_person" in (
        check.left_expr
    )
