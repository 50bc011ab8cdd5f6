"""Scale benchmark: 100,000 reports → every dataset, then five journalist queries.

    python -m benchmarks.dataset [--reports 100000] [--data-dir /tmp/nianbao-bench]

(run as a module from the repository root: benchmarks/extract.py would shadow the
`extract` package if this file were run as a script).

The reports are varied from the hand-checked corpus answers: each synthetic report copies
one real report's cells (and the checks the extractor's own check code computes on them),
scaled by a whole factor so that every sum still adds up, under a synthetic agency, division
and year. Generating them is vectorised (numpy/pyarrow, not 100,000 records through the
per-report path); the timed build is the real one: cross-year checks and failed-check
counts (`build.with_cross_year_checks`), then `publish` — registry validation, sorting,
year partitions, zstd Parquet, datapackage.json and the atomic switch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from extract.checks import report_checks
from extract.record import CellValue, ProactiveCell
from nianbao.datasets import records as rec
from nianbao.datasets.build import assemble, with_cross_year_checks
from nianbao.datasets.publish import publish
from nianbao.datasets.query import connect
from nianbao.datasets.registry import (
    APPLICATIONS,
    CHECKS,
    DOCUMENTS,
    PROACTIVE,
    REPORTS,
    REVIEW_LITIGATION,
)

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
        SELECT agency, year, failed_checks, url FROM reports
        WHERE division_code LIKE '32%' AND failed_checks > 0
        ORDER BY failed_checks DESC, agency LIMIT 100""",
    "one agency year by year (nianbao show)": """
        SELECT r.year, r.version, r.status, r.page_url, a.value AS new_received
        FROM reports r JOIN applications a USING (report_id)
        WHERE r.agency_id = (SELECT min(agency_id) FROM reports)
          AND a.row_key = 'new_received' AND a.column_key = 'total'
        ORDER BY r.year""",
    "top 20 agencies by administrative reviews corrected, 2023": """
        SELECT r.agency, r.division_code, v.value AS corrected
        FROM review_litigation v JOIN reports r USING (report_id)
        WHERE v.year = 2023 AND v.row_key = 'review' AND v.column_key = 'corrected'
        ORDER BY corrected DESC, r.agency LIMIT 20""",
}


def _gold_record(gold: dict) -> dict:
    """A gold answer as a record dict, with the checks the extractor's code computes."""
    record = rec.record_from_gold(gold, source=gold["id"], sha256="0" * 64, version="bench")
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


def _template_table(rows_of, spec, records: list[dict]) -> tuple[pa.Table, np.ndarray]:
    """Rows of every template (report_id = template index) and each template's row count."""
    tables, counts = [], []
    for i, record in enumerate(records):
        rows = rows_of(str(i), record)
        counts.append(len(rows))
        tables.append(pa.Table.from_pylist(rows, schema=spec.schema))
    return pa.concat_tables(tables).combine_chunks(), np.array(counts)


def _replicate(
    template: pa.Table, counts: np.ndarray, choice: np.ndarray, columns: dict[str, np.ndarray]
) -> tuple[pa.Table, np.ndarray]:
    """Each report's template rows, with the report's own id, agency and year."""
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n_rows = counts[choice]
    owner = np.repeat(np.arange(len(choice)), n_rows)
    offset = np.arange(n_rows.sum()) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    take = starts[choice][owner] + offset
    table = template.take(pa.array(take))
    for name, values in columns.items():
        table = table.set_column(
            table.schema.get_field_index(name),
            name,
            pa.array(values[owner], table.schema.field(name).type),
        )
    return table, owner


def generate(n: int, seed: int = 2026) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    tabled, pre2019 = templates()
    agencies = -(-n // len(YEARS))
    agency_ix = np.repeat(np.arange(agencies), len(YEARS))[:n]
    year = np.tile(YEARS, agencies)[:n]
    shas = [hashlib.sha256(f"bench-{i}".encode()).hexdigest() for i in range(n)]
    report_id = np.array([rec.report_id(s) for s in shas])
    agency_names = np.array([f"第{i}号县人民政府" for i in range(agencies)])
    division = np.array(
        [
            f"{p:02d}{c:02d}{k:02d}"
            for p, c, k in zip(
                rng.integers(11, 66, agencies),
                rng.integers(1, 20, agencies),
                rng.integers(1, 30, agencies),
                strict=True,
            )
        ]
    )
    agency_id = np.array([rec.agency_id(d, a) for d, a in zip(division, agency_names, strict=True)])
    level = LEVELS[rng.integers(0, len(LEVELS), agencies)]
    # Reports in the order the builder emits them: by year, then report id.
    order = np.lexsort((report_id, year))
    agency_ix, year, report_id = agency_ix[order], year[order], report_id[order]
    shas = [shas[i] for i in order]
    scale = rng.integers(1, 6, n)
    is_pre = year < 2019
    choice = np.where(is_pre, 0, rng.integers(0, len(tabled), n))

    per_report = {
        "report_id": report_id,
        "agency_id": agency_id[agency_ix],
        "year": year,
    }
    tables: dict[str, pa.Table] = {}
    makers = {
        "proactive": (lambda rid, r: rec.proactive_rows(rid, "a", 2020, r), PROACTIVE),
        "applications": (
            lambda rid, r: rec.matrix_rows("applications", rid, "a", 2020, r),
            APPLICATIONS,
        ),
        "review_litigation": (
            lambda rid, r: rec.matrix_rows("review_litigation", rid, "a", 2020, r),
            REVIEW_LITIGATION,
        ),
        "checks": (lambda rid, r: rec.check_rows(rid, "a", 2020, r), CHECKS),
    }
    tabled_ix = np.flatnonzero(~is_pre)
    for name, (rows_of, spec) in makers.items():
        template, counts = _template_table(rows_of, spec, tabled)
        cols = {k: v[tabled_ix] for k, v in per_report.items()}
        table, owner = _replicate(template, counts, choice[tabled_ix], cols)
        factor = pa.array(scale[tabled_ix][owner])
        if name == "checks":
            scaled = pc.invert(pc.is_in(table["name"], UNSCALED))
            for side in ("left", "right", "difference"):
                values = pc.if_else(
                    scaled, pc.multiply(table[side], pc.cast(factor, pa.float64())), table[side]
                )
                table = table.set_column(table.schema.get_field_index(side), side, values)
        else:
            value = pc.multiply(table["value"], pc.cast(factor, table.schema.field("value").type))
            table = table.set_column(table.schema.get_field_index("value"), "value", value)
            table = table.set_column(
                table.schema.get_field_index("raw"), "raw", pc.cast(value, pa.string())
            )
        tables[name] = table

    template_of = np.array(
        [(pre2019[0] if p else tabled[c]) for p, c in zip(is_pre, choice, strict=True)]
    )
    formats = [r["formats"] for r in template_of]
    urls = np.array(
        [
            f"http://site{a % 997}.example/zfxxgknb/{rid}.html"
            for a, rid in zip(agency_ix, report_id, strict=True)
        ]
    )
    n_cells = np.array([rec.cell_count(r) for r in template_of], dtype=np.int32)
    tables["reports"] = pa.table(
        {
            "report_id": report_id,
            "agency_id": agency_id[agency_ix],
            "agency": agency_names[agency_ix],
            "source_id": np.array([f"site{a % 997}" for a in agency_ix]),
            "source_name": np.array([f"站点{a % 997}" for a in agency_ix]),
            "division_code": division[agency_ix],
            "level": level[agency_ix],
            "year": pa.array(year, pa.int32()),
            "title": np.array(
                [
                    f"{agency_names[a]}{y}年政府信息公开工作年度报告"
                    for a, y in zip(agency_ix, year, strict=True)
                ]
            ),
            "status": np.where(is_pre, "ok", "ok"),
            "error": pa.nulls(n, pa.string()),
            "proactive_format": [f.get("proactive", "pre2019") for f in formats],
            "applications_format": [f.get("applications", "pre2019") for f in formats],
            "review_litigation_format": [f.get("review_litigation") for f in formats],
            "page_url": urls,
            "url": urls,
            "document_kind": np.full(n, "page"),
            "reader": np.full(n, "html"),
            "sha256": np.array(shas),
            "bytes": rng.integers(20_000, 900_000, n),
            "published_date": pa.array(
                [datetime(int(y) + 1, 1, 20).date() for y in year], pa.date32()
            ),
            "fetched_at": pa.array([FETCHED] * n, pa.timestamp("us", tz="UTC")),
            "index_no": pa.nulls(n, pa.string()),
            "doc_no": pa.nulls(n, pa.string()),
            "extractor_version": np.full(n, "bench"),
            "cells": n_cells,
            "checks": pa.array(np.zeros(n, dtype=np.int32)),
            "failed_checks": pa.array(np.zeros(n, dtype=np.int32)),
            "version": pa.array(np.ones(n, dtype=np.int32)),
            "is_latest": np.ones(n, dtype=bool),
            "warnings": pa.nulls(n, pa.string()),
        },
        schema=REPORTS.schema,
    )
    tables["documents"] = pa.table(
        {
            "source_id": tables["reports"]["source_id"],
            "url": urls,
            "page_url": urls,
            "title": tables["reports"]["title"],
            "year": tables["reports"]["year"],
            "published_date": tables["reports"]["published_date"],
            "sha256": tables["reports"]["sha256"],
            "path": np.array([f"raw/{s[:2]}/{s}.html" for s in shas]),
            "content_type": np.full(n, "text/html"),
            "bytes": tables["reports"]["bytes"],
            "http_status": pa.array(np.full(n, 200, dtype=np.int32)),
            "fetched_at": tables["reports"]["fetched_at"],
            "run_id": np.full(n, "bench"),
            "kind": np.full(n, "page"),
            "agency": tables["reports"]["agency"],
            "index_no": pa.nulls(n, pa.string()),
            "doc_no": pa.nulls(n, pa.string()),
        },
        schema=DOCUMENTS.schema,
    )
    return tables


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


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/nianbao-bench"))
    args = parser.parse_args()
    shutil.rmtree(args.data_dir, ignore_errors=True)

    t0 = time.perf_counter()
    tables = generate(args.reports)
    t1 = time.perf_counter()
    rows = {k: t.num_rows for k, t in tables.items()}
    print(
        f"generated {args.reports:,} reports in {t1 - t0:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )

    t2 = time.perf_counter()
    tables = with_cross_year_checks(tables)
    t3 = time.perf_counter()
    release = publish(tables, args.data_dir, {"benchmark": args.reports})
    t4 = time.perf_counter()
    checks = tables["checks"]
    cross = pc.sum(pc.equal(checks["kind"], "cross_year")).as_py()
    print(
        f"build: cross-year checks {t3 - t2:.1f} s ({cross:,} of {checks.num_rows:,} checks), "
        f"validate + write + publish {t4 - t3:.1f} s, total {t4 - t2:.1f} s"
    )
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
            result = con.sql(sql).fetchall()
            times.append(time.perf_counter() - start)
        print(
            f"query {name!r}: {len(result)} rows, first {times[0] * 1000:.0f} ms, "
            f"median {statistics.median(times) * 1000:.0f} ms"
        )
    con.close()


if __name__ == "__main__":
    main()
