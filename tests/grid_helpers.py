"""Find rows of the national tables in reader output by their printed labels.

Reader tests compare grids with the corpus gold answers; these helpers pick a row by a
fragment of its label and return the figures printed in it.
"""

from __future__ import annotations

from extract import labels as L
from extract.model import Document, Table

# Fragments of the application-table row labels (2019 and 2021 templates), by gold key.
APPLICATION_ROWS = {
    "new_received": "本年新收",
    "carried_over": "上年结转",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "denied_state_secret": "属于国家秘密",
    "denied_prohibited": "其他法律行政",
    "denied_security": "三安全一稳定",
    "denied_third_party": "保护第三方",
    "denied_internal": "三类内部事务",
    "denied_process": "四类过程性",
    "denied_enforcement": "行政执法案卷",
    "denied_inquiry": "行政查询事项",
    "unable_not_held": "不掌握相关政府信息",
    "unable_needs_creation": "没有现成信息",
    "unable_unclear": "补正后申请内容仍不明确",
    "rejected_petition": "信访举报投诉",
    "rejected_duplicate": "重复申请",
    "rejected_publication": "公开出版物",
    "rejected_excessive": "大量反复",
    "rejected_confirmation": "确认或重新出具",
    "total_processed": "（七）总计",
    "carried_forward": "结转下年度",
}
APPLICANTS = tuple(L.APPLICANT_COLUMNS)


def table_with(doc: Document, text: str) -> Table:
    """The first table with a cell containing `text`."""
    for table in doc.tables:
        if any(text in cell.text for row in table.rows for cell in row):
            return table
    raise AssertionError(f"no table with {text!r}")


def label_of(row: list) -> str:
    """The row's label: its distinct leading non-figure cells, joined."""
    parts: list[str] = []
    for cell in row:
        if cell.text and not _figure(cell.text) and cell.text not in parts:
            parts.append(cell.text)
    return "|".join(parts)


def row_with(table: Table, fragment: str) -> list:
    """The first row whose own (rightmost) label cell contains `fragment`."""
    for row in table.rows:
        labels = [c.text for c in row if c.text and not _figure(c.text)]
        if labels and fragment in labels[-1]:
            return row
    raise AssertionError(f"no row labelled {fragment!r}")


def figures(row: list, count: int) -> list[float]:
    """The last `count` cells of a row as numbers; a blank cell is printed as nothing, 0."""
    return [float(c.text.replace(",", "")) if c.text else 0.0 for c in row[-count:]]


def gold_applications(gold: dict) -> dict[str, list[float]]:
    return {
        key: [float(gold["applications"][key][a]) for a in APPLICANTS]
        for key in APPLICATION_ROWS
        if key in gold["applications"]
    }


def _figure(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
