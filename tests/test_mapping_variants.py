"""The same real report in the layouts other agencies use: the numbers must not move.

Each variant is made from a real page of the corpus by a transformation a real portal
or a real report shows (docs/portals.md §13.6, SCHEMA.md "Label variants"), and is read
against that page's hand-checked answers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from extract.extractor import extract_bytes
from nianbao.accuracy import FAMILIES, cells
from tests.conftest import CORPUS, load_gold

PAGES = {"fj-putian-cgj-2023": "html", "sh-szfbgt-2019": "html", "js-shuyang-fgj-2023": "html"}


def _national(cells: dict) -> dict:
    return {k: v for k, v in cells.items() if k[0] in FAMILIES["national"]}


def split_section_two_tables(html: str) -> str:
    """Each 第二十条 block in a table of its own, as many portals print them."""
    return re.sub(
        r"(<tr>\s*<td[^>]*colspan=\"[45]\"[^>]*>\s*<p[^>]*>(?:<strong>)?第二十条)",
        r"</tbody></table><p>　</p><table border=1><tbody>\1",
        html,
    )


def header_apart_from_data(html: str) -> str:
    """Section 三's header rows in one table, its data rows in the next."""
    return re.sub(
        r"(<tr>\s*<td[^>]*>\s*<p[^>]*>一、本年新收)",
        r"</tbody></table><table border=1><tbody>\1",
        html,
        count=1,
    )


def vertical_labels(html: str) -> str:
    """Merged label cells printed one character a line (三<br>、<br>本<br>年…)."""
    return html.replace("三、本年度办理结果", "<br>".join("三、本年度办理结果")).replace(
        "（三）不予公开", "（三）不予<br><br>公开"
    )


def extra_du(html: str) -> str:
    """本年度新收… / 上年度结转… as Putian's 2019 reports print them."""
    return html.replace("本年新收", "本年度新收").replace("上年结转", "上年度结转")


def provincial_notes(html: str) -> str:
    """Notes inside labels, as 武汉市生态环境局 2020 prints them."""
    return re.sub(r">规章<", ">规章(设区的市、自治州人民政府应提供相关数据)<", html).replace(
        "本年增/减", "本年增/减(指2019年增加或减少的事项数,减用负值表示,如-8)"
    )


def printed_twice(html: str) -> str:
    """The report body twice on one page (desktop and mobile templates)."""
    body = re.search(r"<div class=TRS_Editor>.*?</div>", html, re.S)
    if body is None:
        return html + html
    return html.replace(body.group(0), body.group(0) + body.group(0))


def fullwidth_numbers(html: str) -> str:
    """Full-width digits in the cells."""
    table = str.maketrans("0123456789", "０１２３４５６７８９")
    return re.sub(
        r"(<p align=\"center\">)(\d+)(</p>)",
        lambda m: m.group(1) + m.group(2).translate(table) + m.group(3),
        html,
    )


VARIANTS: list[Callable[[str], str]] = [
    split_section_two_tables,
    header_apart_from_data,
    vertical_labels,
    extra_du,
    provincial_notes,
    printed_twice,
    fullwidth_numbers,
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("doc_id", sorted(PAGES))
def test_variant_reads_like_the_original(doc_id: str, variant: Callable[[str], str]) -> None:
    html = (CORPUS / f"docs/{doc_id}.html").read_text(encoding="utf-8")
    changed = variant(html)
    record = extract_bytes(changed.encode(), f"{doc_id}-{variant.__name__}.html")
    assert record.status == "ok", record.error
    got, want = cells(record.to_dict()), _national(cells(load_gold(doc_id)))
    assert {k: got.get(k) for k in want} == want
    assert len(record.proactive) == sum(1 for k in want if k[0] == "proactive")


def test_variants_really_change_the_pages() -> None:
    html = (CORPUS / "docs/fj-putian-cgj-2023.html").read_text(encoding="utf-8")
    for variant in VARIANTS:
        assert variant(html) != html, variant.__name__


def test_section_four_with_its_groups_as_rows() -> None:
    """Some agencies print section 四 turned: 行政复议 / 行政诉讼 as rows, results as columns."""
    gold = load_gold("sh-szfbgt-2019")["review_litigation"]
    labels = {
        "review": "行政复议",
        "litigation_direct": "行政诉讼（未经复议直接起诉）",
        "litigation_after_review": "行政诉讼（复议后起诉）",
    }
    rows = "".join(
        f"<tr><td>{labels[key]}</td>"
        + "".join(
            f"<td>{gold[key][c] or ''}</td>"
            for c in ("upheld", "corrected", "other", "pending", "total")
        )
        + "</tr>"
        for key in labels
    )
    turned = (
        "<table border=1><tr><td rowspan=2>项目</td><td colspan=5>结果</td></tr>"
        "<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>"
        f"{rows}</table>"
    )
    html = (CORPUS / "docs/sh-szfbgt-2019.html").read_text(encoding="utf-8")
    start = html.rfind("<table")
    end = html.find("</table>", start) + len("</table>")
    record = extract_bytes((html[:start] + turned + html[end:]).encode(), "turned.html")
    assert record.status == "ok"
    got = {k: {c: v.value for c, v in cols.items()} for k, cols in record.review_litigation.items()}
    assert got == gold
