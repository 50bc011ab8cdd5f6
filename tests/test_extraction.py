"""Extraction on several processes and on a Dask cluster: the same records and datasets as
one process, in the same order, and a worker that dies costs only its own document."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from click.testing import CliRunner

import nianbao.commands.extract as extract_command
import nianbao.datasets.build as build_module
import nianbao.extraction as extraction
from nianbao.cli import cli
from nianbao.datasets.build import records_dir
from nianbao.extraction import Progress, Workers
from nianbao.workflow import rebuild
from tests.conftest import CORPUS, wait_until
from tests.datasets_helpers import corpus_ids, corpus_store

TABLES = (
    "reports",
    "proactive",
    "applications",
    "review_litigation",
    "checks",
    "documents",
    "crawl_runs",
    "crawl_sources",
)
DASK = Path(sys.executable).with_name("dask")
# A PDF of 5 pages and enough HTML and text documents to start workers (PDFs are the slow
# ones: one keeps the tests short).
SAMPLE = [
    "bj-chaoyang-kxj-2020",
    "fj-putian-cgj-2021",
    "fj-putian-cgj-2024",
    "fj-putian-kjj-2025",
    "fj-putian-sjj-2013",
    "js-hongze-2023",
    "js-shuyang-fgj-2023",
    "sh-szfbgt-2019",
]
VICTIM = "fj-putian-cgj-2024"
# Fewer than LOCAL_MIN_DOCUMENTS: read on a process pool, not on Dask.
SMALL = ["js-hongze-2024", "sh-szfbgt-2019", "js-hongze-2023"]
READ = extract_command.read


def read(data_dir: Path, name: str):
    return ds.dataset(data_dir / "datasets" / name, format="parquet").to_table()


def test_sample_is_real_corpus_documents() -> None:
    assert set(SAMPLE) <= set(corpus_ids())
    assert len(SAMPLE) >= extraction.LOCAL_MIN_DOCUMENTS  # else no workers would start


def test_json_lines_on_two_workers_are_those_of_one_in_input_order() -> None:
    files = [str(next((CORPUS / "docs").glob(f"{doc_id}.*"))) for doc_id in reversed(SAMPLE)]
    runs = {}
    for workers in ("1", "2"):
        result = CliRunner().invoke(cli, ["extract", "--json", "--workers", workers, *files])
        assert result.exit_code == 0, result.output
        runs[workers] = result.stdout
    assert runs["2"] == runs["1"]
    records = [json.loads(line) for line in runs["2"].splitlines()]
    assert [r["source"] for r in records] == files  # the order given, not the order finished
    pages = {Path(r["source"]).stem: r["pages"] for r in records}
    assert pages["js-hongze-2023"] == 5
    assert pages["fj-putian-cgj-2024"] is None  # HTML has no pages


@pytest.fixture
def dask_scheduler(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and two single-thread workers as separate processes on loopback,
    as an operator starts them on other machines; yields the scheduler's address."""
    from distributed import Client

    file = tmp_path / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    env = {**os.environ, "DASK_LOGGING__DISTRIBUTED": "warning"}
    procs = [
        subprocess.Popen(
            [str(DASK), "scheduler", "--port", "0", "--scheduler-file", str(file), *common],
            env=env,
        )
    ]

    def address_written() -> str | None:
        """The address, once the scheduler has written its file whole (it writes in place)."""
        try:
            return json.loads(file.read_text())["address"]
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    try:
        assert wait_until(address_written, 60, procs), "the scheduler wrote no address"
        address = address_written()
        procs += [
            subprocess.Popen(
                [str(DASK), "worker", address, "--nthreads", "1", "--no-nanny", *common]
            )
            for _ in range(2)
        ]
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):  # workers first, then the scheduler
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_datasets_built_through_a_scheduler_address_equal_one_process(
    tmp_path: Path, dask_scheduler: str
) -> None:
    alone, cluster = tmp_path / "alone", tmp_path / "cluster"
    corpus_store(alone, SAMPLE)
    corpus_store(cluster, SAMPLE)
    assert rebuild(alone).ok
    summary = rebuild(cluster, workers=Workers(scheduler=dask_scheduler))
    assert summary.ok, summary.error
    assert summary.extracted == len(SAMPLE) and not summary.extraction_failures
    for name in TABLES:
        a, c = read(alone, name), read(cluster, name)
        differ = [
            col for col in a.column_names if col not in c.column_names or not c[col].equals(a[col])
        ]
        assert c.equals(a), (name, differ)
    assert read(cluster, "applications").num_rows > 0


def test_unreachable_scheduler_fails_the_run_with_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extraction, "CONNECT_TIMEOUT_S", 1)
    corpus_store(tmp_path, SAMPLE[:1])
    summary = rebuild(tmp_path, workers=Workers(scheduler="tcp://127.0.0.1:9"))
    assert not summary.ok and summary.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in summary.error
    assert not (tmp_path / "datasets").exists()

    page = str(CORPUS / "docs" / "sh-szfbgt-2019.html")
    result = CliRunner().invoke(cli, ["extract", "--scheduler", "tcp://127.0.0.1:9", page])
    assert result.exit_code == 1
    assert "Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def test_worker_killed_mid_document_fails_that_document_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker process dies (as from a crash in a C library) on one document: that
    document is `failed` with the reason, the others are read, and it is not cached, so
    the next run reads it again."""
    rows = corpus_store(tmp_path, SAMPLE)
    victim = next(r for r in rows if r["path"] and VICTIM in r["url"])
    parent, real = os.getpid(), build_module.extract_document

    def dies_on_victim(path: Path, sha256: str, source: str, pictures: object = None):
        if os.getpid() != parent and path.name == Path(victim["path"]).name:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, sha256, source, pictures)

    # The task itself is patched: a closure travels to the workers by value (cloudpickle),
    # whatever way they were started.
    monkeypatch.setattr(build_module, "extract_document", dies_on_victim)
    summary = rebuild(tmp_path, workers=Workers(2))
    assert summary.ok, summary.error
    reports = {r["url"]: r for r in read(tmp_path, "reports").to_pylist()}
    dead = reports[victim["url"]]
    assert dead["status"] == "failed" and "worker process died" in dead["error"]
    assert summary.extraction_failures == [f"{victim['url']}: {dead['error']}"]
    others = [r for url, r in reports.items() if url != victim["url"]]
    assert len(others) == len(SAMPLE) - 1
    assert all(r["status"] != "failed" for r in others)
    assert not list(records_dir(tmp_path).rglob(f"{victim['sha256']}.json"))

    monkeypatch.setattr(build_module, "extract_document", real)
    summary = rebuild(tmp_path)
    assert summary.ok and summary.extracted == 1  # only the victim is read again
    again = {r["url"]: r for r in read(tmp_path, "reports").to_pylist()}[victim["url"]]
    assert again["status"] == "ok" and again["cells"] > 0


def _corpus_files(ids: list[str]) -> list[str]:
    return [str(next((CORPUS / "docs").glob(f"{doc_id}.*"))) for doc_id in ids]


def test_small_batch_on_a_process_pool_is_that_of_one_process_in_input_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = _corpus_files(SMALL)
    assert 1 < len(files) < extraction.LOCAL_MIN_DOCUMENTS
    pools: list[int] = []
    real_pool = extraction._pool

    def counted(processes: int, fn):
        pools.append(processes)
        return real_pool(processes, fn)

    monkeypatch.setattr(extraction, "_pool", counted)
    runs = {}
    for workers in ("1", "2"):
        result = CliRunner().invoke(cli, ["extract", "--json", "--workers", workers, *files])
        assert result.exit_code == 0, result.output
        runs[workers] = result.stdout
    assert pools == [2]  # --workers 1 reads in this process
    assert runs["2"] == runs["1"]
    records = [json.loads(line) for line in runs["2"].splitlines()]
    assert [r["source"] for r in records] == files
    assert [r["pages"] for r in records] == [5, None, 5]
    assert [r["agency"] for r in records] == [
        "淮安市洪泽区人民政府",
        "上海市人民政府办公厅",
        "洪泽区人民政府",
    ]

    one = CliRunner().invoke(cli, ["extract", "--json", files[0]])
    assert one.stdout.splitlines() == runs["1"].splitlines()[:1]
    assert pools == [2]  # one file: no pool


def _read_or_die(path: Path, *rest: object):
    """`nianbao extract`'s task, except that the worker process reading the second
    document dies (looked up by name in the pool's processes, as the real task is)."""
    if multiprocessing.parent_process() is not None and path.stem == SMALL[1]:
        os.kill(os.getpid(), signal.SIGKILL)
    return READ(path, *rest)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_pool_worker_killed_mid_document_fails_that_document_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = _corpus_files(SMALL)
    monkeypatch.setattr(extract_command, "read", _read_or_die)
    result = CliRunner().invoke(cli, ["extract", "--json", "--workers", "2", *files])
    assert result.exit_code == 1
    assert "1 of 3 documents failed" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in records] == files
    assert [r["status"] for r in records] == ["ok", "failed", "ok"]
    assert records[1]["error"] == extraction.DIED
    assert records[2]["pages"] == 5 and records[2]["agency"] == "洪泽区人民政府"


def test_progress_counts_documents_and_pages() -> None:
    with Progress(3) as progress:
        for pages in (5, None, 6):
            progress.advance(pages)
    assert progress.documents == 3 and progress.pages == 11
    assert "3 documents (11 pages)" in progress.rates()


def _has_onnxruntime(_: int) -> bool:
    return "onnxruntime" in sys.modules


def test_local_workers_do_not_inherit_the_ocr_engine_of_this_process() -> None:
    """onnxruntime (OCR) loaded here would be inherited half-initialised by a forked
    worker, which can crash on its first page: local workers start from a fork server."""
    import onnxruntime  # noqa: F401 - loaded here, as after OCR in this process

    for n in (2, extraction.LOCAL_MIN_DOCUMENTS):  # a process pool, a Dask cluster
        tasks = [(i,) for i in range(n)]
        inherited = extraction.ordered_map(_has_onnxruntime, tasks, Workers(2), lambda a, r: r)
        assert list(inherited) == [False] * n


def test_workers_from_options_default_to_every_core() -> None:
    assert Workers.from_options(None, None).count == extraction.cpu_count() >= 1
    assert Workers.from_options(3, None) == Workers(3)
    assert Workers.from_options(None, "tcp://10.0.0.5:8786").scheduler == "tcp://10.0.0.5:8786"
