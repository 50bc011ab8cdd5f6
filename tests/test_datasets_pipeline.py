"""End to end: `nianbao run` and `nianbao nightly` crawl the local portal, extract, build
and publish every dataset; a second run changes nothing; a changed report is a new version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.compute as pc
import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.datasets.registry import TABLES
from tests.test_datasets_build import files, read

pytestmark = pytest.mark.slow
# tables that record each crawl (coverage says when each source was last crawled)
RUN_DEPENDENT = ("crawl_", "coverage/")


@pytest.fixture(scope="module")
def portal():
    from nianbao.demo import Portal

    with Portal(reports_per_site=6, slow_seconds=0.2) as served:
        yield served


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_run_nightly_and_a_changed_report(portal, tmp_path: Path) -> None:
    sources = portal.write_sources(tmp_path / "sources.yaml")
    data = tmp_path / "data"
    mirror = f"file://{tmp_path}/bucket/nianbao"
    code, out = invoke(
        "run",
        "--sources",
        str(sources),
        "--data-dir",
        str(data),
        "--no-throttle",
        "--publish-to",
        mirror,
        "--json",
    )
    assert code == 0, out
    summary = json.loads(out)
    assert summary["ok"] and summary["release"]
    assert summary["mirrored_to"] == f"{mirror}/releases/{summary['release']}"
    assert (tmp_path / "bucket/nianbao/CURRENT").read_text().strip() == summary["release"]
    assert summary["blocked_sources"] == [portal.waf_source]

    # every dataset of the registry is published, partitioned by year where declared
    for name in TABLES:
        assert list((data / "datasets" / name).rglob("*.parquet")), name
    assert list((data / "datasets" / "reports").glob("year=*"))
    reports = read(data, "reports")
    truth = portal.expected()
    expected_pages = set().union(*(t.reports for t in truth.values()))
    assert reports.num_rows == len(summary["new_reports"]) > 0
    assert set(reports["page_url"].to_pylist()) <= expected_pages | set(
        v for t in truth.values() for v in t.redirects.values()
    )
    assert not set(reports["source_id"].to_pylist()) & {portal.waf_source}
    runs = read(data, "crawl_runs")
    assert runs["run_id"].to_pylist() == [summary["crawl_run_id"]]
    assert json.loads(runs["blocked_sources"][0].as_py()) == [portal.waf_source]

    # the scheduled form: a second run changes nothing and says so
    before = {k: v for k, v in files(data).items() if not k.startswith(RUN_DEPENDENT)}
    code, out = invoke(
        "nightly", "--sources", str(sources), "--data-dir", str(data), "--no-throttle"
    )
    assert code == 0, out
    assert "0 new and 0 changed documents" in out and "0 new, 0 changed" in out
    assert f"blocked sources: {portal.waf_source}" in out
    log_file = next((data / "logs").glob("nightly-*.log"))
    assert "nianbao run started" in log_file.read_text(encoding="utf-8")
    after = {k: v for k, v in files(data).items() if not k.startswith(RUN_DEPENDENT)}
    assert after == before
    assert read(data, "crawl_runs").num_rows == 2

    # a report re-published with new bytes becomes version 2 of the same agency and year
    page = sorted(
        r["page_url"]
        for r in reports.to_pylist()
        if r["document_kind"] == "page" and r["status"] == "ok"
    )[0]
    portal.mutate(page)
    code, out = invoke(
        "run", "--sources", str(sources), "--data-dir", str(data), "--no-throttle", "--json"
    )
    third = json.loads(out)
    assert code == 0 and third["changed_documents"] == 1 and len(third["changed_reports"]) == 1
    now = read(data, "reports")
    versions = now.filter(pc.equal(now["page_url"], page))
    assert sorted(versions["version"].to_pylist()) == [1, 2]
    assert len(set(versions["agency_id"].to_pylist())) == 1

    frictionless = Path(sys.executable).parent / "frictionless"
    done = subprocess.run(
        [str(frictionless), "validate", "datapackage.json"],
        cwd=data / "datasets",
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_nightly_failure_is_loud_and_keeps_the_data(tmp_path: Path) -> None:
    from nianbao.datasets.release import publish
    from tests.datasets_helpers import gold_tables

    data = tmp_path / "data"
    publish(gold_tables(), data)
    before = files(data)
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: x\n", encoding="utf-8")  # no name, no url
    code, out = invoke("nightly", "--sources", str(bad), "--data-dir", str(data))
    assert code == 1
    assert "FAILED" in out and "previously published datasets are unchanged" in out
    log_file = next((data / "logs").glob("nightly-*.log"))
    assert "FAILED" in log_file.read_text(encoding="utf-8")
    assert files(data) == before
