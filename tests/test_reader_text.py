"""Text copied from a page, one cell per line: the real seed report, and the same
table copied with a number split over two lines or with its blank cells gone."""

from __future__ import annotations

from extract.extractor import extract_bytes
from extract.readers.html import read_html
from tests.conftest import CORPUS, load_gold

SHANGHAI = CORPUS / "docs/sh-szfbgt-2019.html"


def _copied(path, *, blanks: str | None = "0", split: str | None = None) -> str:
    """The report's tables as a browser copies them: a cell per line, rows apart.

    `blanks` is what a blank cell becomes (None: it vanishes); `split` is a number
    copied as two lines."""
    doc = read_html(path.read_bytes())
    lines = ["上海市人民政府办公厅", "2019年政府信息公开工作年度报告", "二、主动公开政府信息情况"]
    sections = ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    for t, table in enumerate(doc.tables):
        if t:
            lines.append(sections[t - 1])
        for row in table.rows:
            for cell in row:
                if not cell.is_origin:
                    continue
                text = cell.text
                if not text.strip():
                    if blanks is None:
                        continue
                    text = blanks
                if split and text == split:
                    lines += ["\t" + split[:1], "\t" + split[1:]]
                else:
                    lines.append("\t" + text)
            lines.append("")
    lines.append("五、存在的主要问题及改进情况")
    return "\n".join(lines)


def test_seed_report_copied_from_a_page() -> None:
    record = extract_bytes((CORPUS / "docs/bj-chaoyang-kxj-2020.txt").read_bytes(), "bj.txt")
    assert record.kind == "text" and record.status == "ok"
    extra = {(p.label, p.metric): p.cell.value for p in record.proactive if p.item == "extra"}
    assert extra[("行政检查", "prev_year_items")] == 320
    assert extra[("行政检查", "change")] == 243
    change = next(p for p in record.proactive if p.item == "penalty" and p.metric == "change")
    assert change.cell.value == -3
    # The agency split 其他对外管理服务事项 into its own rows: the template row is missing,
    # and the record says so; every sum of the report adds up.
    failed = [(c.name, c.left_expr) for c in record.checks if not c.passed]
    assert failed == [
        (
            "proactive.cells_present",
            "template cells read (missing other_services.change, other_services.decisions, "
            "other_services.prev_year_items)",
        )
    ]


def test_number_split_over_two_lines_is_joined_by_the_row_total() -> None:
    text = _copied(SHANGHAI, split="821")
    record = extract_bytes(text.encode(), "split.txt")
    assert record.applications["new_received"]["natural_person"].value == 821
    assert record.applications["new_received"]["total"].value == 859
    assert all(c.passed for c in record.checks if c.name == "reader.layout_certain")


def test_vanished_blank_cells_are_laid_back_or_flagged() -> None:
    record = extract_bytes(_copied(SHANGHAI, blanks=None).encode(), "blanks.txt")
    gold = load_gold("sh-szfbgt-2019")["applications"]
    carried = record.applications["carried_over"]
    # 18 … 18: only one layout adds up.
    assert {k: v.value for k, v in carried.items()} == gold["carried_over"]
    # Rows whose layout the arithmetic cannot decide are flagged, never silently taken.
    assert any(c.name == "reader.layout_certain" and not c.passed for c in record.checks)
    assert record.warnings
