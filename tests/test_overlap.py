"""Overlapping commands on one data directory (issue 7, failures 1 and 2), end to end on the
local portal: a second writer is refused and told who writes; `kill -9` of a run takes its
crawl child along; what two crawls at once leave behind is healed by the next run."""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from click.testing import CliRunner

from crawler.runner import start_crawl
from nianbao.cli import cli
from nianbao.demo import Portal
from tests.conftest import alive, wait_until, wait_until_dead
from tests.test_crawl_e2e import TIMEOUT, documents

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]
NIANBAO = Path(sys.executable).with_name("nianbao")


@pytest.fixture(scope="module")
def portal():
    with Portal(reports_per_site=6, slow_seconds=0.2) as served:
        yield served


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def keys(dataset: ds.Dataset) -> collections.Counter:
    """How often each (sha256, url) is in a dataset of documents."""
    table = dataset.to_table(columns=["sha256", "url"])
    return collections.Counter(
        zip(table["sha256"].to_pylist(), table["url"].to_pylist(), strict=True)
    )


def manifest_keys(data: Path) -> collections.Counter:
    """Every row of every documents part file, as written."""
    parts = sorted((data / "manifests" / "documents").glob("part-*.parquet"))
    return keys(ds.dataset(parts, format="parquet"))


def crawl_child(parent: int) -> int | None:
    """The `python -m crawler.crawl_process` started by `parent`, if it runs."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"crawler.crawl_process" in cmdline:
            return int(stat.parent.name)
    return None


def published_documents(data: Path) -> collections.Counter:
    return keys(ds.dataset(data / "datasets" / "documents", format="parquet"))


@contextlib.contextmanager
def crawling(portal: Portal, command: str, data: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """`nianbao COMMAND` crawling the portal politely, slowed further (it would take
    minutes), once its crawl child has fetched a few pages; both are killed afterwards."""
    sources = data.parent / "sources.yaml"
    served = len(portal.requests)
    parent = subprocess.Popen(
        [NIANBAO, command, "--sources", sources, "--data-dir", data],
        env={**os.environ, "NIANBAO_DOWNLOAD_DELAY": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    child = None
    try:
        deadline = time.monotonic() + TIMEOUT
        while child is None or len(portal.requests) < served + 5:
            assert parent.poll() is None and time.monotonic() < deadline
            child = child or crawl_child(parent.pid)
            time.sleep(0.1)
        yield parent, child
    finally:
        parent.kill()
        parent.wait()
        if child and alive(child):
            os.kill(child, signal.SIGKILL)


def test_a_second_writer_is_refused_and_told_who_writes(portal: Portal, tmp_path: Path) -> None:
    sources = portal.write_sources(tmp_path / "sources.yaml")
    data = tmp_path / "data"
    with crawling(portal, "crawl", data) as (first, _child):
        for args in (
            ["extract", "--rebuild"],
            ["crawl", "--sources", sources],
            ["run", "--sources", sources, "--no-throttle"],
            ["nightly", "--sources", sources, "--no-throttle"],
            ["publish"],
            ["doctor"],
        ):
            code, out = invoke(*args, "--data-dir", data)
            assert code == 1, (args, out)
            assert f"is being written by pid {first.pid} " in out, (args, out)
            assert "nianbao crawl --sources" in out, (args, out)
        code, out = invoke("publish", "--data-dir", data, "--wait", "0.5")
        assert code == 1 and "after waiting 0.5 s" in out, out


def test_killed_run_takes_its_crawl_along_and_the_next_run_loses_nothing(
    portal: Portal, tmp_path: Path
) -> None:
    sources = portal.write_sources(tmp_path / "sources.yaml")
    data = tmp_path / "data"
    with crawling(portal, "run", data) as (first, child):
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert wait_until_dead(child, 5), "the crawl outlived the run that started it"

    code, out = invoke("run", "--sources", sources, "--data-dir", data, "--no-throttle")
    assert code == 0, out
    written = manifest_keys(data)
    assert max(written.values()) == 1  # nothing fetched by both
    assert {url for _sha, url in written} == documents(portal)  # nothing lost
    assert published_documents(data) == written


def test_what_two_crawls_at_once_leave_behind_is_healed_by_the_next_run(
    portal: Portal, tmp_path: Path
) -> None:
    """Before the lock, two `nianbao crawl` on one data directory wrote every document twice
    and every later `run` failed: "documents: primary key ['url', 'sha256']: N duplicates".
    The library still lets two crawls overlap (Redis workers do), so the damage is made
    that way here, and a part file torn on top of it. The portal holds their requests until
    both have asked for something: on a slow machine one crawl could otherwise finish before
    the other reads the data directory, and find everything already kept."""
    sources = portal.write_sources(tmp_path / "sources.yaml")
    data = tmp_path / "data"
    with portal.held():
        crawls = [start_crawl(sources, data, throttle=False) for _ in range(2)]

        def asked_by_both() -> bool:  # one URL: each crawl has read the data directory
            return max(portal.waiting.values(), default=0) >= 2

        assert wait_until(asked_by_both, TIMEOUT, [c.popen for c in crawls])
    summaries = [c.wait(TIMEOUT) for c in crawls]
    assert all(s.finish_reason == "finished" for s in summaries)
    wanted = documents(portal)  # a picture page's pictures are listed with it, not as rows
    assert [s.new_documents for s in summaries] == [len(wanted)] * 2  # each wrote every one
    parts = data / "manifests" / "documents"
    # the first part (all of them, when a crawl's end merged what the two wrote twice)
    torn = sorted(parts.glob("part-*.parquet"))[0]
    torn.write_bytes(torn.read_bytes()[:100])

    code, out = invoke("run", "--sources", sources, "--data-dir", data, "--no-throttle")
    assert code == 0, out
    published = published_documents(data)
    assert max(published.values()) == 1
    assert {url for _sha, url in published} == wanted  # the torn part's rows fetched again
    assert [p.name for p in (parts / "damaged").iterdir()] == [torn.name]
    code, out = invoke("extract", "--rebuild", "--data-dir", data)
    assert code == 0, out
