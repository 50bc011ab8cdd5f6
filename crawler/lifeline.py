"""A crawl child dies with the process that started it.

`nianbao run` holds the data directory's lock and starts `python -m crawler.crawl_process`; if the
parent is killed (even by SIGKILL) the lock goes with it, so a child still writing would
overlap the next run. The parent names itself in `PARENT_ENV`; the child then asks Linux
for SIGKILL when its parent dies (`prctl(PR_SET_PDEATHSIG)`), checks that the parent is
still the one named (it may have died before the child got that far), and keeps a thread
that checks again every second (other systems, or a parent that is a thread). SIGKILL is
safe for a crawl: manifest parts are renamed into place and raw files are content-
addressed, so the next crawl loses and duplicates nothing (see crawler.runner).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

logger = logging.getLogger(__name__)

PARENT_ENV = "NIANBAO_PARENT_PID"
PR_SET_PDEATHSIG = 1
CHECK_EVERY_S = 1.0
ORPHAN_EXIT_CODE = 3


def child_env(environ: dict[str, str]) -> dict[str, str]:
    """The environment of a child that must die with this process."""
    return {**environ, PARENT_ENV: str(os.getpid())}


def _ask_kernel_for_death_signal() -> bool:
    """Linux only: SIGKILL this process when its parent dies. False when not possible."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        return False
    return True


def _orphaned(parent: int) -> None:
    logger.error("parent process %d is gone: stopping this crawl", parent)
    logging.shutdown()
    os._exit(ORPHAN_EXIT_CODE)


def _watch(parent: int) -> None:
    while True:
        time.sleep(CHECK_EVERY_S)
        if os.getppid() != parent:
            _orphaned(parent)


def die_with_parent() -> int | None:
    """Tie this process's life to the parent named in `PARENT_ENV` (nothing when unset);
    exits at once when that parent is already gone. Returns the parent's pid."""
    named = os.environ.pop(PARENT_ENV, None)  # not for this process's own children
    if not named:
        return None
    parent = int(named)
    _ask_kernel_for_death_signal()
    if os.getppid() != parent:
        _orphaned(parent)
    threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()
    return parent
