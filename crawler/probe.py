"""Revisit sources without fetching their reports: which answer, moved, or are blocked, and
where a portal keeps its 年报 column (`nianbao sources add` and `nianbao sources check`).

A probe is an ordinary crawl (same spider, same polite settings, robots.txt, WAF detection)
with NIANBAO_LISTS_ONLY set, into a scratch data directory: the spider reads the lists,
follows 年报 sub-columns from a home or 信息公开 page, and notes per source where it found
report entries (`source/<id>/column`), the CMS family that parsed them and where the start
URL redirected to (`moved_to`).
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.listing.dispatch import FAMILIES
from crawler.manifest import RUNS_SCHEMA, read_table, source_status
from crawler.runner import run_crawl
from crawler.sources import Source, make_source

logger = logging.getLogger(__name__)


class ProbeError(RuntimeError):
    """A URL where no 年报 column could be found."""


@dataclass(frozen=True)
class Probe:
    """What revisiting one source found."""

    source_id: str
    status: str  # ok, blocked, failed, empty (as crawl_sources), or moved (redirected away)
    reports_listed: int
    column: str | None
    family: str | None
    moved_to: str | None
    evidence: str | None


def probe(
    sources: list[Source], *, throttle: bool = True, settings: dict[str, Any] | None = None
) -> dict[str, Probe]:
    """Read every source's lists once; a Probe per source id."""
    with tempfile.TemporaryDirectory(prefix="nianbao-probe-") as scratch:
        summary = run_crawl(
            [s.to_dict() for s in sources],
            Path(scratch),
            throttle=throttle,
            settings={**(settings or {}), "NIANBAO_LISTS_ONLY": True},
        )
        runs = read_table(Path(scratch), "crawl_runs", RUNS_SCHEMA).to_pylist()
        stats = next((json.loads(r["stats"]) for r in runs if r["run_id"] == summary.run_id), {})
        rows = {r["source_id"]: r for r in source_status(Path(scratch), summary.run_id)}
    out = {}
    for source in sources:
        row = rows.get(source.id) or {"status": "failed", "reports_listed": 0, "evidence": None}
        moved = stats.get(f"source/{source.id}/moved_to")
        status = row["status"]
        if moved and status != "blocked" and _elsewhere(source.url, moved):
            status = "moved"
        out[source.id] = Probe(
            source.id,
            status,
            row["reports_listed"] or 0,
            stats.get(f"source/{source.id}/column"),
            stats.get(f"source/{source.id}/family"),
            moved,
            row["evidence"],
        )
    return out


def _elsewhere(url: str, moved: str) -> bool:
    """A redirect to another path or host, not just http → https or a trailing slash."""
    a, b = urlsplit(url), urlsplit(moved)
    return (a.hostname, a.path.rstrip("/")) != (b.hostname, b.path.rstrip("/"))


def source_id_for(url: str, taken: set[str]) -> str:
    """An id from the host (www.putian.gov.cn → putian-gov-cn), unique among `taken`."""
    host = (urlsplit(url).hostname or "source").removeprefix("www.")
    base = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def discover(
    url: str,
    *,
    name: str,
    division_code: str | None = None,
    level: str | None = None,
    source_id: str | None = None,
    taken: set[str] = frozenset(),
    throttle: bool = True,
    settings: dict[str, Any] | None = None,
) -> tuple[Source, Probe]:
    """A checked registry entry for the portal page at `url` (home, 信息公开 or the column
    itself): its 年报 column and CMS family. Raises ProbeError when none is found."""
    sid = source_id or source_id_for(url, set(taken))
    row = {"id": sid, "name": name, "url": url, "division_code": division_code, "level": level}
    candidate = make_source(row, "the new source")
    found = probe([candidate], throttle=throttle, settings=settings)[sid]
    if not found.column or not found.reports_listed:
        why = found.evidence or "no 年报 entries on the page or the columns it links"
        raise ProbeError(f"{url}: no 年报 column found ({found.status}: {why})")
    day = datetime.now(UTC).date().isoformat()
    entry = make_source(
        {
            **row,
            "url": found.column,
            "cms": found.family if found.family in FAMILIES else "auto",
            "allowed_domains": list(candidate.allowed_domains),
            "verified": True,
            "notes": f"added by nianbao sources add on {day} from {url}: "
            f"{found.reports_listed} reports listed ({found.family})",
        },
        "the new source",
    )
    return entry, found
