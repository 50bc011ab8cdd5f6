"""Building and publishing the datasets from a raw store of real corpus documents."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

import extract
from nianbao.datasets.release import current_release
from nianbao.extraction import Workers
from nianbao.lock import writer_lock
from nianbao.workflow import rebuild
from tests.datasets_helpers import (
    FETCHED_AT,
    corpus_ids,
    corpus_store,
    document_row,
    write_manifest,
)

CELL_TABLES = (
    "reports",
    "proactive",
    "applications",
    "review_litigation",
    "legacy",
    "narrative",
    "indicators",
    "checks",
)


def read(data_dir: Path, name: str) -> pa.Table:
    return ds.dataset(data_dir / "datasets" / name, format="parquet").to_table()


def files(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Every published file with its (inode, size)."""
    root = (data_dir / "datasets").resolve()
    return {
        str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_size)
        for p in sorted(root.rglob("*.parquet"))
    }


@pytest.fixture
def built(tmp_path: Path) -> Path:
    corpus_store(tmp_path)
    summary = rebuild(tmp_path)
    assert summary.ok, summary.error
    return tmp_path


def test_reports_from_the_real_corpus(built: Path) -> None:
    reports = read(built, "reports")
    assert reports.num_rows == len(corpus_ids())
    row = reports.filter(
        pc.equal(reports["url"], "http://js-huaian.example/zfxxgknb/js-huaian-2024/report.pdf")
    ).to_pylist()[0]
    assert row["agency_name"] == "淮安市人民政府"
    assert row["year"] == 2024
    assert row["page_url"] == "http://js-huaian.example/zfxxgknb/js-huaian-2024/index.html"
    assert row["division_code"] == "320800" and row["level"] == "city"
    assert row["status"] == "ok" and row["applications_format"] == "2021"
    assert row["extractor_version"] == extract.__version__
    assert row["version"] == 1 and row["is_latest"]
    # partitioned by year, hive style
    assert (built / "datasets" / "reports" / "year=2024" / "part-0.parquet").exists()


def test_cell_values_match_the_gold_answers(built: Path) -> None:
    apps = read(built, "applications")
    reports = read(built, "reports").select(["report_id", "agency_name", "year"])
    joined = apps.join(reports, "report_id", join_type="inner", left_suffix="_a")
    # 淮安市人民政府 2024: 行政复议 总计 351; 本年新收 总计 from gold
    gold = json.loads(
        (Path(__file__).parent / "fixtures/corpus/gold/js-huaian-2024.json").read_text()
    )
    mine = joined.filter(
        pc.and_(
            pc.equal(joined["agency_name"], "淮安市人民政府"),
            pc.equal(joined["row_key"], "new_received"),
        )
    )
    values = dict(zip(mine["column_key"].to_pylist(), mine["value"].to_pylist(), strict=True))
    assert values == gold["applications"]["new_received"]
    review = read(built, "review_litigation")
    total = review.filter(
        pc.and_(
            pc.and_(pc.equal(review["row_key"], "review"), pc.equal(review["column_key"], "total")),
            pc.equal(review["year"], 2024),
        )
    )
    assert 351 in total["value"].to_pylist()
    labels = dict(zip(apps["row_key"].to_pylist(), apps["row_label"].to_pylist(), strict=False))
    assert labels["new_received"] == "本年新收政府信息公开申请数量"


def test_checks_in_report_and_across_years(built: Path) -> None:
    checks = read(built, "checks")
    kinds = set(checks["kind"].to_pylist())
    assert kinds == {"in_report", "cross_year"}
    cross = checks.filter(pc.equal(checks["kind"], "cross_year")).to_pylist()
    # 莆田市城市管理局: 2021 in_force 23 + 2022 issued 3 - repealed 15 = 11 ≠ 9 printed in 2022
    nd = [
        c
        for c in cross
        if c["name"] == "in_force_continuity" and c["row_key"] == "normative_documents"
    ]
    failing = {(c["year"], c["left"], c["right"]) for c in nd if not c["passed"]}
    assert (2022, -11.0, 9.0) in failing
    # the 洪泽区 2023 and 2024 reports print the agency name differently but are one agency
    reports = read(built, "reports")
    hongze = reports.filter(pc.equal(reports["source_id"], "js-hongze"))
    assert len(set(hongze["agency_name"].to_pylist())) == 2
    assert len(set(hongze["agency_id"].to_pylist())) == 1
    carried = [c for c in cross if c["name"] == "carried_forward_continuity" and c["year"] == 2024]
    assert {c["report_id"] for c in carried} >= set(
        hongze.filter(pc.equal(hongze["year"], 2024))["report_id"].to_pylist()
    )
    # failed checks are counted on their report
    failed = (
        checks.filter(pc.invert(checks["passed"]))
        .group_by("report_id")
        .aggregate([("passed", "count")])
    )
    counted = dict(
        zip(reports["report_id"].to_pylist(), reports["failed_checks"].to_pylist(), strict=True)
    )
    for rid, n in zip(
        failed["report_id"].to_pylist(), failed["passed_count"].to_pylist(), strict=True
    ):
        assert counted[rid] == n


def test_second_run_changes_nothing(built: Path) -> None:
    before = files(built)
    release = current_release(built)
    summary = rebuild(built)
    assert summary.ok
    assert summary.extracted == 0 and summary.reused == len(corpus_ids())
    assert summary.new_reports == [] and summary.changed_reports == []
    assert current_release(built) != release
    assert files(built) == before  # same bytes: the very same (hard-linked) files


def test_new_extractor_version_reextracts_everything(built: Path, monkeypatch) -> None:
    monkeypatch.setattr(extract, "__version__", "99.0")
    monkeypatch.setattr("extract.extractor.__version__", "99.0")
    summary = rebuild(built)
    assert summary.ok and summary.extracted == len(corpus_ids())
    assert set(read(built, "reports")["extractor_version"].to_pylist()) == {"99.0"}


def test_changed_document_is_a_new_version(built: Path) -> None:
    doc_id = "fj-putian-cgj-2023"
    old = read(built, "reports").filter(pc.equal(read(built, "reports")["year"], 2023))
    html = next((Path(__file__).parent / "fixtures/corpus/docs").glob(f"{doc_id}.*")).read_bytes()
    later = FETCHED_AT.replace(day=20)
    row = document_row(
        built, doc_id, html.replace(b"</body>", b"<p>\xe6\x9b\xb4\xe6\xad\xa3</p></body>"), later
    )
    write_manifest(built, [row], name="part-1")
    summary = rebuild(built)
    assert summary.ok and summary.extracted == 1
    reports = read(built, "reports")
    cgj = reports.filter(
        pc.and_(
            pc.equal(reports["agency_name"], "莆田市城市管理局"), pc.equal(reports["year"], 2023)
        )
    )
    assert sorted(cgj["version"].to_pylist()) == [1, 2]
    latest = cgj.filter(cgj["is_latest"]).to_pylist()[0]
    assert latest["sha256"] == row["sha256"]
    assert summary.changed_reports == [latest["report_id"]]
    assert len(set(cgj["agency_id"].to_pylist())) == 1
    assert old.num_rows + 1 == reports.filter(pc.equal(reports["year"], 2023)).num_rows


def test_result_does_not_depend_on_arrival_order(tmp_path: Path) -> None:
    ids = corpus_ids()
    first, second = tmp_path / "a", tmp_path / "b"
    corpus_store(first, ids)
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    corpus_store(second, shuffled[:10])
    write_manifest(second, [document_row(second, i) for i in shuffled[10:]], name="part-1")
    assert rebuild(first).ok and rebuild(second, workers=Workers(2)).ok  # and in parallel
    for name in CELL_TABLES:
        assert read(first, name).equals(read(second, name)), name


def test_lock_stops_a_second_run(built: Path) -> None:
    release = current_release(built)
    with writer_lock(built) as holder:
        summary = rebuild(built)
    assert not summary.ok and f"is being written by pid {holder.pid} " in summary.error
    assert summary.exit_code == 1
    assert current_release(built) == release


def test_documents_written_twice_and_a_torn_manifest_part_heal_at_the_next_build(
    tmp_path: Path,
) -> None:
    """What two overlapping crawls left behind used to fail every later build ("documents:
    primary key ['url', 'sha256']: N duplicates"); now each document is read once and a
    part that cannot be read is put aside, kept, with the rest read."""
    rows = corpus_store(tmp_path)
    assert rebuild(tmp_path).ok
    before = read(tmp_path, "documents")
    again = [{**r, "fetched_at": r["fetched_at"] + timedelta(hours=1), "run_id": "b"} for r in rows]
    write_manifest(tmp_path, again, name="overlap")
    summary = rebuild(tmp_path)
    assert summary.ok, summary.error
    assert summary.documents == len(rows)
    assert read(tmp_path, "documents").equals(before)  # the first fetch of each is kept

    parts = tmp_path / "manifests" / "documents"
    whole = next(parts.glob("part-overlap-*.parquet")).read_bytes()
    (parts / "part-torn.parquet").write_bytes(whole[: len(whole) // 2])
    summary = rebuild(tmp_path)
    assert summary.ok, summary.error
    assert read(tmp_path, "documents").equals(before)
    assert (parts / "damaged" / "part-torn.parquet").read_bytes() == whole[: len(whole) // 2]


def test_failed_build_leaves_yesterdays_data(built: Path, monkeypatch) -> None:
    before = files(built)
    release = current_release(built)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("nianbao.datasets.release.datapackage", broken)
    summary = rebuild(built, force=True)
    assert not summary.ok and "disk full" in summary.error
    assert "unchanged" in summary.paragraph()
    assert current_release(built) == release and files(built) == before


KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import nianbao.datasets.release as publish
    real = publish.write_table
    def slow(*args, **kwargs):
        out = real(*args, **kwargs)
        print("wrote", args[0].name, flush=True)
        time.sleep(30)
        return out
    publish.write_table = slow
    from nianbao.workflow import rebuild
    rebuild(Path(sys.argv[1]), force=True)
    """
)


def test_run_killed_half_way_leaves_previous_datasets(built: Path) -> None:
    before = files(built)
    release = current_release(built)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(built)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().startswith("wrote")  # half-way: one table written
        assert any(p.name.endswith(".partial") for p in (built / "releases").iterdir())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert current_release(built) == release and files(built) == before
    assert read(built, "reports").num_rows == len(corpus_ids())
    # the lock died with the process, and the next run clears the partial release
    time.sleep(0.1)
    assert rebuild(built).ok
    assert not any(p.name.endswith(".partial") for p in (built / "releases").iterdir())
    assert files(built) == before


def test_not_a_report_is_left_out(tmp_path: Path) -> None:
    corpus_store(tmp_path, ["fj-putian-cgj-2022"])
    notice = (
        "<html><head><title>关于开展2024年度安全生产检查的通知</title></head>"
        "<body><p>各单位：现将有关事项通知如下。</p></body></html>"
    )
    row = document_row(tmp_path, "fj-putian-cgj-2021", notice.encode())
    row["url"] = row["page_url"] = "http://fj-putian-cgj.example/tzgg/1.html"
    write_manifest(tmp_path, [row], name="part-1")
    summary = rebuild(tmp_path)
    assert summary.ok
    reports = read(tmp_path, "reports")
    assert reports["url"].to_pylist() == [
        "http://fj-putian-cgj.example/zfxxgknb/fj-putian-cgj-2022/index.html"
    ]
    assert read(tmp_path, "documents").num_rows == 2


def _cells(table: pa.Table, cols: list[str]) -> dict[tuple, float]:
    keys = ["source_id", "year", *cols]
    return {tuple(r[c] for c in keys): r["value"] for r in table.to_pylist()}


def test_published_cells_are_the_gold_numbers(built: Path) -> None:
    """Data test on the outputs: every printed cell of every corpus report, as published,
    equals the hand-checked answer (derived cells such as other_total come on top)."""
    from tests.datasets_helpers import gold_tables

    gold = gold_tables()
    keys = {
        "proactive": ["row_key", "row_label", "column_key"],
        "applications": ["row_key", "column_key"],
        "review_litigation": ["row_key", "column_key"],
    }
    mine_reports = read(built, "reports").select(["report_id", "source_id", "year"])
    gold_reports = gold["reports"].select(["report_id", "source_id", "year"])
    for name, cols in keys.items():
        mine = read(built, name)
        mine = mine.filter(pc.invert(mine["derived"])).join(mine_reports, ["report_id", "year"])
        theirs = gold[name].join(gold_reports, ["report_id", "year"])
        assert _cells(mine, cols) == _cells(theirs, cols), name


def test_unreadable_document_is_a_failed_report_not_a_crash(tmp_path: Path) -> None:
    corpus_store(tmp_path, ["js-hongze-2024"])
    row = document_row(tmp_path, "js-hongze-2023", b"%PDF-1.7\n" + b"\x00garbage" * 100)
    write_manifest(tmp_path, [row], name="part-1")
    summary = rebuild(tmp_path)
    assert summary.ok and len(summary.extraction_failures) == 1
    reports = read(tmp_path, "reports")
    broken = reports.filter(pc.equal(reports["sha256"], row["sha256"])).to_pylist()[0]
    assert broken["status"] == "failed" and broken["error"]
    assert broken["year"] == 2023 and broken["cells"] == 0  # the year the crawler saw
    assert summary.failed_reports == [broken["report_id"]]
    assert "1 with status failed" in summary.paragraph()


def test_release_mirrored_to_an_fsspec_url(built: Path, tmp_path: Path) -> None:
    import fsspec
    import pyarrow.parquet as pq

    from nianbao.datasets.release import mirror

    url = f"file://{tmp_path}/bucket/nianbao"
    where = mirror(built, url)
    release = current_release(built).name
    assert where == f"{url}/releases/{release}"
    fs, root = fsspec.core.url_to_fs(url)
    assert fs.cat_file(f"{root}/CURRENT").decode().strip() == release
    mirrored = pq.read_table(
        f"{root}/releases/{release}/reports/year=2024/part-0.parquet", filesystem=fs
    )
    assert mirrored.equals(
        read(built, "reports").filter(pc.equal(read(built, "reports")["year"], 2024))
    )


def test_missing_raw_file_fails_now_and_is_read_when_back(tmp_path: Path) -> None:
    (row,) = corpus_store(tmp_path, ["fj-putian-kjj-2024"])
    raw = tmp_path / row["path"]
    kept = raw.read_bytes()
    raw.unlink()
    summary = rebuild(tmp_path)
    assert summary.ok and summary.extraction_failures[0].endswith(
        f"raw file missing from the store: {row['path']}"
    )
    assert read(tmp_path, "reports")["status"].to_pylist() == ["failed"]
    raw.write_bytes(kept)
    summary = rebuild(tmp_path)
    assert summary.ok and summary.extracted == 1
    assert read(tmp_path, "reports")["status"].to_pylist() == ["ok"]


def test_manifest_parts_from_an_older_crawler_are_read(tmp_path: Path) -> None:
    """A part file without newer columns (index_no, doc_no …) reads them as nulls."""
    import pyarrow.parquet as pq

    rows = corpus_store(tmp_path, ["fj-putian-kjj-2024"])
    old = document_row(tmp_path, "fj-putian-kjj-2025")
    columns = ["source_id", "url", "page_url", "sha256", "path", "kind", "fetched_at", "year"]
    pq.write_table(
        pa.Table.from_pylist([{k: old[k] for k in columns}]),
        tmp_path / "manifests" / "documents" / "part-old.parquet",
    )
    assert rebuild(tmp_path).ok
    docs = read(tmp_path, "documents")
    assert sorted(docs["sha256"].to_pylist()) == sorted([rows[0]["sha256"], old["sha256"]])
    assert read(tmp_path, "reports").num_rows == 2


def test_report_republished_at_a_new_url_keeps_its_agency(built: Path) -> None:
    """The site moved its 年报 column: same report, new page URL, revised bytes."""
    doc_id = "js-huaian-2024"
    pdf = (Path(__file__).parent / "fixtures/corpus/docs" / f"{doc_id}.pdf").read_bytes()
    row = document_row(built, doc_id, pdf + b"\n% revised\n", FETCHED_AT.replace(month=12))
    row["page_url"] = "http://js-huaian.example/xxgk/ndbg/2025/0301/index.html"
    row["url"] = "http://js-huaian.example/xxgk/ndbg/2025/0301/report.pdf"
    write_manifest(built, [row], name="part-1")
    summary = rebuild(built)
    assert summary.ok
    reports = read(built, "reports")
    huaian = reports.filter(pc.equal(reports["source_id"], "js-huaian")).to_pylist()
    assert len(huaian) == 2 and len({r["agency_id"] for r in huaian}) == 1
    assert len({r["page_url"] for r in huaian}) == 2
    latest = next(r for r in huaian if r["is_latest"])
    assert latest["url"] == row["url"] and latest["version"] == 2
    assert summary.changed_reports == [latest["report_id"]]


def test_second_build_takes_rows_from_the_cache(built: Path, monkeypatch) -> None:
    from nianbao.datasets.cache import RowCache

    made: list[int] = []
    original = RowCache.from_records.__func__

    def counting(cls, records):
        made.append(len(records))
        return original(cls, records)

    monkeypatch.setattr(RowCache, "from_records", classmethod(counting))
    before = files(built)
    assert rebuild(built).ok
    assert made == []  # no record went through the per-cell Python path
    assert files(built) == before
    # a lost cache is made again from the kept records, without extracting
    for path in (built / "state" / "rows").iterdir():
        path.unlink()
    summary = rebuild(built)
    assert summary.ok and summary.extracted == 0 and made[0] == len(corpus_ids())
    assert files(built) == before


def test_report_of_unknown_year_is_kept_in_its_own_partition(tmp_path: Path) -> None:
    corpus_store(tmp_path, ["fj-putian-cgj-2024"])
    row = document_row(tmp_path, "js-hongze-2023", b"%PDF-1.4\n" + b"\x01broken" * 50)
    row["year"] = None
    write_manifest(tmp_path, [row], name="part-1")
    assert rebuild(tmp_path).ok
    unknown = tmp_path / "datasets" / "reports" / "year=__HIVE_DEFAULT_PARTITION__"
    assert (unknown / "part-0.parquet").exists()
    reports = read(tmp_path, "reports")
    assert reports["year"].to_pylist() == [2024, None]  # nulls last
    package = json.loads((tmp_path / "datasets" / "datapackage.json").read_text())
    assert "reports-unknown" in {r["name"] for r in package["resources"]}
    cells = read(tmp_path, "applications")
    assert set(cells["year"].to_pylist()) == {2024}


def test_row_cache_torn_between_files_heals(built: Path, monkeypatch) -> None:
    """Killed after the cell tables were written but before records.parquet: the next
    build makes the new document's rows again, without duplicates."""
    import pyarrow.parquet as pq

    from nianbao.datasets import cache as cache_mod

    before = read(built, "applications").num_rows
    html = (Path(__file__).parent / "fixtures/corpus/docs/fj-putian-kjj-2025.html").read_bytes()
    row = document_row(
        built, "fj-putian-kjj-2025", html + b"<!-- v2 -->", FETCHED_AT.replace(day=9)
    )
    write_manifest(built, [row], name="part-1")

    def torn(self, data_dir):
        directory = cache_mod.cache_dir(data_dir)
        for name in cache_mod.CELL_TABLES:
            pq.write_table(self.tables[name], directory / f"{name}.parquet")
        raise OSError("killed")

    monkeypatch.setattr(cache_mod.RowCache, "save", torn)
    assert not rebuild(built).ok
    monkeypatch.undo()
    summary = rebuild(built)
    assert summary.ok and summary.extracted == 0  # the record itself was kept
    apps = read(built, "applications")
    reports = read(built, "reports")
    new = reports.filter(pc.equal(reports["sha256"], row["sha256"]))["report_id"][0].as_py()
    new_cells = apps.filter(pc.equal(apps["report_id"], new)).num_rows
    assert new_cells == 182 and apps.num_rows == before + new_cells


def test_build_holds_one_year_of_cached_rows_at_a_time(tmp_path: Path, monkeypatch) -> None:
    """The row cache is read one year file at a time, each once, and the rows held at
    once are one year's: memory follows the largest year, not the whole history."""
    from benchmarks.dataset import generate
    from nianbao.datasets import cache as cache_mod

    generate(160, tmp_path)  # 8 covered years, 20 reports each
    held: dict[str, list[int]] = {name: [] for name in cache_mod.CELL_TABLES}
    opened: list[tuple[str, int | None]] = []
    read_rows, from_disk = cache_mod.RowCache.read, cache_mod.RowCache._from_disk

    def reading(self, name, shas):
        rows = read_rows(self, name, shas)
        held[name].append(rows.num_rows)
        return rows

    def opening(self, name, year, ids):
        opened.append((name, year))
        return from_disk(self, name, year, ids)

    monkeypatch.setattr(cache_mod.RowCache, "read", reading)
    monkeypatch.setattr(cache_mod.RowCache, "_from_disk", opening)
    assert rebuild(tmp_path).ok
    assert sorted(opened) == sorted({(n, y) for n in held for y in range(2018, 2026)})
    for name in ("proactive", "applications", "review_litigation"):
        years = pc.value_counts(read(tmp_path, name)["year"]).to_pylist()
        assert len(held[name]) == 8 and sum(held[name]) == sum(y["counts"] for y in years)
        assert max(held[name]) == max(y["counts"] for y in years)  # one year, not all
