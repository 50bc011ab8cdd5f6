"""Number parsing and label normalisation: examples from real reports, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract import labels as L
from extract.match import match_label
from extract.normalize import NumberError, is_number, norm_label, parse_number, to_wan

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
    assert not is_number(raw)


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
