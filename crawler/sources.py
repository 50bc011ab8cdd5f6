"""The registry of sources: which columns to crawl, as data (YAML `sources: [...]` or CSV).

Per-site facts (URL, CMS family, encoding, allowed domains) live here, not in code, so a user
can crawl their own list. A bad row is reported with its position and reason, never skipped
silently.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.listing.dispatch import FAMILIES

LEVELS = ("province", "city", "county", "department", "township")
_DIVISION = re.compile(r"^\d{6}$")


class SourceError(ValueError):
    """A registry file or row that cannot be used."""


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    url: str
    division_code: str | None = None
    level: str | None = None
    cms: str = "auto"
    encoding: str | None = None
    allowed_domains: tuple[str, ...] = field(default=())
    verified: bool = False
    notes: str | None = None
    # Crawl limits of this source where the defaults (crawler.limits) do not fit it.
    max_list_pages: int | None = None
    max_list_depth: int | None = None
    max_requests_per_list_page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["allowed_domains"] = list(self.allowed_domains)
        for key in LIMIT_KEYS:  # written only where the source sets its own
            if data[key] is None:
                del data[key]
        return data


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _default_domains(host: str) -> list[str]:
    """The host, and for www.X the site X with its subdomains (file servers such as
    file.X or ptkjj.X); other sites, spam mirrors among them, stay outside."""
    if host.startswith("www.") and host.count(".") >= 3:
        return [host, host.removeprefix("www.")]
    return [host]


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)


def _as_domains(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [d for d in re.split(r"[\s,;|]+", value) if d]
    return [str(d) for d in value]


LIMIT_KEYS = ("max_list_pages", "max_list_depth", "max_requests_per_list_page")


def _limit(row: dict[str, Any], key: str, where: str) -> int | None:
    value = row.get(key)
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise SourceError(f"{where}: {key} {value!r} is not a whole number ≥ 0")
    return int(text)


def make_source(row: dict[str, Any], where: str = "") -> Source:
    """One validated source from a mapping; raises SourceError naming the row and the reason."""
    missing = [k for k in ("id", "name", "url") if not str(row.get(k) or "").strip()]
    if missing:
        raise SourceError(f"{where}: missing {', '.join(missing)}")
    url = str(row["url"]).strip()
    if urlsplit(url).scheme not in ("http", "https") or not _host(url):
        raise SourceError(f"{where}: url {url!r} is not an http(s) URL")
    division = row.get("division_code")
    division = str(division).strip() if division not in (None, "") else None
    if division is not None and not _DIVISION.match(division):
        raise SourceError(f"{where}: division_code {division!r} is not 6 digits")
    level = (str(row.get("level") or "").strip() or None) if row.get("level") else None
    if level is not None and level not in LEVELS:
        raise SourceError(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    cms = str(row.get("cms") or "auto").strip()
    if cms not in FAMILIES:
        raise SourceError(f"{where}: cms {cms!r} is not one of {', '.join(FAMILIES)}")
    domains = _as_domains(row.get("allowed_domains")) or _default_domains(_host(url))
    if _host(url) not in domains:
        domains.append(_host(url))
    return Source(
        id=str(row["id"]).strip(),
        name=str(row["name"]).strip(),
        url=url,
        division_code=division,
        level=level,
        cms=cms,
        encoding=(str(row.get("encoding")).strip() or None) if row.get("encoding") else None,
        allowed_domains=tuple(d.lower() for d in domains),
        verified=_as_bool(row.get("verified", False)),
        notes=str(row["notes"]) if row.get("notes") else None,
        **{key: _limit(row, key, where) for key in LIMIT_KEYS},
    )


def load_sources(path: Path | str) -> list[Source]:
    """Sources from a YAML (`sources: [...]` or a bare list) or CSV file."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows: list[Any] = list(csv.DictReader(fh))
    else:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SourceError(f"{path}: not valid YAML: {exc}") from exc
        rows = data.get("sources") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise SourceError(f"{path}: expected a list under 'sources:'")
    return sources_from_rows(rows, str(path))


def sources_from_rows(rows: list[Any], origin: str = "sources") -> list[Source]:
    sources: list[Source] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        where = f"{origin} row {i}"
        if not isinstance(row, dict):
            raise SourceError(f"{where}: expected a mapping")
        source = make_source(row, where)
        if source.id in seen:
            raise SourceError(f"{where}: duplicate id {source.id!r}")
        seen.add(source.id)
        sources.append(source)
    if not sources:
        raise SourceError(f"{origin}: no sources")
    return sources


def write_sources(sources: list[Source], path: Path) -> None:
    payload = {"sources": [s.to_dict() for s in sources]}
    path.write_text(yaml.safe_dump(payload, allow_unicode=True, sort_keys=False), encoding="utf-8")
