"""Shared test helpers: corpus fixtures and a switch that makes missing programs fatal in CI."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"


def require_program(name: str) -> str:
    """Path of an external program, or skip (fail under NIANBAO_REQUIRE_ALL=1, as in CI)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("NIANBAO_REQUIRE_ALL"):
            pytest.fail(f"{name} is required in CI but is not installed")
        pytest.skip(f"{name} is not installed")
    return path


def alive(pid: int) -> bool:
    """Running, by /proc (a zombie nobody has reaped yet is dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_until_dead(pid: int, seconds: float) -> bool:
    """Whether `pid` stops running within `seconds`."""
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def load_gold(doc_id: str) -> dict:
    return json.loads((CORPUS / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))


def flatten_cells(record: dict) -> dict[tuple, object]:
    """A record's (or gold file's) cells as {(table, row, column): value}."""
    cells: dict[tuple, object] = {}
    for entry in record.get("proactive") or []:
        item = entry["item"] if entry["item"] != "extra" else "extra:" + entry["label"]
        cells[("proactive", item, entry["metric"])] = entry["value"]
    for entry in record.get("legacy") or []:
        indicator = entry["indicator"]
        if indicator == "extra":
            indicator = "extra:" + entry["label"]
        cells[("legacy", indicator, entry["period"])] = entry["value"]
    for entry in record.get("narrative") or []:
        cells.setdefault(("narrative", entry["indicator"]), entry["value"])
    for table in ("applications", "review_litigation"):
        for row, columns in (record.get(table) or {}).items():
            for column, value in columns.items():
                cells[(table, row, column)] = value["value"] if isinstance(value, dict) else value
    return cells


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS
