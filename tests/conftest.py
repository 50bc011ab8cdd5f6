"""Shared test helpers: corpus fixtures and a switch that makes missing programs fatal in CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import settings

from nianbao.accuracy import cells as flatten_cells  # noqa: F401 (the scorer's view of a record)

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"

# Property tests check what a parser returns, not how fast: a loaded CI machine must not
# fail one on hypothesis's 200 ms per-example deadline.
settings.register_profile("nianbao", deadline=None)
settings.load_profile("nianbao")


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


def wait_until(
    condition: Callable[[], object], seconds: float, running: Iterable[subprocess.Popen] = ()
) -> bool:
    """Whether `condition()` comes true within `seconds`; False as soon as a process of
    `running` (those that must bring it about) has exited."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline or any(p.poll() is not None for p in running):
            return False
        time.sleep(0.05)
    return True


def wait_until_dead(pid: int, seconds: float) -> bool:
    """Whether `pid` stops running within `seconds`."""
    return wait_until(lambda: not alive(pid), seconds)


def load_gold(doc_id: str) -> dict:
    return json.loads((CORPUS / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS
