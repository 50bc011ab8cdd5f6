"""What changed after publication: reports withdrawn, and the cells a new version changes.

Withdrawn: every crawl keeps what each source's lists showed (manifests/listings: `listed`,
and `gone` for a linked report page answering 404/410). A report page of a source whose last
crawl went through (status ok) is withdrawn when that crawl saw it gone, or no longer listed
it although an earlier one did; its last-seen time is the end of the last crawl that listed
it. Nothing is removed: its bytes, its reports row and its cells stay.

New versions (new bytes for an agency's report on a year) are compared cell by cell with
the version before: `cell_changed` (old and new value and text), `cell_added`,
`cell_removed`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nianbao.datasets.cache import RowCache
from nianbao.datasets.tables.publishing import CHANGES

log = logging.getLogger(__name__)

COMPARED = ("proactive", "applications", "review_litigation")
_KEY = ("row_key", "row_label", "column_key")


def _runs(crawl_runs: pa.Table) -> dict[str, datetime]:
    """End time of each crawl run, by run id."""
    return {
        r["run_id"]: r["finished_at"] or r["started_at"]
        for r in crawl_runs.select(["run_id", "started_at", "finished_at"]).to_pylist()
        if r["finished_at"] or r["started_at"]
    }


def sightings(
    listings: pa.Table | None, crawl_sources: pa.Table, crawl_runs: pa.Table
) -> dict[str, list[tuple[datetime, set[str], set[str]]]]:
    """Per source, its crawls that went through, oldest first: (end, listed URLs, gone URLs)."""
    if listings is None or listings.num_rows == 0:
        return {}
    ends = _runs(crawl_runs)
    ok = {
        (r["run_id"], r["source_id"])
        for r in crawl_sources.select(["run_id", "source_id", "status"]).to_pylist()
        if r["status"] == "ok" and r["run_id"] in ends
    }
    seen: dict[tuple[str, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for row in listings.to_pylist():
        key = (row["run_id"], row["source_id"])
        if key in ok:
            seen[key][0 if row["state"] == "listed" else 1].add(row["url"])
    out: dict[str, list[tuple[datetime, set[str], set[str]]]] = defaultdict(list)
    for (run_id, source_id), (listed, gone) in seen.items():
        out[source_id].append((ends[run_id], listed, gone))
    for runs in out.values():
        runs.sort(key=lambda r: r[0])
    return dict(out)


def withdrawn_rows(
    reports: pa.Table,
    docs: list[dict[str, Any]],
    seen: dict[str, list[tuple[datetime, set[str], set[str]]]],
) -> list[dict[str, Any]]:
    """One `withdrawn` row per report page the last crawl of its source no longer showed."""
    if not seen:
        return []
    listed_as: dict[str, set[str]] = defaultdict(set)  # page URL -> URLs a list linked it by
    for doc in docs:
        page = doc.get("page_url") or doc["url"]
        listed_as[page] |= {page, doc["url"], doc.get("listed_url") or page}
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    columns = ["report_id", "agency_id", "year", "source_id", "page_url", "version", "fetched_at"]
    for row in reports.select(columns).to_pylist():
        key = (row["source_id"] or "", row["page_url"])
        if key not in latest or row["version"] > latest[key]["version"]:
            latest[key] = row
    out = []
    for (source_id, page), row in sorted(latest.items()):
        runs = seen.get(source_id)
        if not runs:
            continue
        urls = listed_as.get(page, {page})
        end, listed, gone = runs[-1]
        listed_before = [t for t, lst, _ in runs if urls & lst]
        if urls & gone:
            evidence = "its list still links it, but the page answers 404"
        elif not urls & listed and listed_before:
            evidence = "no longer on its source's list"
        else:
            continue
        out.append(
            {
                "change_key": f"withdrawn:{row['report_id']}",
                "agency_id": row["agency_id"],
                "year": row["year"],
                "source_id": row["source_id"],
                "kind": "withdrawn",
                "report_id": row["report_id"],
                "url": page,
                "last_seen_at": max(listed_before) if listed_before else row["fetched_at"],
                "detected_at": end,
                "evidence": evidence,
            }
        )
    return out


def _cells(cache: RowCache, name: str, sha: str) -> dict[tuple, dict[str, Any]]:
    rows = cache.read(name, pa.array([sha], pa.string())).to_pylist()
    return {tuple(r[k] for k in _KEY): r for r in rows}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["value"] == b["value"] and (a["raw"] or "") == (b["raw"] or "")


def version_rows(reports: pa.Table, cache: RowCache) -> list[dict[str, Any]]:
    """For each report version after the first: a `new_version` row and one row per cell
    it changes, adds or removes against the version before."""
    newer = reports.filter(pc.greater(reports["version"], 1))
    if newer.num_rows == 0:
        return []
    wanted = set(zip(newer["agency_id"].to_pylist(), newer["year"].to_pylist(), strict=True))
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    columns = ["report_id", "agency_id", "year", "source_id", "url", "sha256", "version"]
    for row in reports.select([*columns, "fetched_at"]).to_pylist():
        if (row["agency_id"], row["year"]) in wanted:
            groups[(row["agency_id"], row["year"])].append(row)
    out = []
    for key in sorted(groups, key=lambda k: (k[0], k[1] or 0)):
        versions = sorted(groups[key], key=lambda r: r["version"])
        for old, new in zip(versions, versions[1:], strict=False):
            out.append(_row(new, old, "new_version", evidence=f"sha256 {new['sha256'][:16]}"))
            for name in COMPARED:
                before, after = (
                    _cells(cache, name, old["sha256"]),
                    _cells(cache, name, new["sha256"]),
                )
                for cell in sorted(set(before) | set(after)):
                    a, b = before.get(cell), after.get(cell)
                    if a is not None and b is not None and _same(a, b):
                        continue
                    kind = "cell_changed" if a and b else ("cell_added" if b else "cell_removed")
                    out.append(_row(new, old, kind, name, cell, a, b))
    log.info("%d change rows from new report versions", len(out))
    return out


def _row(
    new: dict[str, Any],
    old: dict[str, Any],
    kind: str,
    table: str | None = None,
    cell: tuple | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    evidence: str | None = None,
) -> dict[str, Any]:
    where = ":".join(str(p) for p in (table, *cell)) if table and cell else ""
    row_key, row_label, column_key = cell or (None, None, None)
    return {
        "change_key": f"{kind}:{new['report_id']}" + (f":{where}" if where else ""),
        "agency_id": new["agency_id"],
        "year": new["year"],
        "source_id": new["source_id"],
        "kind": kind,
        "report_id": new["report_id"],
        "previous_report_id": old["report_id"],
        "url": new["url"],
        "table_name": table,
        "row_key": row_key,
        "row_label": row_label,
        "column_key": column_key,
        "old_value": None if before is None else before["value"],
        "new_value": None if after is None else after["value"],
        "old_raw": None if before is None else before["raw"],
        "new_raw": None if after is None else after["raw"],
        "detected_at": new["fetched_at"],
        "evidence": evidence,
    }


def changes_table(
    reports: pa.Table,
    docs: list[dict[str, Any]],
    cache: RowCache,
    listings: pa.Table | None,
    crawled: dict[str, pa.Table],
) -> pa.Table:
    """The `changes` dataset (see the module doc)."""
    seen = sightings(listings, crawled["crawl_sources"], crawled["crawl_runs"])
    rows = withdrawn_rows(reports, docs, seen) + version_rows(reports, cache)
    return pa.Table.from_pylist(
        [{n: r.get(n) for n in CHANGES.column_names} for r in rows], schema=CHANGES.schema
    )
