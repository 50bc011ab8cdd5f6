"""Shared test helpers: corpus fixtures and a switch that makes missing programs fatal in CI."""

from __future__ import annotations

import json
import os
import shutil
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


def load_gold(doc_id: str) -> dict:
    return json.loads((CORPUS / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))


def flatten_cells(record: dict) -> dict[tuple, object]:
    """A record's (or gold file's) cells as {(table, row, column): value}."""
    cells: dict[tuple, object] = {}
    for entry in record.get("proactive") or []:
        item = entry["item"] if entry["item"] != "extra" else "extra:" + entry["label"]
        cells[("proactive", item, entry["metric"])] = entry["value"]
    for table in ("applications", "review_litigation"):
        for row, columns in (record.get(table) or {}).items():
            for column, value in columns.items():
                cells[(table, row, column)] = value["value"] if isinstance(value, dict) else value
    return cells


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS
