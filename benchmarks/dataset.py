"""Scale benchmark: 100,000 reports → every dataset, then five journalist queries.

    python -m benchmarks.dataset [--reports 100000] [--data-dir /tmp/nianbao-bench]

(run as a module from the repository root: benchmarks/extract.py would shadow the
`extract` package if this file were run as a script).

The reports are varied from the hand-checked corpus answers: each synthetic report copies
one real report's cells (and the checks the extractor's own check code computes on them),
scaled by a whole factor so that every sum still adds up, under a synthetic agency, source,
division and year. Generating is vectorised (numpy/pyarrow): it writes the data directory
a nightly run finds after earlier runs — the documents manifest, the sources registry and
the row cache of the reports already read (not 100,000 records through the per-report
path; its rate is measured on a sample and printed too). The timed build is the real one,
`build.build` then `publish.publish`, as `nianbao run` calls them: row cache, report rows,
versions, then one year at a time the vectorised cell tables, cross-year checks, registry
validation, sorting and zstd Parquet, then datapackage.json and the atomic switch. The
peak RSS printed is the build's alone (the generator holds every row at once).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

import extract
from extract.checks import report_checks
from extract.record import CellValue, ProactiveCell
from nianbao.datasets.build import build, save_sources
from nianbao.datasets.cache import CELL_TABLES, RowCache
from nianbao.datasets.query import connect
from nianbao.datasets.registry import TABLES
from nianbao.datasets.release import publish
from nianbao.datasets.tables.crawl import DOCUMENTS
from tests.gold_records import assemble, record_from_gold

GOLD = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus" / "gold"
YEARS = np.arange(2018, 2026, dtype=np.int32)  # 2018: a pre-2019 report without tables
LEVELS = np.array(["province", "city", "county", "department", "township"])
FETCHED = datetime(2026, 11, 1, tzinfo=UTC)
# Checks whose sides are counts of rows or cells, not sums of values: not scaled.
UNSCALED = pa.array(["applications.rows_present", "proactive.cells_present"])

QUERIES = {
    "applications per year by level": """
        SELECT r.year, r.level, sum(a.value) AS applications
        FROM applications a JOIN reports r USING (report_id)
        WHERE a.row_key = 'new_received' AND a.column_key = 'total' AND r.is_latest
        GROUP BY ALL ORDER BY ALL""",
    "share of 不予公开 by reason, 2024": """
        SELECT row_label, sum(value) AS n, round(100 * n / sum(n) OVER (), 1) AS pct
        FROM applications
        WHERE year = 2024 AND column_key = 'total' AND row_key LIKE 'denied_%'
        GROUP BY ALL ORDER BY n DESC""",
    "reports in Jiangsu whose checks fail": """
        SELECT agency_name, year, failed_checks, url FROM reports
        WHERE division_code LIKE '32%' AND failed_checks > 0
        ORDER BY failed_checks DESC, agency_name LIMIT 100""",
    "one agency year by year (nianbao show)": """
        SELECT r.year, r.version, r.status, r.page_url, a.value AS new_received
        FROM reports r JOIN applications a USING (report_id)
        WHERE r.agency_id = (SELECT min(agency_id) FROM reports)
          AND a.row_key = 'new_received' AND a.column_key = 'total'
        ORDER BY r.year""",
    "top 20 agencies by administrative reviews corrected, 2023": """
        SELECT r.agency_name, r.division_code, v.value AS corrected
        FROM review_litigation v JOIN reports r USING (report_id)
        WHERE v.year = 2023 AND v.row_key = 'review' AND v.column_key = 'corrected'
        ORDER BY corrected DESC, r.agency_name LIMIT 20""",
}


def _gold_record(gold: dict) -> dict:
    """A gold answer as a record dict, with the checks the extractor's code computes."""
    record = record_from_gold(gold, source=gold["id"], sha256="0" * 64, version="bench")
    proactive = [
        ProactiveCell(p["item"], p["metric"], CellValue(p["value"], str(p["value"])))
        for p in gold.get("proactive") or []
    ]

    def matrix(m: dict) -> dict:
        return {r: {c: CellValue(v, str(v)) for c, v in cols.items()} for r, cols in m.items()}

    checks = report_checks(
        proactive,
        matrix(gold.get("applications") or {}),
        matrix(gold.get("review_litigation") or {}),
        gold.get("formats") or {},
    )
    record["checks"] = [c.to_dict() for c in checks]
    return record


def templates() -> tuple[list[dict], list[dict]]:
    """(reports with national tables, pre-2019 reports) from the corpus answers."""
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))]
    records = [_gold_record(g) for g in golds]
    with_tables = [r for r in records if r["applications"]]
    return with_tables, [r for r in records if not r["applications"]]


def _runs(counts: np.ndarray, choice: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices that copy template `choice[i]`'s rows for each report i, and the owner
    (report index) of each row."""
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n_rows = counts[choice]
    owner = np.repeat(np.arange(len(choice)), n_rows)
    offset = np.arange(n_rows.sum()) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    return starts[choice][owner] + offset, owner


def generate(n: int, data_dir: Path, seed: int = 2026) -> None:
    """A data directory as after many nightly runs: a documents manifest, the sources
    registry and the row cache of `n` reports already read (extractor version current)."""
    rng = np.random.default_rng(seed)
    tabled, pre2019 = templates()
    ids = [f"t{i:02d}" for i in range(len(tabled) + 1)]  # sorted: the pre-2019 one is last
    template = RowCache.from_records(
        {**{i: r for i, r in zip(ids, tabled, strict=False)}, ids[-1]: pre2019[0]}
    )

    agencies = -(-n // len(YEARS))
    agency_ix = np.repeat(np.arange(agencies), len(YEARS))[:n]
    year = np.tile(YEARS, agencies)[:n]
    shas = np.array([hashlib.sha256(f"bench-{i}".encode()).hexdigest() for i in range(n)])
    # the cache keeps each document's rows together, ordered by sha256
    order = np.argsort(shas)
    shas, agency_ix, year = shas[order], agency_ix[order], year[order]
    choice = np.where(year < 2019, len(ids) - 1, rng.integers(0, len(tabled), n))
    scale = rng.integers(1, 6, n)

    tables = {}
    for name in CELL_TABLES:
        base = template.tables[name].combine_chunks()
        counts = np.array([c for c in _counts(base, ids)])
        take, owner = _runs(counts, choice)
        table = base.take(pa.array(take))
        table = table.set_column(0, "sha256", pa.array(shas[owner]))
        factor = pa.array(scale[owner])
        if name == "checks":
            scaled = pc.invert(pc.is_in(table["name"], UNSCALED))
            for side in ("left", "right", "difference"):
                values = pc.multiply(table[side], pc.cast(factor, pa.float64()))
                values = pc.if_else(scaled, values, table[side])
                table = table.set_column(table.schema.get_field_index(side), side, values)
        else:
            value = pc.multiply(table["value"], pc.cast(factor, table.schema.field("value").type))
            table = table.set_column(table.schema.get_field_index("value"), "value", value)
            if "raw" in table.column_names:  # the prose figures keep a quote instead
                raw = pc.cast(value, pa.string())
                table = table.set_column(table.schema.get_field_index("raw"), "raw", raw)
        tables[name] = table

    names = np.array([f"第{i}号县人民政府" for i in range(agencies)])
    summaries = template.tables["records"].take(pa.array(choice))
    summaries = summaries.set_column(0, "sha256", pa.array(shas))
    for column, values in {
        "agency_name": pa.array(names[agency_ix]),
        "year": pa.array(year, pa.int32()),
        "title": pa.array(
            [
                f"{names[a]}{y}年政府信息公开工作年度报告"
                for a, y in zip(agency_ix, year, strict=True)
            ]
        ),
        "published_date": pa.array([date(int(y) + 1, 1, 20) for y in year], pa.date32()),
        "extractor_version": pa.array(np.full(n, extract.__version__)),
    }.items():
        summaries = summaries.set_column(summaries.schema.get_field_index(column), column, values)
    tables["records"] = summaries
    RowCache(tables).save(data_dir)

    urls = np.array(
        [
            f"http://site{a}.example/zfxxgknb/{s[:12]}.html"
            for a, s in zip(agency_ix, shas, strict=True)
        ]
    )
    documents = pa.table(
        {
            "source_id": pa.array([f"site{a}" for a in agency_ix]),
            "url": pa.array(urls),
            "page_url": pa.array(urls),
            "title": summaries["title"],
            "year": pa.array(year, pa.int32()),
            "published_date": summaries["published_date"],
            "sha256": pa.array(shas),
            "path": pa.array([f"raw/{s[:2]}/{s}.html" for s in shas]),
            "content_type": pa.array(np.full(n, "text/html")),
            "bytes": pa.array(rng.integers(20_000, 900_000, n)),
            "http_status": pa.array(np.full(n, 200, dtype=np.int32)),
            "fetched_at": pa.array([FETCHED] * n, pa.timestamp("us", tz="UTC")),
            "run_id": pa.array(np.full(n, "bench")),
            "kind": pa.array(np.full(n, "page")),
            "agency": summaries["agency_name"],
            "index_no": pa.nulls(n, pa.string()),
            "doc_no": pa.nulls(n, pa.string()),
            "pictures": pa.nulls(n, pa.string()),
        },
        schema=DOCUMENTS.schema,
    )
    manifest = data_dir / "manifests" / "documents"
    manifest.mkdir(parents=True)
    pq.write_table(documents, manifest / "part-bench.parquet")
    codes = [
        f"{p:02d}{c:02d}{k:02d}"
        for p, c, k in zip(
            rng.integers(11, 66, agencies),
            rng.integers(1, 20, agencies),
            rng.integers(1, 30, agencies),
            strict=True,
        )
    ]
    levels = LEVELS[rng.integers(0, len(LEVELS), agencies)]
    save_sources(
        data_dir,
        [
            {
                "id": f"site{a}",
                "name": str(names[a]),
                "division_code": codes[a],
                "level": str(levels[a]),
                "url": f"http://site{a}.example/",
            }
            for a in range(agencies)
        ],
    )


def _counts(table: pa.Table, ids: list[str]) -> list[int]:
    """Rows per template id, in id order (0 for a template without rows in this table)."""
    counted = {r["values"]: r["counts"] for r in pc.value_counts(table["sha256"]).to_pylist()}
    return [counted.get(i, 0) for i in ids]


def assembly_rate(n: int = 5_000) -> float:
    """Reports per second through the per-report path (record dicts → rows → Arrow), which
    a real build runs on every cached record; measured on a sample, not timed above."""
    tabled, _ = templates()
    docs, records = [], {}
    for i in range(n):
        sha = hashlib.sha256(f"assembly-{i}".encode()).hexdigest()
        records[sha] = {
            **tabled[i % len(tabled)],
            "sha256": sha,
            "agency": f"第{i // 7}号县人民政府",
        }
        url = f"http://site.example/{i}.html"
        docs.append(
            {
                "source_id": "site",
                "url": url,
                "page_url": url,
                "kind": "page",
                "sha256": sha,
                "fetched_at": FETCHED,
                "year": 2019 + i % 7,
            }
        )
    start = time.perf_counter()
    assemble(docs, records, {})
    return n / (time.perf_counter() - start)


def reset_peak_rss() -> None:
    """Forget the generator's peak (Linux), so `peak_rss_mb` measures the build alone."""
    pa.default_memory_pool().release_unused()
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """Peak resident memory since `reset_peak_rss` (VmHWM), in MB."""
    status = Path("/proc/self/status").read_text()
    return int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM")).split()[1]) / 1e3


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/nianbao-bench"))
    args = parser.parse_args()
    shutil.rmtree(args.data_dir, ignore_errors=True)

    t0 = time.perf_counter()
    generate(args.reports, args.data_dir)
    t1 = time.perf_counter()
    print(f"generated {args.reports:,} reports (row cache, manifest, sources) in {t1 - t0:.1f} s")

    reset_peak_rss()
    result = build(args.data_dir)
    t2 = time.perf_counter()
    release = publish(
        result.whole, args.data_dir, {"benchmark": args.reports}, years=result.years()
    )
    t3 = time.perf_counter()
    rows = ", ".join(
        f"{name} {ds.dataset(release / name, format='parquet').count_rows():,}" for name in TABLES
    )
    print(
        f"build (reports, row cache) {t2 - t1:.1f} s (extracted {result.extracted}), "
        f"cell tables + checks by year, validate + write + publish {t3 - t2:.1f} s, "
        f"total {t3 - t1:.1f} s, peak RSS {peak_rss_mb():,.0f} MB: {rows}"
    )
    kinds = ds.dataset(release / "checks", format="parquet").to_table(columns=["kind"])["kind"]
    cross = pc.sum(pc.equal(kinds, "cross_year")).as_py()
    print(f"checks: {cross:,} across years of {len(kinds):,}")
    n_files = sum(1 for _ in release.rglob("*.parquet"))
    print(f"size on disk: {_size(release) / 1e6:.1f} MB in {n_files} Parquet files")
    print(
        f"per-report assembly (records → rows, sample of 5,000): {assembly_rate():,.0f} reports/s"
    )

    con = connect(args.data_dir)
    for name, sql in QUERIES.items():
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result_rows = con.sql(sql).fetchall()
            times.append(time.perf_counter() - start)
        print(
            f"query {name!r}: {len(result_rows)} rows, first {times[0] * 1000:.0f} ms, "
            f"median {statistics.median(times) * 1000:.0f} ms"
        )
    con.close()


if __name__ == "__main__":
    main()
