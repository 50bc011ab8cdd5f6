"""Who must publish (`publishers`), and who did, on time (`coverage`).

The deadline is the law's: 31 January of the next year (条例 art. 50, from the 2019
revision), 31 March before it (2008 条例 art. 31). Coverage is one row per source and
report year, from the first year the source has a report of to this year, and one for
the last year due and one for this year for every government nianbao has no source for:
  published / published_late  a readable report of that year; late when it is dated after
                       the deadline, or, undated, first fetched after a crawl that went
                       through after the deadline without it
  unreadable           reports found, none readable (failed, needs_ocr, unsupported …)
  not_yet_due          none yet, the deadline has not passed
  blocked              none, and the source's last crawl was blocked, failed, or kept out
                       by robots.txt
  missing              none, the deadline passed, and the source's last crawl went through
  no_source            a government without a source, or a source never crawled
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

from crawler.manifest import ROBOTS_FORBIDDEN
from nianbao.datasets import divisions as dv
from nianbao.datasets import records as rec
from nianbao.datasets.tables.fields import LEVELS
from nianbao.datasets.tables.publishing import COVERAGE, DIVISION_CODES, PUBLISHERS

log = logging.getLogger(__name__)

READABLE = ("ok", "partial")
GOVERNMENT_LEVELS = ("province", "city", "county")


def deadline(year: int) -> date:
    """The last day a report on `year` may be published."""
    return date(year + 1, 1, 31) if year >= 2019 else date(year + 1, 3, 31)


def government_name(division: dv.Division) -> str:
    """地区 and 盟 are run by a 行政公署; every other unit by a 人民政府."""
    return division.name + ("行政公署" if division.kind in ("地区", "盟") else "人民政府")


def _province(code: str | None) -> str | None:
    return code[:2] + "0000" if code else None


def _city(code: str | None) -> str | None:
    """The prefecture a code lies in (itself for a prefecture), if it has one."""
    current = dv.current_divisions()
    division = current.get(code or "")
    while division is not None and division.level == "county":
        division = current.get(division.parent_code or "")
    return division.code if division is not None and division.level == "city" else None


def source_agency(source: dict[str, Any]) -> tuple[str | None, str]:
    """(current division code, agency id) of a source: a government source shares the
    agency id of its publisher, so the id survives a change of code or of URL."""
    division = dv.current_code(source.get("division_code"))
    known = dv.current_divisions().get(division or "")
    if known is not None and source.get("level") == known.level:
        return division, rec.agency_id(division, government_name(known))
    return division, rec.agency_id(division or source["id"], source["name"])


def publishers_table(sources: dict[str, dict[str, Any]]) -> pa.Table:
    """Every current government, then the departments and townships sources name."""
    info = dv.sources_info()
    former: dict[str, list[str]] = defaultdict(list)
    for row in dv.code_history():
        if row["current_code"] and row["current_code"] != row["division_code"]:
            former[row["current_code"]].append(row["division_code"])
    by_agency: dict[str, list[str]] = defaultdict(list)
    for source in sources.values():
        by_agency[source_agency(source)[1]].append(source["id"])
    rows: dict[str, dict[str, Any]] = {}
    for division in dv.current_divisions().values():
        aid = rec.agency_id(division.code, government_name(division))
        rows[aid] = {
            "agency_id": aid,
            "division_code": division.code,
            "name": government_name(division),
            "level": division.level,
            "kind": division.kind,
            "parent_code": division.parent_code,
            "province_code": _province(division.code),
            "former_codes": ",".join(sorted(set(former[division.code]))) or None,
        }
    for source in sorted(sources.values(), key=lambda s: s["id"]):
        division, aid = source_agency(source)
        if aid not in rows:
            rows[aid] = {
                "agency_id": aid,
                "division_code": division,
                "name": source["name"],
                "level": source.get("level") if source.get("level") in LEVELS else "department",
                "kind": source.get("level"),
                "parent_code": division,
                "province_code": _province(division),
            }
    out = []
    for aid, row in rows.items():
        out.append(
            {
                **row,
                "source_ids": ",".join(sorted(by_agency.get(aid, []))) or None,
                "package": info["package"],
                "data_date": info["data_date"],
            }
        )
    return pa.Table.from_pylist(
        [{n: r.get(n) for n in PUBLISHERS.column_names} for r in out], schema=PUBLISHERS.schema
    )


def division_codes_table() -> pa.Table:
    info = dv.sources_info()
    rows = [{**r, "package": info["history_package"]} for r in dv.code_history()]
    return pa.Table.from_pylist(rows, schema=DIVISION_CODES.schema)


def _as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _crawls(crawl_sources: pa.Table, crawl_runs: pa.Table) -> dict[str, list[tuple]]:
    """Per source, (end of run, status, evidence) of every crawl, oldest first."""
    ends = {
        r["run_id"]: _as_utc(r["finished_at"] or r["started_at"])
        for r in crawl_runs.select(["run_id", "started_at", "finished_at"]).to_pylist()
    }
    out: dict[str, list[tuple]] = defaultdict(list)
    for r in crawl_sources.to_pylist():
        end = ends.get(r["run_id"])
        if end is not None:
            out[r["source_id"]].append((end, r["status"], r["evidence"]))
    for crawls in out.values():
        crawls.sort(key=lambda c: c[0])
    return out


def _published(
    year: int, versions: list[dict[str, Any]], crawls: list[tuple]
) -> tuple[str, str, date | None, datetime | None]:
    """(status, evidence, dated, first seen) of a year with reports."""
    due = deadline(year)
    dated = min((r["published_date"] for r in versions if r["published_date"]), default=None)
    seen = min((_as_utc(r["fetched_at"]) for r in versions if r["fetched_at"]), default=None)
    if not any(r["status"] in READABLE for r in versions):
        statuses = ", ".join(sorted({r["status"] for r in versions}))
        return "unreadable", f"reports found, none readable ({statuses})", dated, seen
    if dated is not None:
        late = dated > due
        return (
            "published_late" if late else "published",
            f"dated {dated}, {'after' if late else 'by'} the deadline {due}",
            dated,
            seen,
        )
    before = [c for c in crawls if c[1] == "ok" and c[0].date() > due and seen and c[0] < seen]
    if before:
        return (
            "published_late",
            f"undated; not there on {before[0][0].date()}, after the deadline {due}",
            dated,
            seen,
        )
    return "published", "undated; first seen before any crawl could miss it", dated, seen


def _absent(year: int, today: date, crawls: list[tuple]) -> tuple[str, str]:
    due = deadline(year)
    if today <= due:
        return "not_yet_due", f"deadline {due} not passed"
    if not crawls:
        return "no_source", "source in the registry, never crawled"
    end, status, evidence = crawls[-1]
    if status in ("blocked", "failed") or (evidence or "").startswith(ROBOTS_FORBIDDEN):
        return "blocked", f"last crawl {end.date()} {status}: {evidence or ''}".rstrip(": ")
    return "missing", f"no report of {year} after the deadline {due}; crawled {end.date()}"


def coverage_table(
    reports: pa.Table,
    sources: dict[str, dict[str, Any]],
    crawl_sources: pa.Table,
    crawl_runs: pa.Table,
    today: date | None = None,
) -> pa.Table:
    """The `coverage` dataset (see the module doc)."""
    today = today or datetime.now(UTC).date()
    crawls = _crawls(crawl_sources, crawl_runs)
    by_source: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    wanted = ["report_id", "source_id", "source_name", "year", "status", "published_date"]
    wanted += ["fetched_at", "version", "is_latest"]
    for r in reports.select(wanted).to_pylist():
        if r["source_id"] and r["year"]:
            by_source[r["source_id"]][r["year"]].append(r)
            names.setdefault(r["source_id"], r["source_name"] or r["source_id"])
    known = dict(sources)
    for sid, name in names.items():
        known.setdefault(sid, {"id": sid, "name": name})
    rows: list[dict[str, Any]] = []
    covered: set[str] = set()
    for sid in sorted(known):
        source = known[sid]
        division, aid = source_agency(source)
        if source.get("level") in GOVERNMENT_LEVELS and division:
            covered.add(division)
        years = by_source.get(sid, {})
        first = min(years, default=today.year - 1)
        runs = crawls.get(sid, [])
        base = {
            "unit_id": sid,
            "source_id": sid,
            "agency_id": aid,
            "name": source["name"],
            "level": source.get("level") if source.get("level") in LEVELS else None,
            "division_code": division,
            "province_code": _province(division),
            "city_code": _city(division),
            "last_crawled_at": runs[-1][0] if runs else None,
            "crawl_status": runs[-1][1] if runs else None,
        }
        for year in range(first, today.year + 1):
            versions = years.get(year, [])
            row = {**base, "year": year, "deadline_date": deadline(year), "reports": len(versions)}
            if versions:
                status, evidence, dated, seen = _published(year, versions, runs)
                latest = max(versions, key=lambda r: (r["is_latest"], r["version"]))
                row.update(published_date=dated, first_seen_at=seen, report_id=latest["report_id"])
            else:
                status, evidence = _absent(year, today, runs)
            rows.append({**row, "status": status, "evidence": evidence})
    # a government without a source: the last year due and this one (earlier years would
    # only repeat no_source, and 3,200 governments × every year weigh on every reader)
    last_due = today.year - 1 if today > deadline(today.year - 1) else today.year - 2
    for division in dv.current_divisions().values():
        if division.code in covered:
            continue
        base = {
            "unit_id": f"division:{division.code}",
            "agency_id": rec.agency_id(division.code, government_name(division)),
            "name": government_name(division),
            "level": division.level,
            "division_code": division.code,
            "province_code": _province(division.code),
            "city_code": _city(division.code),
            "status": "no_source",
            "reports": 0,
            "evidence": "no source in the registry",
        }
        for year in range(last_due, today.year + 1):
            rows.append({**base, "year": year, "deadline_date": deadline(year)})
    log.info("coverage: %d rows", len(rows))
    names = COVERAGE.column_names
    return pa.Table.from_pylist(
        [{n: r.get(n) for n in names} for r in rows], schema=COVERAGE.schema
    )
