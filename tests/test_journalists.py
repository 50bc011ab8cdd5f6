"""For journalists: wide exports, `show` with key figures, a report as printed.

The datasets are built by the real extractor from the real corpus documents, and every
number asserted is read from the hand-checked answer files, never written here.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from nianbao.cli import cli
from nianbao.datasets.wide import WIDE_TABLES, wide_columns
from nianbao.printed import display_width, pad, sparkline, trend
from nianbao.workflow import rebuild
from tests.conftest import load_gold
from tests.datasets_helpers import corpus_ids, corpus_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    corpus_store(data)
    summary = rebuild(data)
    assert summary.ok, summary.error
    return data


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def golds_with(table: str) -> dict[str, dict]:
    return {i: g for i in corpus_ids() if (g := load_gold(i)).get(table)}


def test_wide_csv_one_row_per_report_with_the_printed_totals(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "applications.csv"
    invoke("export", "applications", "--wide", "--data-dir", str(built), "-o", str(out))
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    golds = golds_with("applications")
    assert len(rows) == len(golds)
    by_url = {row["所读文件"]: row for row in rows}
    for doc_id, gold in golds.items():
        row = next(r for url, r in by_url.items() if f"/{doc_id}/" in url)
        for key, label in (
            ("new_received", "本年新收"),
            ("total_processed", "总计"),
            ("carried_forward", "结转下年度继续办理"),
        ):
            for column, column_label in (("total", "总计"), ("natural_person", "自然人")):
                assert row[f"{label}·{column_label}"] == str(gold["applications"][key][column])
        assert row["年度"] == str(gold["year"])
    # the keys file names every column once, with its key
    with (tmp_path / "applications.keys.csv").open(encoding="utf-8-sig") as fh:
        keys = {r["column"]: r["key"] for r in csv.DictReader(fh)}
    assert keys["本年新收·总计"] == "new_received.total"
    assert list(keys) == list(rows[0])


def test_wide_csv_key_header_and_other_tables(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.csv"
    invoke(
        "export", "review_litigation", "--wide", "--key-header", "--data-dir", str(built),
        "-o", str(out),
    )  # fmt: skip
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    golds = golds_with("review_litigation")
    assert len(rows) == len(golds)
    for doc_id, gold in golds.items():
        row = next(r for r in rows if f"/{doc_id}/" in r["url"])
        assert row["review.total"] == str(gold["review_litigation"]["review"]["total"])
    out = tmp_path / "proactive.csv"
    invoke("export", "proactive", "--wide", "--data-dir", str(built), "-o", str(out))
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    gold = load_gold("js-huaian-2024")
    row = next(r for r in rows if "/js-huaian-2024/" in r["所读文件"])
    for cell in gold["proactive"]:
        if cell["item"] != "extra":
            column = next(
                c for c in wide_columns("proactive") if c.key == f"{cell['item']}.{cell['metric']}"
            )
            assert float(row[column.label]) == cell["value"], column.label


def test_wide_legacy_statistics_tables(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "legacy.csv"
    invoke("export", "legacy", "--wide", "--data-dir", str(built), "-o", str(out))
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    golds = golds_with("legacy")
    assert len(rows) == len(golds)
    labels = {c.key: c.label for c in wide_columns("legacy")}
    for doc_id, gold in golds.items():
        row = next(r for r in rows if f"/{doc_id}/" in r["所读文件"])
        assert row["模板"] == "pre2019"
        for cell in gold["legacy"]:
            if cell["indicator"] != "extra":
                label = labels[f"{cell['indicator']}.{cell['period']}"]
                assert float(row[label]) == cell["value"], (doc_id, label)


def test_wide_xlsx_one_sheet_per_table_as_printed(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "wide.xlsx"
    invoke(
        "export", "applications", "--wide", "--format", "xlsx", "--data-dir", str(built),
        "-o", str(out),
    )  # fmt: skip
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "三 依申请公开", "二 主动公开", "四 复议诉讼", "统计表 2008-2018", "keys 键",
    ]  # fmt: skip
    sheet = book["三 依申请公开"]
    groups = [c.value for c in sheet[1]]
    columns = [c.value for c in sheet[2]]
    assert groups[:3] == ["报告编号", "机关编号", "机关"]
    start = groups.index("本年新收")
    assert columns[start : start + 7] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    ]  # fmt: skip
    assert sheet.freeze_panes == "G3"
    assert sheet.column_dimensions["C"].width == 22
    gold = load_gold("js-hongze-2024")
    row = next(
        r for r in sheet.iter_rows(min_row=3) if "洪泽" in (r[2].value or "") and r[5].value == 2024
    )
    assert row[start + 6].value == gold["applications"]["new_received"]["total"]
    assert isinstance(row[start + 6].value, int)
    published = [r[8].value for r in sheet.iter_rows(min_row=3) if r[8].value is not None]
    assert published and all(isinstance(d, dt.datetime) for d in published)
    assert str(row[9].value).startswith('=HYPERLINK("http://js-hongze.example/')
    keys = {r[2].value: r[1].value for r in book["keys 键"].iter_rows(min_row=2)}
    assert keys["review.total"] == "行政复议·总计"


def test_wide_rejects_a_table_without_a_layout(built: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "reports", "--wide", "--data-dir", str(built)])
    assert result.exit_code == 1 and "--wide takes one of" in result.output


def test_show_prints_key_figures_year_by_year(built: Path) -> None:
    out = invoke("show", "--data-dir", str(built), "洪泽区")
    golds = {g["year"]: g for i in corpus_ids() if "hongze" in i and (g := load_gold(i))}
    header = next(line for line in out.splitlines() if "key figures" in line)
    assert header.split()[-2:] == [str(y) for y in sorted(golds)]
    received = next(line for line in out.splitlines() if line.startswith("  本年新收申请"))
    values = [str(golds[y]["applications"]["new_received"]["total"]) for y in sorted(golds)]
    assert received.split()[3:5] == values
    denied = next(line for line in out.splitlines() if line.startswith("  不予公开 denied"))
    denied_totals = [
        sum(v["total"] for k, v in golds[y]["applications"].items() if k.startswith("denied_"))
        for y in sorted(golds)
    ]
    assert denied.split()[2:4] == [str(v) for v in denied_totals]
    first, last = (int(v) for v in values)
    arrow = "↑" if last > first else ("↓" if last < first else "=")
    assert f" {arrow} " in received


def test_show_report_as_printed_with_failed_checks(built: Path) -> None:
    out = invoke("show", "--data-dir", str(built), "洪泽区")
    report_id = next(
        line.split("report ")[1] for line in out.splitlines() if line.startswith("  2023 ")
    )
    printed = invoke("show", "--data-dir", str(built), "--report", report_id)
    gold = load_gold("js-hongze-2023")
    assert "二、主动公开政府信息情况" in printed
    assert "三、收到和处理政府信息公开申请情况" in printed
    assert "四、政府信息公开行政复议、行政诉讼情况" in printed
    row = next(line for line in printed.splitlines() if "本年新收政府信息公开申请数量" in line)
    new = gold["applications"]["new_received"]
    assert row.split()[1:] == [str(new[c]) for c in new]
    section4 = printed.split("四、")[1].splitlines()
    values = [str(gold["review_litigation"][r][c]) for r in gold["review_litigation"]
              for c in gold["review_litigation"][r]]  # fmt: skip
    assert section4[4].split() == values
    # js-hongze-2023 prints section 四 totals that do not add up: shown with both sides
    assert "FAILED review_litigation" in printed
    assert "page: http://js-hongze.example/zfxxgknb/js-hongze-2023/index.html" in printed
    result = CliRunner().invoke(cli, ["show", "--data-dir", str(built), "--report", "nosuch"])
    assert result.exit_code == 1 and "no report" in result.output


@given(st.text(max_size=20), st.integers(min_value=0, max_value=40))
def test_pad_fills_to_the_display_width(text: str, width: int) -> None:
    text = "".join(ch for ch in text if ch.isprintable())
    assert display_width(pad(text, width)) == max(width, display_width(text))
    assert pad(text, width).startswith(text) and pad(text, width, right=True).endswith(text)


@given(st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=1, max_size=18))
def test_sparkline_one_mark_a_year(values: list[int | None]) -> None:
    line = sparkline(values)
    if all(v is None for v in values):
        assert line == ""
        return
    assert len(line) == len(values)
    assert [c == " " for c in line] == [v is None for v in values]
    known = [v for v in values if v is not None]
    assert line[values.index(max(known))] == ("█" if max(known) > min(known) else "▄")


def test_trend_names_first_and_last_year() -> None:
    assert trend([8, None, 20], [2021, 2022, 2023]) == "↑ 8→20 (+150%) 2021–2023"
    assert trend([4, 2], [2022, 2023]) == "↓ 4→2 (-50%) 2022–2023"
    assert trend([0, 0], [2022, 2023]) == "= 0 2022–2023"
    assert trend([5], [2022]) == ""


def test_wide_columns_follow_the_printed_template() -> None:
    for table in WIDE_TABLES:
        keys = [c.key for c in wide_columns(table)]
        assert len(keys) == len(set(keys)), table
    applications = wide_columns("applications")
    assert applications[0].label == "本年新收·自然人"
    assert applications[-1].key == "carried_forward.total"
    proactive = [c.key for c in wide_columns("proactive")]
    assert proactive[:3] == ["rules.issued", "rules.repealed", "rules.in_force"]
    assert "procurement.amount" in proactive and "fees.amount" in proactive
