"""The data directory's one lock, and a crawl child that dies with its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.lifeline import ORPHAN_EXIT_CODE, PARENT_ENV
from nianbao.lock import LockHeld, holder_path, read_holder, writer_lock
from tests.conftest import alive, wait_until_dead

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from nianbao.lock import writer_lock
    with writer_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def hold(data: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding DATA's lock for `seconds`, once it has said so."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = hold(tmp_path, 300)
    yield proc
    proc.kill()
    proc.wait()


def test_a_second_writer_is_told_who_holds_the_lock(tmp_path: Path, holder) -> None:
    with pytest.raises(LockHeld) as refused:
        with writer_lock(tmp_path):
            pytest.fail("the lock was given twice")
    message = str(refused.value)
    assert f"is being written by pid {holder.pid} " in message
    assert f"process group {os.getpgid(holder.pid)}: python -c " in message
    assert refused.value.holder is not None
    assert refused.value.holder.since[:4] == time.strftime("%Y", time.gmtime())
    assert "--wait SECONDS" in message


def test_waiting_writer_gets_the_lock_when_the_holder_finishes(tmp_path: Path) -> None:
    first = hold(tmp_path, 1)
    with writer_lock(tmp_path, wait=120) as me:
        assert first.wait() == 0
        assert read_holder(tmp_path) == me
    assert not holder_path(tmp_path).exists()


def test_waiting_has_a_limit(tmp_path: Path, holder) -> None:
    with pytest.raises(LockHeld, match=r"after waiting 0\.3 s"):
        with writer_lock(tmp_path, wait=0.3):
            pytest.fail("the lock was given twice")


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path, holder) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert read_holder(tmp_path).pid == holder.pid  # what it wrote is still there …
    with writer_lock(tmp_path) as me:  # … but the kernel let its lock go
        assert read_holder(tmp_path) == me


CHILD = textwrap.dedent(
    """
    import sys, time
    from crawler import lifeline
    if sys.argv[1] == "watch-only":
        lifeline._ask_kernel_for_death_signal = lambda: False
    lifeline.die_with_parent()
    time.sleep(300)
    """
)
PARENT = textwrap.dedent(
    """
    import os, subprocess, sys, time
    from crawler.lifeline import child_env
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]],
                             env=child_env(dict(os.environ)))
    print(child.pid, flush=True)
    time.sleep(300)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["kernel", "watch-only"])
def test_child_dies_when_its_parent_is_killed(how: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD, how], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        time.sleep(0.5)  # the child is running, past its own start-up checks
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert wait_until_dead(child, 10), f"child {child} outlived its parent"
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_child_whose_parent_is_already_gone_stops_at_once() -> None:
    """The parent named in the environment is not this child's parent: it died (or the
    child was handed to another) before the child could ask to die with it."""
    env = {**os.environ, PARENT_ENV: "1" if os.getpid() != 1 else "2"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, "kernel"], env=env, timeout=60, capture_output=True
    )
    assert child.returncode == ORPHAN_EXIT_CODE
