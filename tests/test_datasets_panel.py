"""The `legacy`, `narrative` and `indicators` datasets, built from the hand-checked answers
(which carry the 统计表 and prose figures the extractor of issue 9 part A reads)."""

from __future__ import annotations

import copy
from functools import cache

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.datasets import records as rec
from nianbao.datasets.indicators import SOURCES, crosswalk, indicator_table
from nianbao.datasets.registry import TABLES
from nianbao.datasets.tables.fields import INDICATORS
from nianbao.datasets.tables.panel import INDICATORS_TABLE
from tests.conftest import load_gold
from tests.datasets_helpers import corpus_ids, gold_tables, tables_from_golds

PRE2019 = [i for i in corpus_ids() if int(i.rsplit("-", 1)[1]) < 2019]
NATIONAL = [i for i in corpus_ids() if int(i.rsplit("-", 1)[1]) >= 2019]


@cache
def tables() -> dict[str, pa.Table]:
    return gold_tables()


def _panel(doc_id: str) -> dict[str, dict]:
    """The indicators of one corpus report, by indicator."""
    reports = tables()["reports"].to_pylist()
    gold = load_gold(doc_id)
    rid = next(r["report_id"] for r in reports if r["url"].endswith(f"/{doc_id}/index.html"))
    assert gold["year"] == next(r["year"] for r in reports if r["report_id"] == rid)
    rows = tables()["indicators"].to_pylist()
    return {r["indicator"]: r for r in rows if r["report_id"] == rid}


def test_every_indicator_has_a_source_in_each_era() -> None:
    feeds = crosswalk()
    assert {f.indicator for f in feeds} == set(INDICATORS)
    assert {f.indicator for f in feeds if f.basis == "legacy"} == set(INDICATORS)
    assert all(f.column == "total" for f in feeds if f.basis == "table")
    assert all(f.column == "year" for f in feeds if f.basis == "legacy")  # never 历年累计


def test_legacy_and_narrative_tables_hold_every_gold_figure() -> None:
    legacy = tables()["legacy"].to_pylist()
    narrative = tables()["narrative"].to_pylist()
    expected_legacy = sum(len(load_gold(i).get("legacy") or []) for i in corpus_ids())
    expected_narrative = sum(len(load_gold(i).get("narrative") or []) for i in corpus_ids())
    assert len(legacy) == expected_legacy > 0
    assert len(narrative) == expected_narrative > 0
    lvyou = [r for r in legacy if r["raw"] == "1500多"]
    assert {r["indicator"] for r in lvyou} == {"reading_room_visits", "website_column_visits"}
    assert all(r["approximate"] and r["value"] == 1500 and r["year"] == 2008 for r in lvyou)
    assert {r["period"] for r in legacy} == {"year", "cumulative"}
    assert all(r["label"] for r in legacy)  # the answers carry no label: the key's is shown
    assert {r["scope"] for r in narrative} == {"agency"}
    assert set(tables()["legacy"]["year"].to_pylist()) == {2008, 2012, 2013}


@pytest.mark.parametrize("doc_id", PRE2019)
def test_pre2019_indicators_come_from_the_statistics_table_then_the_prose(doc_id: str) -> None:
    gold = load_gold(doc_id)
    sources = {
        "legacy": {r["indicator"]: r for r in gold.get("legacy") or [] if r["period"] == "year"},
        "narrative": {n["indicator"]: n for n in gold.get("narrative") or []},
    }
    expected: dict[str, tuple] = {}
    for basis in ("legacy", "narrative"):  # the order of preference
        for feed in crosswalk():
            figure = sources[basis].get(feed.keys[0]) if feed.basis == basis else None
            if figure is not None and feed.indicator not in expected:
                expected[feed.indicator] = (basis, figure["value"], bool(figure.get("approximate")))
    panel = _panel(doc_id)
    assert {k: (r["basis"], r["value"], r["approximate"]) for k, r in panel.items()} == expected
    assert "applications_received" in panel  # every pre-2019 answer states it somewhere


def test_pre2019_panel_figures_and_references() -> None:
    lvyou = _panel("fj-putian-lvyou-2008")
    assert lvyou["proactive_total"]["value"] == 111
    assert lvyou["proactive_total"]["source_ref"] == "proactive_total/year 主动公开信息数"
    assert lvyou["proactive_total"]["other_bases"] == "narrative=111"
    sjj = _panel("fj-putian-sjj-2012")
    assert sjj["proactive_total"]["value"] == 56  # the year, not 历年累计 (191)
    assert sjj["fees"]["unit"] == "万元" and sjj["fees"]["basis"] == "legacy"
    audit = _panel("fj-putian-sjj-2008")
    assert audit["proactive_total"]["basis"] == "narrative"
    assert audit["proactive_total"]["source_ref"].startswith("在政府信息公开专栏，共更新发布10条")
    assert "granted" not in audit  # the prose says nothing of answers: absent, never 0
    water = _panel("fj-putian-slj-2008")
    assert "proactive_total" not in water  # the answer leaves it open: so does the panel
    years = {
        r["year"]
        for r in tables()["indicators"].to_pylist()
        if r["indicator"] == "applications_received"
    }
    assert set(range(2008, 2014)) <= years


@pytest.mark.parametrize("doc_id", NATIONAL)
def test_2019_on_indicators_are_the_table_cells(doc_id: str) -> None:
    gold = load_gold(doc_id)
    apps, review = gold["applications"], gold["review_litigation"]
    panel = _panel(doc_id)
    basis = f"table_{gold['formats']['applications']}"
    expected = {
        "applications_received": apps["new_received"]["total"],
        "granted": apps["granted"]["total"],
        "partially_granted": apps["partially_granted"]["total"],
        "denied": sum(v["total"] for k, v in apps.items() if k.startswith("denied_")),
    }
    if review:
        expected["reviews"] = review["review"]["total"]
        expected["litigations"] = sum(
            review[k]["total"] for k in ("litigation_direct", "litigation_after_review")
        )
    for indicator, value in expected.items():
        assert (panel[indicator]["value"], panel[indicator]["basis"]) == (value, basis)
    assert "fees" not in panel or panel["fees"]["basis"] == "narrative"  # never 行政事业性收费


def test_prose_beside_a_table_is_kept_for_comparison() -> None:
    panel = _panel("fj-putian-cgj-2023")
    assert panel["applications_received"]["basis"] == "table_2021"
    assert panel["applications_received"]["other_bases"] == "narrative=20"
    assert panel["proactive_total"]["basis"] == "narrative"  # no national table has it
    assert panel["proactive_total"]["value"] == 20
    assert panel["fees"]["value"] == 0 and panel["fees"]["basis"] == "narrative"


def test_region_figures_cumulative_rows_and_unreadable_cells_stay_out() -> None:
    gold = copy.deepcopy(load_gold("fj-putian-sjj-2012"))
    gold["legacy"] = [r for r in gold["legacy"] if r["period"] == "cumulative"]
    gold["narrative"] = [
        {
            "indicator": "applications_total",
            "value": 310,
            "quote": "全市共收到申请310件",
            "scope": "region",
        },
    ]
    national = copy.deepcopy(load_gold("js-hongze-2024"))
    national["applications"]["denied_process"]["total"] = None  # a cell that could not be read
    built = tables_from_golds({"fj-putian-sjj-2012": gold, "js-hongze-2024": national})
    rows = built["indicators"].to_pylist()
    assert {(r["year"], r["indicator"]) for r in rows if r["year"] == 2012} == set()
    assert built["narrative"].to_pylist()[0]["scope"] == "region"
    denied = next(r for r in rows if r["indicator"] == "denied")
    assert denied["value"] is None and "denied_process/total" in denied["source_ref"]


def test_legacy_rows_keep_repeated_labels_and_odd_periods() -> None:
    record = {
        "legacy": [
            {
                "indicator": "extra",
                "period": "year",
                "value": 3,
                "raw": "3",
                "unit": "次",
                "label": "召开新闻发布会",
                "approximate": False,
                "loc": {"table": 1, "row": 9},
            },
            {
                "indicator": "extra",
                "period": "year",
                "value": 4,
                "raw": "4",
                "unit": "次",
                "label": "召开新闻发布会",
                "approximate": False,
                "loc": {"table": 1, "row": 10},
            },
            {
                "indicator": "fees",
                "period": "本年",
                "value": 0.5,
                "raw": "5000元",
                "unit": "万元",
                "label": "依申请公开信息收取的费用",
                "approximate": False,
                "loc": {},
            },
        ],
        "narrative": [
            {"indicator": "reviews", "value": 0, "quote": "未发生行政复议", "scope": "agency"},
            {"indicator": "reviews", "value": 2, "quote": "复议2件", "scope": "agency"},
        ],
    }
    legacy = rec.legacy_rows("r", "a", 2015, record)
    assert [r["label"] for r in legacy] == [
        "召开新闻发布会",
        "召开新闻发布会#2",
        "依申请公开信息收取的费用",
    ]
    assert legacy[1]["source_row"] == 10 and legacy[2]["period"] == "year"
    assert rec.narrative_rows("r", "a", 2015, record)[0]["value"] == 0  # the first one stated


@st.composite
def _report(draw) -> dict:
    """A record with any mix of the bases of `applications_received`."""
    record: dict = {"formats": {}, "applications": {}, "legacy": [], "narrative": []}
    if draw(st.booleans()):
        fmt = draw(st.sampled_from(["2019", "2021"]))
        record["formats"]["applications"] = fmt
        value = draw(st.integers(0, 10**6))
        record["applications"]["new_received"] = {"total": {"value": value, "raw": str(value)}}
    for period in draw(st.sets(st.sampled_from(["year", "cumulative"]))):
        value = draw(st.integers(0, 10**6))
        record["legacy"].append(
            {
                "indicator": "applications_total",
                "period": period,
                "value": value,
                "raw": f"{value}多",
                "unit": "条",
                "label": "受理申请总数",
                "approximate": True,
            }
        )
    if draw(st.booleans()):
        scope = draw(st.sampled_from(["agency", "region"]))
        value = draw(st.integers(0, 10**6))
        record["narrative"].append(
            {
                "indicator": "applications_total",
                "value": value,
                "quote": f"收到{value}件",
                "scope": scope,
            }
        )
    return record


def _cells(record: dict) -> dict[str, pa.Table]:
    makers = {
        "applications": lambda: rec.matrix_rows("applications", "r1", "a1", 2015, record),
        "review_litigation": lambda: [],
        "legacy": lambda: rec.legacy_rows("r1", "a1", 2015, record),
        "narrative": lambda: rec.narrative_rows("r1", "a1", 2015, record),
    }
    return {n: pa.Table.from_pylist(makers[n](), schema=TABLES[n].schema) for n in SOURCES}


@settings(max_examples=60, deadline=None)
@given(_report())
def test_the_panel_takes_table_then_legacy_then_prose(record: dict) -> None:
    table = record["applications"].get("new_received", {}).get("total", {}).get("value")
    legacy = next((c["value"] for c in record["legacy"] if c["period"] == "year"), None)
    prose = next((n["value"] for n in record["narrative"] if n["scope"] == "agency"), None)
    bases = [
        (f"table_{record['formats'].get('applications')}", table),
        ("legacy", legacy),
        ("narrative", prose),
    ]
    present = [(b, v) for b, v in bases if v is not None]
    rows = INDICATORS_TABLE.prepare(indicator_table(_cells(record))).to_pylist()
    if not present:
        assert rows == []
        return
    (row,) = rows
    assert (row["basis"], row["value"]) == present[0]
    assert row["approximate"] == (present[0][0] == "legacy")
    others = "; ".join(f"{b}={v}" for b, v in present[1:]) or None
    assert row["other_bases"] == others
