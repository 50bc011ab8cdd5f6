"""End to end against the local test portal (nianbao.demo): the issue's "done when" list.

One first crawl is shared (module fixture); each later scenario works on its own copy of
that data directory so the tests do not depend on their order.
"""

from __future__ import annotations

import collections
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from crawler.manifest import SOURCES_SCHEMA, page_pictures, read_documents, read_parts, read_table
from crawler.runner import CrawlSummary, run_crawl, start_crawl
from nianbao.demo import Portal
from tests.conftest import require_program, wait_until

pytestmark = pytest.mark.slow
REPORTS_PER_SITE = 24
TIMEOUT = 240


def documents(portal: Portal) -> set[str]:
    """What the documents manifest keeps: the report pages and their attachments."""
    return set().union(*(t.reports | t.attachments for t in portal.expected().values()))


def targets(portal: Portal) -> set[str]:
    """What a crawl fetches: the documents, and the pictures of the pages printed as them."""
    return documents(portal) | set().union(*(t.images for t in portal.expected().values()))


def ok_gets(requests: list, urls: set[str]) -> collections.Counter:
    """How often each of `urls` was answered 200 (a real fetch, not a 304)."""
    return collections.Counter(r.url for r in requests if r.url in urls and r.status == 200)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    base = tmp_path_factory.mktemp("crawl")
    with Portal(reports_per_site=REPORTS_PER_SITE, slow_seconds=0.3) as portal:
        sources = portal.write_sources(base / "sources.yaml")
        data = base / "data"
        summary = run_crawl(sources, data, throttle=False, timeout=TIMEOUT)
        yield portal, sources, data, summary, list(portal.requests)


def copy_data(data: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data, target)
    return target


def test_first_crawl_fetches_every_report_once_and_nothing_else(crawled: tuple) -> None:
    portal, _sources, data, summary, requests = crawled
    expected = portal.expected()
    rows = read_documents(data).to_pylist()
    assert summary.ok, summary.messages
    assert summary.finish_reason == "finished"
    kept = collections.defaultdict(set)
    pictured: dict[str, list[str]] = {}
    for row in rows:
        kept[row["source_id"]].add(row["url"])
        if row["pictures"]:
            pictured[row["url"]] = [p["url"] for p in page_pictures(row)]
    for source_id, truth in expected.items():
        assert kept[source_id] == truth.reports | truth.attachments, source_id
        assert not kept[source_id] & truth.non_reports, source_id
    # a page printed as pictures lists them with itself, all of them, each stored
    images = set().union(*(t.images for t in expected.values()))
    image_only = set().union(*(t.image_only for t in expected.values()))
    assert image_only and set(pictured) == image_only
    assert set().union(*pictured.values()) == images
    wanted = targets(portal)
    assert set(ok_gets(requests, wanted).values()) == {1}  # each fetched exactly once
    assert len(rows) == len(documents(portal))
    non_reports = set().union(*(t.non_reports for t in expected.values()))
    assert not {r.url for r in requests} & non_reports  # notices are never even requested


def test_manifest_rows_carry_the_report_facts(crawled: tuple) -> None:
    portal, _sources, data, _summary, _requests = crawled
    rows = read_documents(data).to_pylist()
    pages = [r for r in rows if r["kind"] == "page"]
    files = [r for r in rows if r["kind"] == "attachment"]
    assert pages and files
    for row in rows:
        assert (data / row["path"]).exists()
        assert row["path"] == f"raw/{row['sha256'][:2]}/{row['sha256']}" + Path(row["path"]).suffix
        assert row["http_status"] == 200 and row["bytes"] > 0
    assert all(r["year"] and 2007 <= r["year"] <= 2026 for r in pages)
    assert all(r["published_date"] for r in pages)
    for f in files:
        assert f["page_url"] in {p["url"] for p in pages}
        assert f["content_type"] in {
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/ofd",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/zip",
            "application/vnd.ms-works",
        }
    corpus = {url: doc for t in portal.expected().values() for url, doc in t.corpus.items()}
    putian = [p for p in pages if p["url"] in corpus and corpus[p["url"]] == "fj-putian-kjj-2024"]
    for page in putian:
        assert page["year"] == 2024


def test_waf_site_blocked_with_evidence_and_robots_obeyed(crawled: tuple) -> None:
    portal, _sources, data, summary, requests = crawled
    waf = portal.waf_source
    assert summary.blocked_sources == [waf]
    assert any(m.startswith(f"source {waf} blocked: HTTP 521 加速乐/JSL") for m in summary.messages)
    status = {
        r["source_id"]: r for r in read_table(data, "crawl_sources", SOURCES_SCHEMA).to_pylist()
    }
    assert status[waf]["status"] == "blocked"
    assert "__jsl" in status[waf]["evidence"]
    origins = {s["id"]: s["url"].split("/", 3)[2] for s in portal.sources()}
    for truth in portal.expected().values():
        host = origins[truth.source_id]
        paths = [r.url.split(host, 1)[1] for r in requests if r.url.split("/", 3)[2] == host]
        for prefix in truth.disallowed_paths:
            forbidden = [p for p in paths if p.startswith(prefix) and p != "/robots.txt"]
            assert forbidden == [], truth.source_id
        assert not truth.disallowed & {r.url for r in requests}
    assert status[waf]["reports_listed"] == 0


def test_second_run_fetches_nothing_new(crawled: tuple, tmp_path: Path) -> None:
    portal, sources, data, _summary, _requests = crawled
    data = copy_data(data, tmp_path)
    before = read_documents(data).num_rows
    start = len(portal.requests)
    summary = run_crawl(sources, data, throttle=False, timeout=TIMEOUT)
    again = portal.requests[start:]
    wanted = targets(portal)
    assert ok_gets(again, wanted) == collections.Counter()  # no 200 for a report or file
    statuses = collections.Counter(r.status for r in again if r.url in wanted)
    assert set(statuses) == {304}
    assert summary.ok and summary.new_documents == 0 and summary.changed_documents == 0
    assert read_documents(data).num_rows == before


def test_changed_documents_are_fetched_again_as_new_versions(
    crawled: tuple, tmp_path: Path
) -> None:
    portal, sources, data, _summary, _requests = crawled
    data = copy_data(data, tmp_path)
    truth = portal.expected()
    report = sorted(truth[portal.sources()[0]["id"]].reports)[0]
    attachment = sorted(truth[portal.sources()[1]["id"]].attachments)[0]
    portal.mutate(report)
    portal.mutate(attachment)
    summary = run_crawl(sources, data, throttle=False, timeout=TIMEOUT)
    assert summary.changed_documents == 2 and summary.new_documents == 0
    rows = read_documents(data).to_pylist()
    versions = collections.Counter(r["url"] for r in rows)
    assert versions[report] == 2 and versions[attachment] == 2
    assert sum(versions.values()) == len(documents(portal)) + 2


def test_a_source_that_had_reports_and_now_lists_none_fails_the_run(
    crawled: tuple, tmp_path: Path
) -> None:
    portal, sources, data, _summary, _requests = crawled
    data = copy_data(data, tmp_path)
    registry = yaml.safe_load(Path(sources).read_text(encoding="utf-8"))
    broken = registry["sources"][0]
    broken["url"] = broken["url"].rsplit("/", 2)[0] + "/redesigned/index.html"
    moved = tmp_path / "sources.yaml"
    moved.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    summary = run_crawl(moved, data, throttle=False, timeout=TIMEOUT)
    assert not summary.ok and summary.exit_code == 1
    assert not summary.monitors_passed
    assert any(f"source {broken['id']} " in m and "none now" in m for m in summary.messages)
    rows = read_table(data, "crawl_sources", SOURCES_SCHEMA).to_pylist()
    status = {r["source_id"]: r["status"] for r in rows if r["run_id"] == summary.run_id}
    assert status[broken["id"]] in ("empty", "failed")
    others = [t for sid, t in portal.expected().items() if sid != broken["id"] and t.reports]
    assert all(status[t.source_id] == "ok" for t in others)  # every other source still ran


def test_killed_crawl_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    slow = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0.03}
    with Portal(reports_per_site=30, slow_seconds=0.2) as portal:
        sources = portal.write_sources(tmp_path / "sources.yaml")
        data, jobdir = tmp_path / "data", tmp_path / "data" / "jobs" / "nightly"
        wanted = targets(portal)
        first = start_crawl(sources, data, jobdir=jobdir, throttle=False, settings=slow)

        def a_third_fetched() -> bool:
            return sum(ok_gets(portal.requests, wanted).values()) >= len(wanted) // 3

        ended = "the crawl ended before it could be killed"
        assert wait_until(a_third_fetched, TIMEOUT, [first.popen]), ended
        os.kill(first.popen.pid, signal.SIGKILL)
        first.popen.wait()
        partial = read_parts(data, "documents").num_rows
        assert partial < len(wanted)
        summary = run_crawl(sources, data, jobdir=jobdir, throttle=False, timeout=TIMEOUT)
        assert summary.run_id == first.run_id  # the same run, continued
        assert summary.ok, summary.messages
        raw_rows = read_parts(data, "documents").to_pylist()
        assert {r["url"] for r in raw_rows} == documents(portal)
        duplicates = collections.Counter((r["sha256"], r["url"]) for r in raw_rows)
        assert max(duplicates.values()) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if os.environ.get("NIANBAO_TEST_REDIS_URL"):
        yield os.environ["NIANBAO_TEST_REDIS_URL"]
        return
    server = require_program("redis-server")
    port = _free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.redis
def test_two_workers_through_redis_fetch_each_report_exactly_once(
    redis_url: str, tmp_path: Path
) -> None:
    job = f"test-{os.getpid()}-{time.monotonic_ns()}"
    with Portal(reports_per_site=REPORTS_PER_SITE, slow_seconds=0.2) as portal:
        sources = portal.write_sources(tmp_path / "sources.yaml")
        data = tmp_path / "data"
        workers = [
            start_crawl(sources, data, redis_url=redis_url, job=job, throttle=False)
            for _ in range(2)
        ]
        summaries: list[CrawlSummary] = [w.wait(TIMEOUT) for w in workers]
        wanted = targets(portal)
        assert ok_gets(portal.requests, wanted) == collections.Counter({u: 1 for u in wanted})
        assert {r["url"] for r in read_documents(data).to_pylist()} == documents(portal)
        assert all(s.finish_reason == "finished" for s in summaries)
        assert sum(s.new_documents for s in summaries) == len(documents(portal))


def test_faults_are_recorded_by_kind_and_never_stop_other_sources(tmp_path: Path) -> None:
    with Portal(reports_per_site=6, slow_seconds=2.5, waf="ruishu") as portal:
        sources = portal.write_sources(tmp_path / "sources.yaml")
        expected = portal.expected()
        slow_pages = {t.slow for t in expected.values() if t.slow}
        timeouts = run_crawl(
            sources,
            tmp_path / "timeouts",
            throttle=False,
            settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1},
            timeout=TIMEOUT,
        )
        assert timeouts.errors_by_kind["timeout"] == len(slow_pages)
        # a listed report that answers 404 and a linked attachment that does are both errors
        assert timeouts.errors_by_kind["http_404"] == len(
            set().union(*(t.not_found | t.broken_attachments for t in expected.values()))
        )
        waf = portal.waf_source
        assert timeouts.blocked_sources == [waf]
        assert any("412 瑞数 challenge" in m for m in timeouts.messages)
        kept = {r["url"] for r in read_documents(tmp_path / "timeouts").to_pylist()}
        missing = documents(portal) - kept
        assert slow_pages <= missing  # only the timed-out pages (and files they link) are lost
        reports = set().union(*(t.reports for t in expected.values()))
        assert missing & reports == slow_pages
        capped = run_crawl(
            sources,
            tmp_path / "capped",
            throttle=False,
            settings={"DOWNLOAD_MAXSIZE": 30_000},
            timeout=TIMEOUT,
        )
        assert capped.errors_by_kind["too_large"] > 0
        assert capped.finish_reason == "finished"


def test_page_rows_carry_what_each_report_page_says(crawled: tuple) -> None:
    portal, _sources, data, _summary, _requests = crawled
    pages = {r["url"]: r for r in read_documents(data).to_pylist() if r["kind"] == "page"}
    fields = ("title", "agency", "year", "published_date", "index_no", "doc_no")
    wrong = []
    checked = 0
    for truth in portal.expected().values():
        for url, says in truth.documents.items():
            row = pages[url]
            for name in fields:
                value = row[name].isoformat() if isinstance(row[name], date) else row[name]
                if name in says and (says[name] or None) != value:
                    wrong.append((url, name, says[name], value))
            checked += 1
    assert checked > 100
    assert wrong == []


def test_cli_crawls_a_user_registry_in_csv(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from nianbao.cli import cli

    with Portal(reports_per_site=6, slow_seconds=0.2) as portal:
        crawlable = [s for s in portal.sources() if portal.expected()[s["id"]].reports][:2]
        registry = tmp_path / "mine.csv"
        registry.write_text(
            "id,name,url\n" + "".join(f"{s['id']},{s['name']},{s['url']}\n" for s in crawlable),
            encoding="utf-8",
        )
        data = tmp_path / "data"
        args = ["crawl", "--sources", str(registry), "--data-dir", str(data), "--no-throttle"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("run ") and "2 sources" in result.output
        for source in crawlable:
            assert f"ok       {source['id']}: " in result.output
        wanted = set().union(
            *(
                portal.expected()[s["id"]].reports | portal.expected()[s["id"]].attachments
                for s in crawlable
            )
        )
        assert {r["url"] for r in read_documents(data).to_pylist()} == wanted
        bad = tmp_path / "bad.csv"
        bad.write_text("id,name\nx,y\n", encoding="utf-8")
        failed = CliRunner().invoke(cli, ["crawl", "--sources", str(bad), "--data-dir", str(data)])
        assert failed.exit_code == 1 and "missing url" in failed.output


def test_fujian_static_json_list_pages(tmp_path: Path) -> None:
    with Portal(reports_per_site=30, slow_seconds=0.2, fj_api="static") as portal:
        [site] = [s for s in portal.sources() if s["cms"] == "fjdzapp"]
        truth = portal.expected()[site["id"]]
        summary = run_crawl([site], tmp_path / "data", throttle=False, timeout=TIMEOUT)
        rows = read_documents(tmp_path / "data").to_pylist()
        assert summary.ok, summary.messages
        assert {r["url"] for r in rows} == truth.reports | truth.attachments
        assert any(r.url.endswith("_lists/api_p002.json") for r in portal.requests)
        pages = {r["url"]: r for r in rows if r["kind"] == "page"}
        assert {u: says.get("index_no") for u, says in truth.documents.items()} == {
            u: pages[u]["index_no"] for u in truth.documents
        }


def test_errors_past_the_threshold_fail_the_run_naming_the_sources(tmp_path: Path) -> None:
    with Portal(reports_per_site=6, slow_seconds=0.2) as portal:
        sources = portal.write_sources(tmp_path / "sources.yaml")
        summary = run_crawl(
            sources, tmp_path / "data", throttle=False, settings={"NIANBAO_MAX_ERRORS": 2}
        )
        not_found = sum(len(t.not_found | t.broken_attachments) for t in portal.expected().values())
        assert summary.errors_by_kind["http_404"] == not_found > 2
        assert summary.exit_code == 1 and not summary.monitors_passed
        [message] = [m for m in summary.messages if m.startswith("Errors/")]
        assert f"{summary.errors} errors > 2; most from portal-" in message
