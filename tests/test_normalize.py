"""Number parsing and label normalisation: examples from real reports, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import labels as L
from extract.match import match_label
from extract.normalize import (
    NumberError,
    norm_label,
    parse_number,
    parse_quantity,
    reads_as_number,
    to_wan,
)
from extract.readers.cleantext import is_digit_figure

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [
        ("0", 0, None),
        ("", 0, None),
        ("/", 0, None),
        ("-", 0, None),
        ("—", 0, None),
        ("无", 0, None),
        ("+60", 60, None),
        ("-3", -3, None),
        ("7730.28", 7730.28, None),
        ("190.457379", 190.457379, None),
        ("354834元", 354834, "元"),
        ("5898.0860", 5898.086, None),
        ("１２", 12, None),
        ("1,234", 1234, None),
        ("1 62", 162, None),
        ("12件", 12, "件"),
    ],
)
def test_printed_numbers(raw: str, value: float, unit: str | None) -> None:
    assert parse_number(raw) == (value, unit)


@pytest.mark.parametrize("raw", ["abc", "见附件", "1.2.3", "约10"])
def test_text_is_not_a_number(raw: str) -> None:
    with pytest.raises(NumberError):
        parse_number(raw)
    assert not reads_as_number(raw)


def test_yuan_to_wan() -> None:
    assert to_wan(251000, "元", None) == pytest.approx(25.1)
    assert to_wan(25.1, None, "万元") == 25.1
    assert to_wan(354834, None, "元") == pytest.approx(35.4834)


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.sampled_from(["", "件", "条", "项"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_integers_survive_printing_variants(
    n: int, unit: str, fullwidth: bool, thousands: bool, padded: bool
) -> None:
    text = f"{n:,}" if thousands else str(n)
    if fullwidth:
        text = text.translate(FULLWIDTH)
    if padded:
        text = f" {text}\u3000"
    assert parse_number(text + unit)[0] == n


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False))
def test_decimals_survive(d) -> None:
    assert parse_number(str(d))[0] == pytest.approx(float(d))


ROW_LABELS = [v[0] for v in L.APPLICATION_ROWS.values()]


@given(
    st.sampled_from(ROW_LABELS),
    st.lists(st.integers(0, 40), max_size=4),
    st.sampled_from(["\n", " ", "\u3000", "\t"]),
)
def test_labels_broken_anywhere_normalise_alike(label: str, cuts: list[int], sep: str) -> None:
    broken = label
    for cut in sorted(set(cuts), reverse=True):
        broken = broken[:cut] + sep + broken[cut:]
    assert norm_label(broken) == norm_label(label)


@given(st.sampled_from(ROW_LABELS), st.sampled_from(["1.", "1、", "（一）", "(一)", "一、", "3．"]))
def test_numbering_and_bracket_width_do_not_matter(label: str, prefix: str) -> None:
    assert norm_label(prefix + label) == norm_label(label)
    half = label.replace("（", "(").replace("）", ")").replace("“", '"').replace("”", '"')
    assert norm_label(half) == norm_label(label)


@given(st.text(max_size=30))
def test_norm_label_is_idempotent(text: str) -> None:
    assert norm_label(norm_label(text)) == norm_label(text)


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("三、本年度办理结果（三）不予公开2.其他法律行政止公开", "denied_prohibited"),  # 洪泽 typo
        ("一、本年度新收政府信息公开申请数量", "new_received"),
        ("二、上年度结转政府信息公开申请数量", "carried_over"),
        ("（六）其他处理3.其他", "other_misc"),
        ("（六）其他处理", "other_total"),
        (
            "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "other_no_correction",
        ),
        ('3.危及"三安全一稳定"', "denied_security"),
        ("（四）无法提供1.本机关不掌握相关政府信息", "unable_not_held"),
        ("（七）总计", "total_processed"),
        ("四、结转下年度继续办理", "carried_forward"),
    ],
)
def test_row_label_variants(label: str, key: str) -> None:
    assert match_label(label, L.APPLICATION_ROWS) == key


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("规章(设区的市、自治州人民政府应提供相关数据)", "rules"),
        ("规范性文件", "normative_documents"),
        ("行政规范性文件", "normative_documents"),
        ("行政事业性收费", "fees"),
    ],
)
def test_item_label_variants(label: str, key: str) -> None:
    assert match_label(label, L.PROACTIVE_ITEMS) == key


def test_metric_with_provincial_note() -> None:
    note = "本年增/减(指2020年增加或减少的事项数,减用负值表示,如-8)"
    assert match_label(note, L.PROACTIVE_METRICS) == "change"


# -- quantities as printed in 统计表 cells and prose ------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "unit", "approximate"),
    [
        ("1500多", 1500, None, True),
        ("1500多人次", 1500, "人次", True),
        ("约200", 200, None, True),
        ("200余条", 200, "条", True),
        ("二十三", 23, None, False),
        ("一百零五件", 105, "件", False),
        ("两百", 200, None, False),
        ("0件", 0, "件", False),
        ("39件次", 39, "件次", False),
        ("１５", 15, None, False),
        ("", 0, None, False),
        ("无", 0, None, False),
        ("251000元", 251000, "元", False),
    ],
)
def test_quantities_as_printed(raw: str, value: float, unit: str | None, approximate: bool):
    q = parse_quantity(raw)
    assert (q.value, q.unit, q.approximate) == (value, unit, approximate)


@pytest.mark.parametrize("raw", ["约", "多", "见附件", "二〇一三年", "1500多万人"])
def test_text_is_not_a_quantity(raw: str) -> None:
    with pytest.raises(NumberError):
        parse_quantity(raw)


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """A number below 10,000 written the way reports write it (二十三, 一百零五)."""
    if n == 0:
        return "零"
    out, zero = "", False
    for power, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // power % 10
        if digit:
            if zero and out:
                out += "零"
            out += ("" if power == 10 and n < 20 else _CN_DIGITS[digit]) + name
            zero = False
        elif out:
            zero = True
    return out


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(
    st.integers(min_value=0, max_value=9999),
    st.sampled_from(["", "件", "条", "人次", "件次", "元"]),
    st.sampled_from(["", "约", "大约", "近"]),
    st.sampled_from(["", "多", "余", "左右"]),
    st.booleans(),
    st.booleans(),
)
def test_quantity_survives_printing_variants(
    n: int, unit: str, before: str, after: str, fullwidth: bool, chinese: bool
) -> None:
    digits = _chinese(n) if chinese else str(n)
    if fullwidth:
        digits = digits.translate(FULLWIDTH)
    q = parse_quantity(f"{before}{digits}{after}{unit}")
    assert q.value == n
    assert q.unit == (unit or None)
    assert q.approximate == bool(before or after)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_yuan_quantity_to_wan_is_exact(n: int) -> None:
    q = parse_quantity(f"{n}元")
    assert to_wan(q.value, q.unit, None) * 10000 == pytest.approx(n)


@pytest.mark.parametrize(
    ("text", "value", "digits"),
    [("21", True, True), ("1,024", True, True), ("—", True, False), ("无", True, False)]
    + [("5件", True, False), ("5%", False, True), ("", False, False), ("总计", False, False)],
)
def test_two_questions_about_a_cell(text: str, value: bool, digits: bool) -> None:
    """Does the mapper read a value from it (a dash is 0), and is it written as a figure in
    digits (what the PDF reader asks to tell figures from labels)?"""
    assert reads_as_number(text) is value
    assert is_digit_figure(text) is digits
