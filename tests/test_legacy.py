"""The pre-2019 统计表 (`legacy`): the corpus pages and the same tables as DOCX, PDF and
copied text, against the corpus gold answers; label variants, units, checks."""

from __future__ import annotations

import io

import docx
import pytest

from extract.checks import legacy_checks
from extract.extractor import extract_bytes, extract_path
from extract.legacy import read_legacy
from extract.model import Document, Paragraph, Table, grid_from_spans
from tests.conftest import CORPUS, FIXTURES, load_gold

MADE = FIXTURES / "made"

VARIANTS = [
    (doc_id, path)
    for doc_id in ("fj-putian-lvyou-2008", "fj-putian-sjj-2013")
    for path in (
        CORPUS / "docs" / f"{doc_id}.html",
        MADE / f"{doc_id}.docx",
        MADE / f"{doc_id}.pdf",
        MADE / f"{doc_id}.txt",
    )
] + [("fj-putian-sjj-2012", CORPUS / "docs" / "fj-putian-sjj-2012.html")]


def _cells(entries: list[dict]) -> dict[tuple[str, str], object]:
    return {(e["indicator"], e["period"]): e["value"] for e in entries}


@pytest.mark.parametrize(
    ("doc_id", "path"), VARIANTS, ids=[f"{d}-{p.suffix[1:]}" for d, p in VARIANTS]
)
def test_every_variant_reads_the_gold_table(doc_id, path) -> None:
    gold = load_gold(doc_id)
    record = extract_path(path).to_dict()
    assert record["status"] == "ok"
    assert record["formats"]["legacy"] == "pre2019"
    assert _cells(record["legacy"]) == _cells(gold["legacy"])
    approximate = {e["indicator"] for e in gold["legacy"] if e.get("approximate")}
    assert {e["indicator"] for e in record["legacy"] if e["approximate"]} == approximate
    assert all(c["passed"] for c in record["checks"] if c["table"] == "legacy")


def test_approximate_figure_keeps_its_text_and_unit() -> None:
    record = extract_path(CORPUS / "docs" / "fj-putian-lvyou-2008.html")
    visits = next(v for v in record.legacy if v.indicator == "reading_room_visits")
    assert (visits.value, visits.raw, visits.unit, visits.approximate) == (
        1500,
        "1500多",
        "人次",
        True,
    )
    assert visits.label == "公开查阅点查阅人数"
    assert visits.loc["table"] == 0 and visits.loc["row"] == 6
    blank = next(v for v in record.legacy if v.indicator == "proactive_other_channels")
    assert (blank.value, blank.raw) == (0, "")


def test_money_in_yuan_becomes_wan_with_raw_kept() -> None:
    record = extract_path(CORPUS / "docs" / "fj-putian-sjj-2013.html")
    fees = next(v for v in record.legacy if v.indicator == "fees" and v.period == "year")
    assert (fees.value, fees.raw, fees.unit) == (0, "0", "万元")


def test_pre2019_report_without_a_table_has_no_legacy_and_stays_ok() -> None:
    record = extract_path(CORPUS / "docs" / "fj-putian-sjj-2009.html")
    assert record.status == "ok" and record.legacy == []
    assert "legacy" not in record.formats


def test_national_tables_are_not_read_as_legacy() -> None:
    record = extract_path(CORPUS / "docs" / "fj-putian-cgj-2023.html")
    assert record.legacy == [] and "legacy" not in record.formats


def _doc(rows: list[list[str]]) -> Document:
    grid = grid_from_spans([[(text, 1, 1) for text in row] for row in rows])
    return Document(kind="html", blocks=[Table(grid)])


NATIONAL_2016 = [
    ["统计指标", "单位", "统计数"],
    ["一、主动公开情况", "", ""],
    ["（一）主动公开政府信息数", "条", "1,205"],
    ["其中：主动公开规范性文件数", "条", "12"],
    ["（二）通过不同渠道和方式公开政府信息的情况", "", ""],
    ["1.政府公报公开政府信息数", "条", "30"],
    ["2.政府网站公开政府信息数", "条", "1100"],
    ["3.政务微博公开政府信息数", "条", "400"],
    ["二、回应解读情况", "", ""],
    ["（一）回应公众关注热点或重大舆情数", "次", "6"],
    ["三、依申请公开情况", "", ""],
    ["（一）收到申请数", "件", "23"],
    ["1.当面申请数", "件", "3"],
    ["2.传真申请数", "件", "0"],
    ["3.网络申请数", "件", "15"],
    ["4.信函申请数", "件", "5"],
    ["（二）申请答复数", "件", "23"],
    ["1.属于已主动公开范围数", "件", "4"],
    ["2.同意公开答复数", "件", "10"],
    ["3.同意部分公开答复数", "件", "2"],
    ["4.不同意公开答复数", "件", "3"],
    ["四、行政复议数量", "件", "二"],
    ["五、行政诉讼数量", "件", "1"],
    ["六、举报投诉数量", "件", "0"],
    ["七、依申请公开信息收取的费用", "万元", "0.05"],
    ["八、机构建设和保障经费情况", "", ""],
    ["（四）政府信息公开专项经费", "元", "25000"],
]


def test_2016_national_style_table_maps_what_fits_and_keeps_the_rest() -> None:
    values = read_legacy(_doc(NATIONAL_2016)).values
    known = {v.indicator: v.value for v in values if v.indicator != "extra"}
    assert known == {
        "proactive_total": 1205,
        "proactive_gazette": 30,
        "proactive_website": 1100,
        "applications_total": 23,
        "applications_in_person": 3,
        "applications_fax": 0,
        "applications_online": 15,
        "applications_mail": 5,
        "responses_total": 23,
        "responses_granted": 10,
        "responses_partial": 2,
        "responses_denied": 3,
        "reviews": 2,
        "litigations": 1,
        "complaints": 0,
        "fees": 0.05,
    }
    extra = {v.label: (v.value, v.unit) for v in values if v.indicator == "extra"}
    assert extra == {
        "其中：主动公开规范性文件数": (12, "条"),
        "3.政务微博公开政府信息数": (400, "条"),
        "（一）回应公众关注热点或重大舆情数": (6, "次"),
        "1.属于已主动公开范围数": (4, "件"),
        "（四）政府信息公开专项经费": (2.5, "万元"),
    }
    assert all(v.period == "year" for v in values)


def test_checks_say_which_sums_fail_and_allow_rows_beyond_the_known_ones() -> None:
    values = read_legacy(_doc(NATIONAL_2016)).values
    checks = {c.name: c for c in legacy_checks(values)}
    assert checks["legacy.website_le_total"].passed  # 30 + 1100 ≤ 1205
    assert checks["legacy.channels_sum"].passed  # 3 + 0 + 15 + 5 == 23
    responses = checks["legacy.responses_sum"]  # 10 + 2 + 3 ≤ 23: 属于已主动公开范围数 besides
    assert responses.passed and (responses.left, responses.right) == (15, 23)


def test_cumulative_below_year_fails_its_check() -> None:
    rows = [
        ["指标名称", "计量单位", "2014年度", "历年累计"],
        ["主动公开信息数", "条", "300", "250"],
        ["其中：1.政府网站公开数", "条", "320", "240"],
        ["受理依申请公开信息总数", "件", "5", "9"],
        ["其中：1.当面申请数", "件", "1", "3"],
        ["2.网上申请数", "件", "2", "6"],
    ]
    checks = legacy_checks(read_legacy(_doc(rows)).values)
    failed = {(c.name, c.row, c.column) for c in checks if not c.passed}
    assert failed == {
        ("legacy.cumulative_ge_year", "proactive_total", None),
        ("legacy.cumulative_ge_year", "proactive_website", None),
        ("legacy.website_le_total", None, "year"),
        ("legacy.channels_sum", None, "year"),
    }


def test_table_as_one_line_of_text_with_spaced_header() -> None:
    line = (
        "附件： 指 标 名 称 计量单位 2014年度 历年累计 主动公开文件数 条 约200 1500多 "
        "行政复议数 件 0 0 网上申请数 条 二十三 30"
    )
    values = read_legacy(Document(kind="html", blocks=[Paragraph(line)])).values
    got = {(v.indicator, v.period): (v.value, v.approximate) for v in values}
    assert got == {
        ("proactive_total", "year"): (200, True),
        ("proactive_total", "cumulative"): (1500, True),
        ("reviews", "year"): (0, False),
        ("reviews", "cumulative"): (0, False),
        ("applications_online", "year"): (23, False),
        ("applications_online", "cumulative"): (30, False),
    }


def test_an_unreadable_cell_is_null_with_its_text_and_a_warning() -> None:
    rows = [["指标名称", "计量单位", "年末统计"], ["行政诉讼数", "件", "见附件"]]
    table = read_legacy(_doc(rows))
    (value,) = table.values
    assert (value.indicator, value.value, value.raw) == ("litigations", None, "见附件")
    assert table.warnings and "见附件" in table.warnings[0]


def test_prose_ends_a_table_read_from_lines() -> None:
    blocks = [
        Paragraph("指标名称 计量单位 年末统计"),
        Paragraph("行政复议数 件 0"),
        Paragraph("今年共接待群众来访15人次。"),
        Paragraph("行政诉讼数 件 4"),
    ]
    values = read_legacy(Document(kind="text", blocks=blocks)).values
    assert [(v.indicator, v.value) for v in values] == [("reviews", 0)]


def test_a_statistics_table_published_as_an_attachment_is_read_on_its_own() -> None:
    """附件: the 统计表 of sjj-2013 alone in a Word file, as agencies attach it."""
    made = docx.Document()
    made.add_paragraph("2013年度莆田市审计局政府信息公开有关情况统计表")
    rows = [
        ["指 标 名 称", "计量单位", "2013年度", "历年累计"],
        ["主动公开文件数", "条", "48", "239"],
        ["其中: 1.政府网站公开数", "条", "48", "239"],
        ["受理政府信息公开申请总数", "条", "0", "0"],
        ["政府信息公开收费减免金额", "元", "0", "0"],
    ]
    table = made.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    out = io.BytesIO()
    made.save(out)
    record = extract_bytes(out.getvalue(), "附件1.docx", "附件1.docx")
    assert (record.status, record.year, record.agency) == ("ok", 2013, "莆田市审计局")
    assert record.formats["legacy"] == "pre2019"
    got = {(v.indicator, v.period): v.value for v in record.legacy}
    assert got == {
        ("proactive_total", "year"): 48,
        ("proactive_total", "cumulative"): 239,
        ("proactive_website", "year"): 48,
        ("proactive_website", "cumulative"): 239,
        ("applications_total", "year"): 0,
        ("applications_total", "cumulative"): 0,
        ("fees", "year"): 0,
        ("fees", "cumulative"): 0,
    }


def test_extra_rows_of_the_same_label_under_different_totals_are_all_kept() -> None:
    rows = [
        ["项目", "单位", "上年度", "本年度"],
        ["四、行政复议数量", "件", "1", "3"],
        ["（一）维持具体行政行为数", "件", "1", "2"],
        ["五、行政诉讼数量", "件", "0", "1"],
        ["（一）维持具体行政行为数", "件", "0", "1"],
    ]
    values = read_legacy(_doc(rows)).values
    assert [(v.indicator, v.period, v.value) for v in values] == [
        ("reviews", "year", 3),
        ("extra", "year", 2),
        ("litigations", "year", 1),
        ("extra", "year", 1),
    ]


def test_serial_number_column_and_merged_qizhong_cell() -> None:
    rows = [
        [("序号", 1, 1), ("指标名称", 1, 2), ("计量单位", 1, 1), ("2011年度", 1, 1)],
        [("1", 1, 1), ("主动公开政府信息数", 1, 2), ("条", 1, 1), ("88", 1, 1)],
        [("2", 1, 1), ("其中", 2, 1), ("政府网站公开数", 1, 1), ("条", 1, 1), ("80", 1, 1)],
        [("3", 1, 1), ("政府公报公开数", 1, 1), ("条", 1, 1), ("8", 1, 1)],
    ]
    doc = Document(kind="html", blocks=[Table(grid_from_spans(rows))])
    values = read_legacy(doc).values
    assert [(v.indicator, v.label, v.value) for v in values] == [
        ("proactive_total", "主动公开政府信息数", 88),
        ("proactive_website", "其中政府网站公开数", 80),
        ("proactive_gazette", "其中政府公报公开数", 8),
    ]


def test_code_column_and_year_to_date_column_of_dingxi_layout() -> None:
    """定西: 指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计 (docs/portals.md §13.5)."""
    rows = [
        ["指标名称", "计量单位", "代码", "本期实际", "本年累计"],
        ["主动公开政府信息数", "条", "01", "325", "325"],
        ["行政复议数", "件", "20", "1", "1"],
    ]
    values = read_legacy(_doc(rows)).values
    assert [(v.indicator, v.period, v.value) for v in values] == [
        ("proactive_total", "year", 325),
        ("reviews", "year", 1),
    ]
