"""The data directory's one lock: every command that writes DATA_DIR holds it.

`nianbao crawl`, `run`, `nightly`, `demo`, `extract --rebuild` and `publish` take
DATA_DIR/state/run.lock (filelock: `flock` on POSIX, so the kernel lets it go when the
holder dies, even by SIGKILL, and a stale lock cannot exist) and say who holds it in
DATA_DIR/state/run.lock.json: pid, process group, command line, since when, host. A second
writer gets `LockHeld`, whose message names the holder, or waits up to `wait` seconds.
A crawl started by a holder runs in a child process that dies with it
(`crawler.lifeline`), so the lock is never free while the child still writes.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from nianbao.common import atomic

log = logging.getLogger(__name__)

COMMAND_CHARS = 300  # of the holder's command line, in messages


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / "state" / "run.lock"


def holder_path(data_dir: Path) -> Path:
    return Path(data_dir) / "state" / "run.lock.json"


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as the holder wrote it."""

    pid: int
    pgid: int
    command: str
    since: str
    host: str

    @classmethod
    def this_process(cls) -> Holder:
        # `python -c …` and `-m` leave their program out of sys.argv, not out of orig_argv
        argv = sys.argv if sys.argv and not sys.argv[0].startswith("-") else sys.orig_argv
        command = shlex.join([Path(argv[0]).name, *argv[1:]])
        return cls(
            pid=os.getpid(),
            pgid=os.getpgid(0),
            command=command[:COMMAND_CHARS],
            since=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            host=socket.gethostname(),
        )

    def describe(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return (
            f"pid {self.pid}{where} (process group {self.pgid}: {self.command}) since {self.since}"
        )


class LockHeld(RuntimeError):
    """Another process is writing the data directory."""

    def __init__(self, data_dir: Path, holder: Holder | None, waited: float) -> None:
        self.holder = holder
        who = holder.describe() if holder else "another process (it has not said who yet)"
        after = f" after waiting {waited:g} s" if waited else ""
        super().__init__(
            f"{data_dir} is being written by {who}{after}; let it finish, or pass"
            f" --wait SECONDS to wait for it (lock: {lock_path(data_dir)})"
        )


def read_holder(data_dir: Path) -> Holder | None:
    """The holder the lock's holder wrote down; None when there is none or it is unreadable."""
    try:
        return Holder(**json.loads(holder_path(data_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _write_holder(data_dir: Path, holder: Holder) -> None:
    atomic.write_text(holder_path(data_dir), json.dumps(asdict(holder), ensure_ascii=False))


@contextmanager
def writer_lock(data_dir: Path, wait: float = 0) -> Iterator[Holder]:
    """Hold DATA_DIR's lock; raise `LockHeld` when another process keeps it more than
    `wait` seconds (0: fail at once; a negative wait waits for as long as it takes)."""
    path = lock_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        holder = read_holder(data_dir)
        if wait == 0:
            raise LockHeld(data_dir, holder, 0) from None
        who = holder.describe() if holder else "another process"
        log.warning("waiting up to %g s for %s, which is being written by %s", wait, data_dir, who)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise LockHeld(data_dir, read_holder(data_dir), wait) from None
    try:
        me = Holder.this_process()
        _write_holder(data_dir, me)
        log.info("holding the lock of %s", data_dir)
        yield me
    finally:
        holder_path(data_dir).unlink(missing_ok=True)
        lock.release()
