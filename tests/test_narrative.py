"""Key figures stated in prose (`narrative`): sentences of every shape found in the
corpus, the chrome and context that must never give a figure, and the text-vs-table
checks of 2019+ reports."""

from __future__ import annotations

import pytest

from extract.checks import narrative_checks
from extract.extractor import extract_path
from extract.model import Document, Paragraph
from extract.narrative import read_narrative
from extract.record import CellValue, NarrativeFigure
from tests.conftest import CORPUS


def _read(*paragraphs: str) -> dict[str, tuple[float, str]]:
    doc = Document(kind="html", blocks=[Paragraph(p) for p in paragraphs])
    return {f.indicator: (f.value, f.scope) for f in read_narrative(doc)}


# Sentences as printed in the corpus's reports, and what each states.
CORPUS_SENTENCES = [
    (
        "我局主动公开政府信息的数量共有111条，包括局机关下属工作部门应主动公开的政府信息。",
        {"proactive_total": 111},
    ),
    (
        "在政府信息公开专栏，共更新发布10条信息（常态信息不计入当年度新信息），其中规划计划类信息1条。",
        {"proactive_total": 10},
    ),
    (
        "全年共主动公开政府信息20条，网站信息129条，微信公众号信息366条，政务公开栏16期；",
        {"proactive_total": 20},
    ),
    (
        "2023年度我局主动公开政府信息31件，向市图书馆、市档案馆报送政府公开信息各31份。",
        {"proactive_total": 31},
    ),
    ("2024年，市政府网站主动公开各类政府信息5500余条。", {"proactive_total": 5500}),
    (
        "2021年，我局接到自然人政府信息公开申请1条，已按照规定及时进行答复。",
        {"applications_total": 1},
    ),
    ("2023年，我局共收到20份依申请公开，未收取任何费用。", {"applications_total": 20, "fees": 0}),
    (
        "市政府办公厅代表市政府共受理政府信息公开申请859件，申请数量较去年回落12.3%；",
        {"applications_total": 859},
    ),
    ("2008年我局没有接到政府信息公开申请", {"applications_total": 0}),
    ("2008年，我局没有接到书面或其它形式要求公开政府信息的申请；", {"applications_total": 0}),
    (
        "2009年我局未收到任何申请，也没有收到有关政府信息公开的任何收费及减免情况。",
        {"applications_total": 0, "fees": 0},
    ),
    (
        "2010年度我局未收到任何形式的依申请公开的申请，也没有发生因依申请公开引起的行政复议与行政诉讼的情况。",
        {"applications_total": 0, "reviews": 0, "litigations": 0},
    ),
    ("没有政府信息公开的收费及减免情况", {"fees": 0}),
    ("也不存在有关政府信息公开的任何收费及减免情况", {"fees": 0}),
    ("2024年我局未收取政府信息公开信息处理费。", {"fees": 0}),
    (
        "根据规定的按件、按量收费标准，2025年度没有产生信息公开处理费。",
        {"fees": 0},
    ),
    (
        "未出现因政府信息公开工作被申请行政复议或提起行政诉讼的情况。",
        {"reviews": 0, "litigations": 0},
    ),
    ("因政府信息公开引起行政复议1件，上级政府维持本机关作出的具体行政行为。", {"reviews": 1}),
    ("因政府信息公开引起行政复议、行政诉讼0件。", {"reviews": 0, "litigations": 0}),
    ("本年度因政府信息公开被申请行政复议和行政诉讼均为0件。", {"reviews": 0, "litigations": 0}),
    (
        "本年度发生政府信息公开行政复议案件3件、行政诉讼案件2件。",
        {"reviews": 3, "litigations": 2},
    ),
    (
        "政府信息公开行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件；",
        {"reviews": 351},
    ),
    ("政府信息公开行政诉讼46件，其中结果维持25件，结果纠正5件。", {"litigations": 46}),
    ("本年度依申请公开收取费用1200元。", {"fees": 0.12}),
    ("全年共受理政府信息公开申请二十三件。", {"applications_total": 23}),
    # An application in a clause about reviews is not an application received.
    ("我局没有收到因政府信息公开申请而发生的行政复议等相关情况", {"reviews": 0}),
    ("全年共受理政府信息公开申请１５件。", {"applications_total": 15}),
]


@pytest.mark.parametrize(("sentence", "expected"), CORPUS_SENTENCES)
def test_sentence_states_exactly_these_figures(sentence: str, expected: dict) -> None:
    got = {k: value for k, (value, _) in _read(sentence).items()}
    assert got == pytest.approx(expected)


# Sentences that state none of the indicators: chrome, dates, contacts, other counts.
NOTHING_STATED = [
    "联系电话：0594-2293755",
    "主办：莆田市人民政府办公室 联系电话：0594-2221669 网站标识码：3503000001 闽ICP备05009235号",
    "发布时间：2014-01-07 15:21 | 来源：莆田市审计局 点击数：1523",
    "报告中所列的数据时限为2008年1月1日至2008年12月31日止。",
    "全年共答复政府信息公开申请20件，均在法定期限内予以答复。",
    "本单位应主动公开的其他信息46条（动态信息）。",
    "全年共制作、获取水利信息7093条（含图片2011幅），其中通过网站发布3456条。",
    "共清理公开2005-2008年政府信息230条（2008年163条）。",
    "主动公开规范性文件16件，完成历史公文属性转换13件。",
    "2008年1月1日至2008年12月31日期间，政府信息主动公开、依申请公开、申诉等情况统计请见附表。",
]


@pytest.mark.parametrize("sentence", NOTHING_STATED)
def test_sentence_states_no_figure(sentence: str) -> None:
    assert _read(sentence) == {}


def test_region_wide_figure_is_marked_and_yields_to_the_agency_own() -> None:
    region = "2023年全区受理政府信息公开申请21件，均在法定期限答复。"
    assert _read(region) == {"applications_total": (21, "region")}
    own = "2023年，区政府办收到政府信息公开申请5件。"
    assert _read(region, own)["applications_total"] == (5, "agency")


def test_first_stated_figure_wins_and_is_quoted() -> None:
    doc = Document(
        kind="html",
        blocks=[
            Paragraph("2021年，我局主动公开政府信息34条，其中：部门文件类12条。"),
            Paragraph("主动公开网站信息259条，微信公众号信息307条。"),
        ],
    )
    (figure,) = read_narrative(doc)
    assert (figure.indicator, figure.value) == ("proactive_total", 34)
    assert figure.quote == "2021年，我局主动公开政府信息34条，其中：部门文件类12条。"


def test_report_that_states_nothing_has_no_narrative() -> None:
    record = extract_path(CORPUS / "docs" / "bj-chaoyang-kxj-2020.txt")
    assert record.narrative == []


def _cell(value: int) -> CellValue:
    return CellValue(value, str(value))


def test_text_against_table_checks_keep_both_sides() -> None:
    apps = {"new_received": {"total": _cell(95)}, "carried_over": {"total": _cell(3)}}
    review = {
        "review": {"total": _cell(2)},
        "litigation_direct": {"total": _cell(1)},
        "litigation_after_review": {"total": _cell(0)},
    }
    stated = [
        NarrativeFigure("applications_total", 17, "区政府办受理政府信息公开申请17件。"),
        NarrativeFigure("reviews", 2, "行政复议2件。"),
        NarrativeFigure("litigations", 1, "行政诉讼1件。"),
    ]
    checks = {c.name: c for c in narrative_checks(stated, apps, review)}
    apps_check = checks["narrative.applications_total_vs_table"]
    assert (apps_check.passed, apps_check.left, apps_check.right) == (False, 17, 95)
    assert apps_check.right_expr == "applications.new_received.total"
    assert checks["narrative.reviews_vs_table"].passed
    assert checks["narrative.litigations_vs_table"].right == 1


def test_a_figure_with_carried_over_applications_is_compared_with_their_sum() -> None:
    apps = {"new_received": {"total": _cell(41)}, "carried_over": {"total": _cell(3)}}
    stated = [NarrativeFigure("applications_total", 44, "共收到申请44件（其中上年结转3件）。")]
    (check,) = narrative_checks(stated, apps, {})
    assert check.passed and check.right == 44
    assert check.right_expr == "applications.new_received.total + applications.carried_over.total"


def test_a_contradiction_is_a_failed_check_not_a_status() -> None:
    """洪泽区 2024: the prose says 17 applications, 表三 says 95 — the record stays ok."""
    record = extract_path(CORPUS / "docs" / "js-hongze-2024.pdf")
    assert record.status == "ok"
    check = next(c for c in record.checks if c.name == "narrative.applications_total_vs_table")
    assert (check.passed, check.left, check.right) == (False, 17, 95)


@pytest.mark.parametrize(
    "sentence",
    [
        "全年共受理行政许可申请1234件，办结率100%。",
        "全年共办理行政复议案件120件，其中维持98件。",
        "全年行政事业性收费金额3.2万元。",
    ],
)
def test_figures_of_other_business_are_not_taken(sentence: str) -> None:
    assert _read(sentence) == {}


def test_new_applications_beside_carried_over_are_compared_with_new_only() -> None:
    apps = {"new_received": {"total": _cell(36)}, "carried_over": {"total": _cell(2)}}
    stated = [
        NarrativeFigure("applications_total", 36, "本年度新收政府信息公开申请36件，上年结转2件。")
    ]
    (check,) = narrative_checks(stated, apps, {})
    assert check.passed and check.right_expr == "applications.new_received.total"
