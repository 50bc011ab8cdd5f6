"""The one manifest reader: rows written twice are read once, damaged parts are put aside;
`compact` and `nianbao doctor` write the repair down."""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.manifest import (
    DOCUMENTS_SCHEMA,
    RUNS_SCHEMA,
    SOURCES_SCHEMA,
    compact,
    manifest_dir,
    read_documents,
    read_parts,
    read_table,
    write_part,
)
from nianbao.cli import cli
from nianbao.datasets.tables.crawl import CRAWL_RUNS, CRAWL_SOURCES, DOCUMENTS
from tests.test_crawl_components import _row

PAGE = "https://www.putian.gov.cn/a/202201/t20220113_1698102.htm"
T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def test_the_manifest_has_every_documents_column_in_the_datasets_type() -> None:
    for field in DOCUMENTS.schema:
        assert DOCUMENTS_SCHEMA.field(field.name) == field
    assert DOCUMENTS_SCHEMA.field("published_date").type == pa.date32()
    kept_for_the_crawler = set(DOCUMENTS_SCHEMA.names) - set(DOCUMENTS.schema.names)
    assert kept_for_the_crawler == {"etag", "last_modified", "attachment_urls", "listed_url"}


def test_crawl_datasets_publish_the_manifests_columns_with_lists_as_json_text() -> None:
    for dataset, manifest in ((CRAWL_RUNS, RUNS_SCHEMA), (CRAWL_SOURCES, SOURCES_SCHEMA)):
        for field in dataset.schema:
            if manifest.field(field.name).type == pa.list_(pa.string()):
                assert field.type == pa.string(), field  # JSON text
            else:
                assert manifest.field(field.name) == field
    assert set(RUNS_SCHEMA.names) - set(CRAWL_RUNS.schema.names) >= {"messages", "stats"}


def test_a_run_written_before_the_shared_declaration_still_reads(tmp_path: Path) -> None:
    """Parts written when run_id was a nullable column read with today's schema."""
    old = pa.schema([pa.field(f.name, f.type, nullable=True) for f in RUNS_SCHEMA])
    row = {"run_id": "20261101T020000-aa", "finished_at": T0, "blocked_sources": ["sh"]}
    write_part(manifest_dir(tmp_path, "crawl_runs"), [row], old, "r1")
    (read,) = read_table(tmp_path, "crawl_runs").to_pylist()
    assert read["run_id"] == row["run_id"] and read["blocked_sources"] == ["sh"]


def test_a_part_written_with_dates_as_text_reads_as_dates(tmp_path: Path) -> None:
    """Before the manifest shared the dataset's declaration, published_date was text."""
    rows = [
        _row(PAGE, "aa" * 32, fetched_at=T0, published_date="2022-01-13"),
        _row(PAGE.replace("1698102", "1698103"), "bb" * 32, fetched_at=T0, published_date=""),
    ]
    old = pa.Table.from_pylist(rows)
    assert old.schema.field("published_date").type == pa.string()
    docs = manifest_dir(tmp_path, "documents")
    docs.mkdir(parents=True)
    pq.write_table(old, docs / "part-r0-00000000.parquet")
    found = {r["sha256"]: r["published_date"] for r in read_documents(tmp_path).to_pylist()}
    assert found == {"aa" * 32: date(2022, 1, 13), "bb" * 32: None}


def test_two_crawls_writing_the_same_documents_are_read_once(tmp_path: Path) -> None:
    docs = manifest_dir(tmp_path, "documents")
    first = [_row(PAGE, "aa" * 32, fetched_at=T0, run_id="r1")]
    second = [
        _row(PAGE, "aa" * 32, fetched_at=T0 + timedelta(minutes=1), run_id="r2"),
        _row(PAGE, "bb" * 32, fetched_at=T0 + timedelta(minutes=2), run_id="r2"),
    ]
    write_part(docs, second, DOCUMENTS_SCHEMA, "r2")
    write_part(docs, first, DOCUMENTS_SCHEMA, "r1")
    assert read_parts(tmp_path, "documents").num_rows == 3
    table = read_documents(tmp_path)
    assert table.column("sha256").to_pylist() == ["aa" * 32, "bb" * 32]
    assert table.column("run_id").to_pylist() == ["r1", "r2"]  # the first fetch is kept
    done = compact(tmp_path, "documents")
    assert (done.rows, done.parts, done.duplicates) == (2, 2, 1)
    assert done.describe() == (
        "documents: 2 rows; rows written more than once, left out: 1; part files merged into one: 2"
    )
    assert read_parts(tmp_path, "documents").equals(table)  # one part, one row of each


def test_a_run_written_twice_is_read_once(tmp_path: Path) -> None:
    runs = manifest_dir(tmp_path, "crawl_runs")
    for finished in (T0 + timedelta(hours=1), T0):
        run = {"run_id": "r1", "started_at": T0, "finished_at": finished, "pages": 3}
        write_part(runs, [run], RUNS_SCHEMA, "r1")
    [row] = read_table(tmp_path, "crawl_runs").to_pylist()
    assert row["finished_at"] == T0


def test_a_torn_part_is_put_aside_and_the_rest_is_read(tmp_path: Path, caplog) -> None:
    docs = manifest_dir(tmp_path, "documents")
    good = write_part(docs, [_row(PAGE, "aa" * 32)], DOCUMENTS_SCHEMA, "r1")
    torn = docs / "part-r2-0.parquet"
    torn.write_bytes(good.read_bytes()[:-9])  # its footer cut off
    foreign = docs / "part-r3-0.parquet"
    foreign.write_bytes(b"<html>not a parquet file</html>")
    with caplog.at_level(logging.WARNING, logger="crawler.manifest"):
        assert read_documents(tmp_path).column("sha256").to_pylist() == ["aa" * 32]
    assert sorted(p.name for p in (docs / "damaged").iterdir()) == [torn.name, foreign.name]
    assert (docs / "damaged" / foreign.name).read_bytes() == b"<html>not a parquet file</html>"
    assert not torn.exists() and not foreign.exists()
    assert f"manifest part {torn} cannot be read" in caplog.text
    assert read_documents(tmp_path).num_rows == 1  # and the next read is quiet


def test_a_part_from_an_older_crawler_reads_its_missing_columns_as_nulls(tmp_path: Path) -> None:
    docs = manifest_dir(tmp_path, "documents")
    docs.mkdir(parents=True)
    old = {"source_id": "pt", "url": PAGE, "sha256": "aa" * 32, "fetched_at": T0, "extra": 1}
    pq.write_table(pa.Table.from_pylist([old]), docs / "part-old.parquet")
    [row] = read_documents(tmp_path).to_pylist()
    assert row["url"] == PAGE and row["fetched_at"] == T0
    assert row["listed_url"] is None and row["attachment_urls"] is None
    assert "extra" not in row


# A document version is (sha256, url); crawls write some of them, some twice, in parts.
versions = st.tuples(st.sampled_from(["aa", "bb", "cc"]), st.sampled_from(["/a", "/b"]))
writes = st.lists(st.tuples(versions, st.integers(0, 1000)), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(writes=writes, cuts=st.lists(st.integers(1, 29), max_size=4))
def test_every_document_version_is_read_exactly_once_at_its_first_fetch(
    writes: list[tuple[tuple[str, str], int]], cuts: list[int]
) -> None:
    rows = [
        _row(url, sha * 32, fetched_at=T0 + timedelta(seconds=s), run_id=f"r{i}")
        for i, ((sha, url), s) in enumerate(writes)
    ]
    bounds = sorted({0, len(rows), *(c for c in cuts if c < len(rows))})
    with tempfile.TemporaryDirectory() as tmp:
        for n, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
            write_part(
                manifest_dir(Path(tmp), "documents"), rows[start:end], DOCUMENTS_SCHEMA, str(n)
            )
        table = read_documents(Path(tmp)).to_pylist()
    keys = [(r["sha256"], r["url"]) for r in table]
    assert sorted(keys) == sorted({(r["sha256"], r["url"]) for r in rows})
    for got in table:
        same = [r for r in rows if (r["sha256"], r["url"]) == (got["sha256"], got["url"])]
        first = min(same, key=lambda r: r["fetched_at"])
        assert got["fetched_at"] == first["fetched_at"]
    assert [r["fetched_at"] for r in table] == sorted(r["fetched_at"] for r in table)


def test_doctor_writes_the_repair_down_and_says_what_it_did(tmp_path: Path) -> None:
    docs = manifest_dir(tmp_path, "documents")
    rows = [_row(PAGE, "aa" * 32, fetched_at=T0), _row(PAGE, "bb" * 32, fetched_at=T0)]
    good = write_part(docs, rows, DOCUMENTS_SCHEMA, "r1")
    write_part(docs, rows, DOCUMENTS_SCHEMA, "r2")  # a crawl beside it wrote them again
    (docs / "part-r3-0.parquet").write_bytes(good.read_bytes()[:50])
    run = {"run_id": "r1", "started_at": T0, "finished_at": T0}
    write_part(manifest_dir(tmp_path, "crawl_runs"), [run], RUNS_SCHEMA, "r1")

    doctor = ["doctor", "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, doctor)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "documents: 2 rows; rows written more than once, left out: 2;"
        " part files merged into one: 2;"
        " unreadable part files put aside: manifests/documents/damaged/part-r3-0.parquet",
        "crawl_runs: 1 rows; nothing to repair",
        "crawl_sources: 0 rows; nothing to repair",
        "listings: 0 rows; nothing to repair",
    ]
    assert read_parts(tmp_path, "documents").num_rows == 2
    assert len(list(docs.glob("part-*.parquet"))) == 1
    again = CliRunner().invoke(cli, doctor)
    assert again.output.splitlines()[0] == "documents: 2 rows; nothing to repair"

    missing = CliRunner().invoke(cli, ["doctor", "--data-dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no data directory at" in missing.output
