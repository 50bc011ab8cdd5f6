"""The hostile sites of the test portal (nianbao.demo.hostile) end to end: issue 7,
failures 3 (lists without end), 4 (silent losses) and 7 (bytes in flight).

One nightly-style `nianbao run` over every hostile source is shared (module fixture). The
list limits are lowered through the environment, as an operator would, to keep it short;
tests/test_crawl_limits.py checks the defaults.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from crawler.manifest import RUNS_SCHEMA, SOURCES_SCHEMA, read_documents, read_table
from crawler.runner import run_crawl
from nianbao.cli import cli
from nianbao.demo import Portal

pytestmark = pytest.mark.slow
LIST_LIMIT = 200
TIMEOUT = 600


def hostile_sources(portal: Portal, path: Path, *ids: str) -> Path:
    chosen = [s for s in portal.sources() if s["id"].startswith("hostile-")]
    chosen = [s for s in chosen if s["id"] in ids] if ids else chosen
    path.write_text(yaml.safe_dump({"sources": chosen}, allow_unicode=True), encoding="utf-8")
    return path


def host_of(portal: Portal, source_id: str) -> str:
    return portal.site(source_id).origin


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    base = tmp_path_factory.mktemp("hostile")
    env = pytest.MonkeyPatch()
    env.setenv("NIANBAO_MAX_LIST_PAGES", str(LIST_LIMIT))
    env.setenv("NIANBAO_MAX_REQUESTS_PER_LIST_PAGE", str(LIST_LIMIT))
    try:
        with Portal(reports_per_site=12, slow_seconds=0.2, hostile=True) as portal:
            sources = hostile_sources(portal, base / "sources.yaml")
            data = base / "data"
            args = ["run", "--sources", str(sources), "--data-dir", str(data), "--no-throttle"]
            result = CliRunner().invoke(cli, args)
            status = {
                r["source_id"]: r
                for r in read_table(data, "crawl_sources", SOURCES_SCHEMA).to_pylist()
            }
            yield portal, data, result, status, list(portal.requests)
    finally:
        env.undo()


def kept(data: Path, source_id: str) -> set[str]:
    return {r["url"] for r in read_documents(data).to_pylist() if r["source_id"] == source_id}


def test_a_nightly_run_over_hostile_sites_ends_and_every_source_says_what_happened(
    nightly: tuple,
) -> None:
    portal, data, result, status, _requests = nightly
    assert result.exit_code == 0, result.output
    expected = portal.expected()
    assert {sid: row["status"] for sid, row in status.items()} == {
        sid: truth.status for sid, truth in expected.items() if sid.startswith("hostile-")
    }
    assert "truncated by a crawl limit: hostile-endless, hostile-hanweb-huge;" in result.output
    assert "incomplete: hostile-offsite." in result.output
    assert "failed sources: hostile-offsite-start;" in result.output
    query = "SELECT source_id, status, dropped FROM crawl_sources ORDER BY source_id"
    published = CliRunner().invoke(
        cli, ["query", "--data-dir", str(data), "--format", "json", query]
    )
    assert published.exit_code == 0, published.output
    rows = {r["source_id"]: r for r in json.loads(published.output)}
    assert rows["hostile-offsite"]["status"] == "incomplete"
    assert rows["hostile-hanweb-huge"]["dropped"] > 10_000


def test_endless_pagination_ends_at_the_list_pages_limit(nightly: tuple) -> None:
    portal, data, _result, status, requests = nightly
    origin = host_of(portal, "hostile-endless")
    lists = [r for r in requests if r.url.startswith(origin + "/xxgk/gknb/index.jsp")]
    assert len(lists) == LIST_LIMIT
    row = status["hostile-endless"]
    assert row["evidence"].startswith(
        f"list_pages limit {LIST_LIMIT} reached at {origin}/xxgk/gknb/index.jsp?currentPage="
    )
    truth = portal.expected()["hostile-endless"]
    assert kept(data, "hostile-endless") == truth.reports | truth.attachments


def test_hanweb_per_page_zero_keeps_every_record(nightly: tuple) -> None:
    """perPage 0 raised ValueError: the embedded records were lost, "empty, 0 errors"."""
    portal, data, _result, status, _requests = nightly
    truth = portal.expected()["hostile-hanweb-zero"]
    assert status["hostile-hanweb-zero"]["status"] == "ok"
    assert status["hostile-hanweb-zero"]["reports_listed"] >= len(truth.reports)
    assert kept(data, "hostile-hanweb-zero") == truth.reports | truth.attachments


def test_a_huge_declared_total_is_cut_at_the_requests_per_list_page_limit(nightly: tuple) -> None:
    """totalRecord 100000, perPage 1 queued 100,005 POSTs from one page."""
    portal, data, _result, status, requests = nightly
    origin = host_of(portal, "hostile-hanweb-huge")
    posts = [r for r in requests if r.url.startswith(origin) and r.method == "POST"]
    assert len(posts) == LIST_LIMIT - 1  # with the column page: the list pages limit too
    row = status["hostile-hanweb-huge"]
    assert row["evidence"].startswith(f"requests_per_list_page limit {LIST_LIMIT} reached at")
    refused = json.loads(row["dropped_by_reason"])["limit_requests_per_list_page"]
    assert refused == 100_000 - LIST_LIMIT  # 1 embedded record + 99,999 groups asked for
    truth = portal.expected()["hostile-hanweb-huge"]
    assert kept(data, "hostile-hanweb-huge") == truth.reports | truth.attachments


def test_reports_redirected_off_site_are_counted_and_leave_the_source_incomplete(
    nightly: tuple,
) -> None:
    """3 of the listed reports dropped by an off-site redirect left the source "ok, 0 errors"."""
    portal, data, _result, status, _requests = nightly
    truth = portal.expected()["hostile-offsite"]
    row = status["hostile-offsite"]
    assert json.loads(row["dropped_by_reason"])["offsite_redirect"] == len(truth.lost) == 3
    assert row["evidence"].startswith("3 requests lost (e.g. ")
    assert any(f"{url} → http://" in row["evidence"] for url in truth.lost)
    assert kept(data, "hostile-offsite") == truth.reports | truth.attachments


def test_a_start_url_redirected_off_site_says_so(nightly: tuple) -> None:
    portal, _data, _result, status, _requests = nightly
    row = status["hostile-offsite-start"]
    [start] = portal.expected()["hostile-offsite-start"].lost
    elsewhere = next(s for s in portal.sites if not s.in_registry).origin
    assert row["evidence"] == (
        f"no reports listed: offsite_redirect (e.g. {start} → {elsewhere}/xxgk/gknb/index.jsp); "
        "dropped: offsite_redirect 1"
    )


def test_nothing_reaches_the_off_site_host_not_even_robots_txt(nightly: tuple) -> None:
    portal, _data, _result, _status, requests = nightly
    elsewhere = next(s for s in portal.sites if not s.in_registry).origin
    assert elsewhere and [r.url for r in requests if r.url.startswith(elsewhere)] == []


def test_crawl_prints_each_source_with_its_dropped_requests(tmp_path: Path) -> None:
    with Portal(reports_per_site=12, slow_seconds=0.2, hostile=True) as portal:
        sources = hostile_sources(
            portal, tmp_path / "sources.yaml", "hostile-offsite", "hostile-offsite-start"
        )
        args = ["crawl", "--sources", str(sources), "--data-dir", str(tmp_path / "data")]
        result = CliRunner().invoke(cli, [*args, "--no-throttle"])
    lines = {line.split()[1].rstrip(":"): line.strip() for line in result.output.splitlines()[1:3]}
    assert lines["hostile-offsite"].startswith("incomplete hostile-offsite: ")
    assert ", 4 dropped (3 requests lost (e.g. " in lines["hostile-offsite"]
    assert lines["hostile-offsite"].endswith("; dropped: offsite_redirect 3, robots 1)")
    assert lines["hostile-offsite-start"].startswith(
        "failed   hostile-offsite-start: 0 listed, 0 new, 0 errors, 1 dropped (no reports listed:"
    )


def test_bytes_in_flight_stay_within_the_budget(tmp_path: Path) -> None:
    """Sixteen parallel 95 MB pages held 1.9 GB: the size cap is per response."""
    budget = 5 * 1024 * 1024
    settings = {"NIANBAO_MAX_BYTES_IN_FLIGHT": budget, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}
    # 60 reports: the heavy site then attaches four PDFs, padded to 4 MB each
    with Portal(reports_per_site=60, slow_seconds=0.2, hostile=True) as portal:
        heavy = portal.site("hostile-heavy")
        [source] = [s for s in portal.sources() if s["id"] == "hostile-heavy"]
        summary = run_crawl([source], tmp_path / "data", throttle=False, settings=settings)
        truth = portal.expected()["hostile-heavy"]
    assert summary.ok, summary.messages
    [run] = read_table(tmp_path / "data", "crawl_runs", RUNS_SCHEMA).to_pylist()
    stats = json.loads(run["stats"])
    assert stats["nianbao/bytes_in_flight_deferred"] >= 1
    assert heavy.file_bytes <= stats["nianbao/bytes_in_flight_max"] <= budget
    rows = read_documents(tmp_path / "data").to_pylist()
    sizes = collections.Counter(r["bytes"] == heavy.file_bytes for r in rows)
    assert sizes[True] >= 3  # every large file was still fetched, whole
    assert {r["url"] for r in rows} == truth.reports | truth.attachments
