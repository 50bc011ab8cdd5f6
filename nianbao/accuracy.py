"""How right the extractor is: its records scored against hand-checked answers.

A corpus folder holds `MANIFEST.csv` (columns `id`, `file`, …) and `gold/<id>.json`, the
answers in the record's own keys (docs/SCHEMA.md); the repository's are
`tests/fixtures/corpus` (real reports) and `tests/fixtures/scans` (pictures of them, read by
OCR). Every answered cell is compared with the record's, per table family:

- `national`: the 2019 and 2021 national tables (`proactive`, `applications`,
  `review_litigation`);
- `legacy`: the local 统计表 of reports before 2019;
- `narrative`: the figures the prose states. Where an answer lists them, it lists all of
  them, so a figure the record states and the answer does not is counted as invented.

A document is perfect in a family when no cell of it is wrong, missing or invented; one that
is not, while its record says `ok` and passes every check, is *wrong without a flag* — the
error a user cannot see. The figures of the repository's corpora are stored in
`accuracy.json` beside this module (`nianbao accuracy --write`), and every release's
`datapackage.json` carries them.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FAMILIES: dict[str, tuple[str, ...]] = {
    "national": ("proactive", "applications", "review_litigation"),
    "legacy": ("legacy",),
    "narrative": ("narrative",),
}
STORED = Path(__file__).with_name("accuracy.json")

Key = tuple[str, ...]
Reader = Callable[[Path], dict[str, Any]]


def cells(record: dict[str, Any]) -> dict[Key, Any]:
    """A record's (or an answer file's) cells as {(table, row, column): value}.

    Narrative figures are keyed (table, indicator); the first statement of a figure counts.
    """
    found: dict[Key, Any] = {}
    for entry in record.get("proactive") or []:
        item = entry["item"] if entry["item"] != "extra" else "extra:" + entry["label"]
        found[("proactive", item, entry["metric"])] = entry["value"]
    for entry in record.get("legacy") or []:
        indicator = entry["indicator"]
        if indicator == "extra":
            indicator = "extra:" + entry["label"]
        found[("legacy", indicator, entry["period"])] = entry["value"]
    for entry in record.get("narrative") or []:
        found.setdefault(("narrative", entry["indicator"]), entry["value"])
    for table in ("applications", "review_litigation"):
        for row, columns in (record.get(table) or {}).items():
            for column, value in columns.items():
                found[(table, row, column)] = value["value"] if isinstance(value, dict) else value
    return found


def same(want: Any, got: Any) -> bool:
    """Equal, numbers to a millionth (amounts in 万元 carry decimals)."""
    numbers = (int, float)
    if isinstance(want, numbers) and isinstance(got, numbers):
        return math.isclose(want, got, rel_tol=0, abs_tol=1e-6)
    return want == got


def flagged(record: dict[str, Any]) -> bool:
    """Whether the record itself warns its reader: a status other than ok, or a failed check."""
    return record.get("status") != "ok" or any(
        check.get("passed") is False for check in record.get("checks") or []
    )


@dataclass
class Tally:
    """The counts of one table family (or of all of them) over a corpus."""

    cells: int = 0
    cells_right: int = 0
    nonzero_cells: int = 0
    nonzero_right: int = 0
    invented: int = 0
    documents: int = 0
    documents_perfect: int = 0
    documents_wrong_unflagged: int = 0

    def add(
        self, expected: dict[Key, Any], got: dict[Key, Any], invented: int, warns: bool
    ) -> None:
        right = [k for k, v in expected.items() if k in got and same(v, got[k])]
        nonzero = [k for k, v in expected.items() if v not in (0, None)]
        self.cells += len(expected)
        self.cells_right += len(right)
        self.nonzero_cells += len(nonzero)
        self.nonzero_right += len(set(nonzero) & set(right))
        self.invented += invented
        self.documents += 1
        perfect = len(right) == len(expected) and not invented
        self.documents_perfect += perfect
        self.documents_wrong_unflagged += not perfect and not warns

    def figures(self) -> dict[str, Any]:
        """The counts, and the two shares the README quotes (percent, two decimals)."""
        return {
            **asdict(self),
            "cells_right_percent": _percent(self.cells_right, self.cells),
            "nonzero_right_percent": _percent(self.nonzero_right, self.nonzero_cells),
        }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


@dataclass(frozen=True)
class Miss:
    """A cell the record got wrong (`got` None when it is missing, `want` None if invented)."""

    document: str
    cell: Key
    want: Any
    got: Any


@dataclass
class Score:
    """One corpus scored: per family and over all families, and every cell missed."""

    corpus: Path
    families: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FAMILIES})
    total: Tally = field(default_factory=Tally)
    misses: list[Miss] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {
            "documents": self.total.documents,
            "families": {name: tally.figures() for name, tally in self.families.items()},
            "all": self.total.figures(),
        }


def answers(corpus: Path) -> Iterable[tuple[str, Path, dict[str, Any]]]:
    """(id, document path, answer) of every manifest row that has an answer file."""
    with open(corpus / "MANIFEST.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        gold = corpus / "gold" / f"{row['id']}.json"
        if gold.exists():
            yield row["id"], corpus / row["file"], json.loads(gold.read_text(encoding="utf-8"))


def score(corpus: Path, read: Reader) -> Score:
    """Read every answered document of `corpus` with `read` and compare its cells."""
    result = Score(corpus)
    for doc_id, path, answer in answers(corpus):
        record = read(path)
        warns = flagged(record)
        expected_all, got_all = cells(answer), cells(record)
        invented_all = 0
        for family, tables in FAMILIES.items():
            expected = {k: v for k, v in expected_all.items() if k[0] in tables}
            got = {k: v for k, v in got_all.items() if k[0] in tables}
            if not expected and not (family == "narrative" and "narrative" in answer):
                continue
            invented = [k for k in got if k not in expected] if family == "narrative" else []
            invented_all += len(invented)
            result.families[family].add(expected, got, len(invented), warns)
            result.misses += [
                Miss(doc_id, k, v, got.get(k))
                for k, v in expected.items()
                if k not in got or not same(v, got[k])
            ]
            result.misses += [Miss(doc_id, k, None, got[k]) for k in invented]
        result.total.add(expected_all, got_all, invented_all, warns)
    return result


def stored(path: Path | None = None) -> dict[str, Any]:
    """The figures last stored with `nianbao accuracy --write` ({} when there are none)."""
    path = path or STORED
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
