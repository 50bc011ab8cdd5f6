"""A raw store and documents manifest written the way the crawler writes them (see the
crawl contract), from the real corpus documents, for the dataset tests."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.manifest import DOCUMENTS_SCHEMA, manifest_dir, write_part
from nianbao.datasets.build import save_sources
from tests.conftest import load_gold
from tests.gold_records import assemble, record_from_gold

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
FETCHED_AT = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)

# Where each site sits: division code and level, as a sources registry would say.
SITES = {
    "bj-chaoyang-kxj": ("110105", "department", "北京市朝阳区科学技术和信息化局"),
    "fj-putian-cgj": ("350300", "department", "莆田市城市管理局"),
    "fj-putian-kjj": ("350300", "department", "莆田市科学技术局"),
    "fj-putian-lvyou": ("350300", "department", "莆田市旅游局"),
    "fj-putian-sjj": ("350300", "department", "莆田市审计局"),
    "fj-putian-slj": ("350300", "department", "莆田市水利局"),
    "js-hongze": ("320813", "county", "淮安市洪泽区人民政府"),
    "js-huaian": ("320800", "city", "淮安市人民政府"),
    "js-shuyang-fgj": ("321322", "department", "沭阳县发展和改革局"),
    "sh-szfbgt": ("310000", "province", "上海市人民政府办公厅"),
}

CONTENT_TYPES = {".html": "text/html", ".txt": "text/plain", ".pdf": "application/pdf"}


def corpus_ids() -> list[str]:
    with (CORPUS / "MANIFEST.csv").open(encoding="utf-8") as fh:
        return [row["id"] for row in csv.DictReader(fh)]


def site_of(doc_id: str) -> str:
    return doc_id.rsplit("-", 1)[0]


def sources() -> list[dict[str, Any]]:
    return [
        {"id": sid, "name": name, "division_code": code, "level": level, "url": f"http://{sid}/"}
        for sid, (code, level, name) in SITES.items()
    ]


def store_bytes(data_dir: Path, data: bytes, ext: str) -> tuple[str, str]:
    """Content-addressed like the crawler: raw/<sha[:2]>/<sha><ext>; returns (sha, path)."""
    sha = hashlib.sha256(data).hexdigest()
    rel = f"raw/{sha[:2]}/{sha}{ext}"
    path = data_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return sha, rel


def document_row(
    data_dir: Path, doc_id: str, data: bytes | None = None, fetched_at: datetime = FETCHED_AT
) -> dict[str, Any]:
    """One manifest row for a corpus document (or other bytes at its URL)."""
    file = next((CORPUS / "docs").glob(f"{doc_id}.*"))
    data = file.read_bytes() if data is None else data
    sha, rel = store_bytes(data_dir, data, file.suffix)
    site = site_of(doc_id)
    page = f"http://{site}.example/zfxxgknb/{doc_id}/index.html"
    attachment = file.suffix == ".pdf"
    return {
        "source_id": site,
        "url": f"http://{site}.example/zfxxgknb/{doc_id}/report.pdf" if attachment else page,
        "page_url": page,
        "title": f"{doc_id} 政府信息公开工作年度报告",
        "year": int(doc_id.rsplit("-", 1)[1]),
        "published_date": None,
        "sha256": sha,
        "path": rel,
        "content_type": CONTENT_TYPES[file.suffix],
        "bytes": len(data),
        "http_status": 200,
        "fetched_at": fetched_at,
        "run_id": f"run-{fetched_at:%Y%m%d}",
        "kind": "attachment" if attachment else "page",
        "agency": None,
        "index_no": None,
        "doc_no": None,
        "attachment_urls": [],
    }


def write_manifest(data_dir: Path, rows: list[dict[str, Any]], name: str = "part-0") -> None:
    """Rows appended as one more part file, with the crawler's own writer and schema."""
    write_part(manifest_dir(data_dir, "documents"), rows, DOCUMENTS_SCHEMA, name)


def write_crawl_run(data_dir: Path, run_id: str, blocked: list[str]) -> None:
    directory = data_dir / "manifests" / "crawl_runs"
    directory.mkdir(parents=True, exist_ok=True)
    row = {
        "run_id": run_id,
        "started_at": FETCHED_AT,
        "finished_at": FETCHED_AT,
        "finish_reason": "finished",
        "pages": 22,
        "reports": 22,
        "attachments": 3,
        "errors_by_kind": json.dumps({"http_404": 1}),
        "blocked_sources": blocked,
        "duration_s": 12.5,
    }
    pq.write_table(pa.Table.from_pylist([row]), directory / f"part-{run_id}.parquet")


def corpus_store(data_dir: Path, ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The real corpus as a crawled data directory: raw store, manifest, sources, one run."""
    rows = [document_row(data_dir, doc_id) for doc_id in ids or corpus_ids()]
    write_manifest(data_dir, rows)
    write_crawl_run(data_dir, "run-20261101", ["gd-waf"])
    save_sources(data_dir, sources())
    return rows


def gold_tables() -> dict[str, pa.Table]:
    """Datasets built from the hand-checked answers (real numbers), without the extractor."""
    return tables_from_golds({doc_id: load_gold(doc_id) for doc_id in corpus_ids()})


def tables_from_golds(golds: dict[str, dict[str, Any]]) -> dict[str, pa.Table]:
    """Datasets built from answer files (by corpus id, or any id `<site>-<year>`)."""
    docs, records = [], {}
    for doc_id, gold in golds.items():
        sha = hashlib.sha256(doc_id.encode()).hexdigest()
        records[sha] = record_from_gold(gold, source=doc_id, sha256=sha, version="gold")
        site = site_of(doc_id)
        docs.append(
            {
                "source_id": site,
                "url": f"http://{site}.example/zfxxgknb/{doc_id}/index.html",
                "page_url": None,
                "kind": "page",
                "sha256": sha,
                "fetched_at": FETCHED_AT,
                "year": gold["year"],
                "published_date": None,
                "bytes": 1000,
            }
        )
    by_id = {s["id"]: s for s in sources()}
    tables, _ = assemble(docs, records, by_id)
    return tables
