"""Coverage and change end to end on the local portal: a site that publishes late, skips a
year and is registered under its district's former code; a report withdrawn and one
corrected between two runs; `nianbao sources add` and `sources check` on the same sites."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.compute as pc
import pytest
import sqlite_utils
import yaml

from nianbao.datasets import records as rec
from nianbao.datasets.coverage import deadline
from nianbao.datasets.sqlite import metadata, write_sqlite
from nianbao.workflow import run
from tests.test_datasets_build import read
from tests.test_datasets_pipeline import invoke, portal  # noqa: F401, F811 - a fixture

pytestmark = pytest.mark.slow

LATE = "portal-late-linan"


def statuses(data: Path, source_id: str) -> dict[int, str]:
    coverage = read(data, "coverage")
    rows = coverage.filter(pc.equal(coverage["source_id"], source_id)).to_pylist()
    return {r["year"]: r["status"] for r in rows}


def test_coverage_and_changes_over_two_runs(portal, tmp_path: Path) -> None:  # noqa: F811
    sources = portal.write_sources(tmp_path / "sources.yaml")
    data = tmp_path / "data"
    first = run(data, sources, crawl_options={"throttle": False})
    assert first.ok, first.error
    this_year = datetime.now(UTC).year

    # the late site: reports dated five months after the deadline, none on 2023 (the
    # extracted years are those the report bodies print), the current year not yet due;
    # its 2024 report is pictures of its pages, read by OCR from the raw store
    late = statuses(data, LATE)
    assert {y: s for y, s in late.items() if y < 2026} == {
        2019: "published_late",
        2020: "published",
        2021: "published_late",
        2022: "missing",
        2023: "missing",
        2024: "published_late",
        2025: "published",
    }
    assert late[this_year] == "not_yet_due"
    # the same years answer the canned query a journalist opens in Datasette
    db = sqlite_utils.Database(write_sqlite(data))
    canned = metadata()["databases"]["nianbao"]["queries"]["late_and_missing"]["sql"]
    listed = {(r["year"], r["status"]) for r in db.query(canned) if r["source_id"] == LATE}
    assert listed == {(y, s) for y, s in late.items() if s in ("published_late", "missing")}
    coverage = read(data, "coverage")
    row = coverage.filter(
        pc.and_(pc.equal(coverage["source_id"], LATE), pc.equal(coverage["year"], 2019))
    ).to_pylist()[0]
    assert row["published_date"] == date(2021, 6, 19)
    assert row["deadline_date"] == date(2020, 1, 31)
    assert row["evidence"] == "dated 2021-06-19, after the deadline 2020-01-31"
    pictured = coverage.filter(
        pc.and_(pc.equal(coverage["source_id"], LATE), pc.equal(coverage["year"], 2024))
    ).to_pylist()[0]
    (page,) = portal.expected()[LATE].image_only
    dated = portal.expected()[LATE].documents[page]["published_date"]
    assert pictured["evidence"] == f"dated {dated}, after the deadline 2025-01-31"
    # the WAF site: nothing could be read, so its missing years are blocked, not missing
    waf = statuses(data, portal.waf_source)
    january = datetime.now(UTC).date() <= deadline(this_year - 1)
    assert waf == {this_year - 1: "not_yet_due" if january else "blocked", this_year: "not_yet_due"}
    # registered under 330185 (临安市, recoded 330112 in 2017): the current code is used
    assert row["division_code"] == "330112" and row["city_code"] == "330100"
    publishers = read(data, "publishers")
    linan = publishers.filter(pc.equal(publishers["division_code"], "330112")).to_pylist()
    assert [(p["name"], p["source_ids"]) for p in linan] == [("临安区人民政府", LATE)]
    assert "330185" in linan[0]["former_codes"].split(",")
    assert row["agency_id"] == linan[0]["agency_id"]
    reports = read(data, "reports")
    justice = reports.filter(pc.equal(reports["agency_name"], "示例辛区司法局")).to_pylist()
    assert [r["agency_id"] for r in justice] == [rec.agency_id("330112", "示例辛区司法局")]
    # governments without a source are counted too
    no_source = coverage.filter(pc.equal(coverage["status"], "no_source"))
    assert "division:330100" in set(no_source["unit_id"].to_pylist())
    assert read(data, "changes").num_rows == 0

    site = portal.site(LATE)
    withdrawn, corrected = site.url(site.slow.path), site.url(site.reports[0].path)
    before = {r["page_url"]: r for r in reports.to_pylist()}
    portal.withdraw(withdrawn)
    portal.correct(corrected)
    second = run(data, sources, crawl_options={"throttle": False})
    assert second.ok, second.error
    assert "After publication: 1 reports withdrawn, 1 cells changed by new versions." in (
        second.paragraph()
    )
    assert second.withdrawn_reports == [before[withdrawn]["report_id"]]

    runs = read(data, "crawl_runs").to_pylist()
    first_end = next(r["finished_at"] for r in runs if r["run_id"] == first.crawl_run_id)
    changes = sorted(read(data, "changes").to_pylist(), key=lambda r: r["change_key"])
    after = read(data, "reports")
    new = after.filter(
        pc.and_(pc.equal(after["page_url"], corrected), pc.equal(after["version"], 2))
    ).to_pylist()[0]
    old = before[corrected]
    assert [
        (c["kind"], c["report_id"], c["previous_report_id"], c["table_name"], c["row_key"])
        + (c["column_key"], c["old_value"], c["new_value"], c["old_raw"], c["new_raw"])
        for c in changes
    ] == [
        (
            "cell_changed",
            new["report_id"],
            old["report_id"],
            "review_litigation",
            "litigation_after_review",
            "total",
            0.0,
            1.0,
            "0",
            "1",
        ),
        ("new_version", new["report_id"], old["report_id"], None, None, None, None, None)
        + (None, None),
        ("withdrawn", before[withdrawn]["report_id"], None, None, None, None, None, None)
        + (None, None),
    ]
    gone = changes[2]
    assert gone["url"] == withdrawn and gone["year"] == before[withdrawn]["year"]
    assert gone["last_seen_at"] == first_end
    assert gone["evidence"] == "no longer on its source's list"
    # the withdrawn report's rows stay
    assert before[withdrawn]["report_id"] in after["report_id"].to_pylist()

    code, out = invoke("show", "--data-dir", str(data), "示例辛区司法局")
    assert code == 0
    assert "2021 cell_changed review_litigation 行政诉讼（复议后起诉） / total: 0 → 1" in out
    assert f"new version {new['report_id']} replaces {old['report_id']}" in out
    code, out = invoke("show", "--data-dir", str(data), before[withdrawn]["agency_id"])
    assert code == 0 and f"WITHDRAWN {before[withdrawn]['report_id']}" in out

    code, out = invoke("coverage", "--data-dir", str(data), "--year", "2022", "--division", "33")
    assert code == 0, out
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:-1]}
    # 杭州市: the late site (临安区) and the Hanweb site (桐庐县) have no report of 2022
    # (governments without a source are counted on the last year due and this year only)
    assert lines == {"330100": ["330100", "杭州市人民政府", *"0 0 2 0 0 0 0 2".split()]}
    assert out.splitlines()[-1] == (
        "all: published 0, published_late 0, missing 2, blocked 0, unreadable 0,"
        " not_yet_due 0, no_source 0, total 2"
    )
    code, out = invoke("coverage", "--data-dir", str(data), "--year", "2025", "--division", "33")
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:-1]}
    # the city and its 11 other districts and counties have no source
    assert lines["330100"][-2:] == ["12", "14"] and lines["330200"][-2:] == ["11", "11"]


def test_sources_add_and_check(portal, tmp_path: Path) -> None:  # noqa: F811
    from crawler.sources import load_sources

    catalog, late = portal.site("portal-xxgk-miyun"), portal.site(LATE)
    others = [s for s in portal.sources() if s["id"] != "portal-xxgk-miyun"]
    # the late site's entry still gives the column's address before a redesign
    next(s for s in others if s["id"] == LATE)["url"] = late.url(late.former_list_path)
    registry = tmp_path / "sources.yaml"
    text = yaml.safe_dump({"sources": others}, allow_unicode=True, sort_keys=False)
    registry.write_text("# seeds, checked by hand\n" + text, encoding="utf-8")

    # from the 信息公开 page, the 年报 column is found by link text and its CMS detected
    args = ["--sources", str(registry), "--no-throttle"]
    code, out = invoke(
        "sources", "add", catalog.url(catalog.list_path), "--name", "北京市密云区人民政府",
        "--division-code", "110118", "--level", "county", "--id", "bj-miyun", *args,
    )  # fmt: skip
    assert code == 0, out
    assert registry.read_text(encoding="utf-8").startswith("# seeds, checked by hand\n")
    added = {s.id: s for s in load_sources(registry)}["bj-miyun"]
    assert added.url == catalog.url(catalog.column)
    assert (added.cms, added.division_code, added.level, added.verified) == (
        "trs",
        "110118",
        "county",
        True,
    )
    assert out.startswith(f"added bj-miyun: {added.url} (trs, ")
    code, out = invoke("sources", "add", catalog.url(catalog.list_path), *args)
    assert code == 1 and "already registered as bj-miyun" in out

    code, out = invoke("sources", "check", "--json", *args)
    found = {r["source_id"]: r for r in map(json.loads, out.splitlines())}
    assert code == 1  # not every source answers
    assert {sid: r["status"] for sid, r in found.items()} == {
        "portal-trs-zhangshu": "ok",
        "portal-hanweb-tonglu": "ok",
        "portal-fj-putian": "ok",
        "portal-next-qidong": "ok",
        "portal-waf-zhenan": "blocked",
        "portal-robots-shunyi": "empty",
        LATE: "moved",
        "bj-miyun": "ok",
    }
    assert found[LATE]["moved_to"] == late.url(late.list_path)
    assert found[LATE]["reports_listed"] > 0  # its lists were read where they are now
    assert found["portal-waf-zhenan"]["evidence"].startswith("HTTP 521")
    # robots.txt's refusal, with the drops the crawl counted (crawl limits, docs/faults.md)
    assert found["portal-robots-shunyi"]["evidence"].startswith("robots.txt forbids its pages")
