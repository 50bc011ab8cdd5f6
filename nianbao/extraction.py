"""Running the extractor over many documents: in this process, on every core of this
machine, or on the workers of a Dask cluster spread over several machines.

Dask distributed does both the local and the multi-machine case (a `LocalCluster` of
processes, or a `Client` on a running scheduler), rather than `ProcessPoolExecutor`
locally, because:

- one code path serves one machine and many, so the local default tests the cluster path;
- a worker process that dies (a crash in a C library, the out-of-memory killer) costs only
  the document it was reading: the nanny starts a new worker and the scheduler gives that
  one task up as `KilledWorker`, which becomes a `failed` record with the reason. A
  `ProcessPoolExecutor` breaks as a whole (`BrokenProcessPool`) and fails every pending
  document without saying which one killed it.

The price: starting the workers (a few seconds, from a fork server; paid only for a batch
of at least `LOCAL_MIN_DOCUMENTS`), and the CPU of Dask's scheduler and worker event loops,
which `benchmarks/parallel.py` shows against `ProcessPoolExecutor` on a saturated machine.
A smaller batch (a few files on the command line, a night's few new reports), for which
those seconds would be most of the run, goes to a `ProcessPoolExecutor` instead: its
processes fork in milliseconds from a fork server that imported the extractor and the PDF
reader once. When one of them dies the pool breaks, and the documents it broke off are
read again one at a time, each in a process of its own, so again only the document that
killed its worker fails. A single document is read in this process, without any pool.

Tasks carry the file's path, not its bytes, and return the record: workers on other
machines must see the raw store at the same path (a shared filesystem; the raw store is
written once per sha256 and never changed, so any network filesystem serves). Results are
handed back in the order the documents were given, whatever order the workers finish in,
so a parallel run writes what a single-process run writes. At most `IN_FLIGHT_PER_WORKER`
tasks per worker thread are submitted and not yet handed back, so 150,000 documents never
mean 150,000 futures or records in memory at once.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

log = logging.getLogger(__name__)

R = TypeVar("R")
# Submitted and not yet handed back, per worker thread: enough to keep every worker busy
# while the document at the head of the order is still being read.
IN_FLIGHT_PER_WORKER = 4
MIN_IN_FLIGHT = 8
CONNECT_TIMEOUT_S = 30
# A task whose worker died is tried twice more on other workers (the death may have been
# another document's doing: memory, or a task queued behind the one that crashed), then
# given up as failed. One task per worker thread (saturation 1.0, not Dask's 1.1): a
# document queued behind one that kills its worker dies with it, and three such deaths
# would fail it too; a round trip to the scheduler between documents costs milliseconds
# against seconds of reading.
#
# Workers start from a fork server, a fresh process that never loaded the OCR engine: a
# worker forked from this process would inherit onnxruntime's threads and locks when the
# engine was used here first, and can crash on its first page. A fork server costs a
# second or two once per run (it imports Dask); the extractor is imported by each worker
# on its first document. Windows has no fork server: its workers are spawned.
START_METHOD = "spawn" if sys.platform == "win32" else "forkserver"
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.scheduler.allowed-failures": 2,
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.multiprocessing-method": START_METHOD,
}
# Fewer documents than this are read on a process pool, not a Dask cluster: starting
# Dask's workers costs a few seconds, more than reading a handful of documents.
LOCAL_MIN_DOCUMENTS = 8
# What the pool's fork server imports once, so that its processes start with it: the
# extractor, the PDF reader and the task's module (0.3 s of imports a process would
# otherwise pay), not the OCR engine (its threads do not survive a fork; each process
# loads it on its first scan). The fork server is one per process: the preload of the
# first pool (or of Dask, when it started the fork server first) stands.
POOL_PRELOAD = ["extract.extractor", "extract.readers.pdf"]
DIED = "the worker process died while reading it (crashed or killed, e.g. out of memory)"
PROGRESS_MIN_DOCUMENTS = 10


class ClusterError(RuntimeError):
    """The Dask scheduler named by --scheduler cannot be reached."""


def cpu_count() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Workers:
    """Where extraction runs: `count` local processes (1: in this process, as before), or
    the Dask cluster whose scheduler listens at `scheduler` (`count` is then unused)."""

    count: int = 1
    scheduler: str | None = None

    @classmethod
    def from_options(cls, count: int | None, scheduler: str | None) -> Workers:
        """The command-line options: no --workers means every core."""
        return cls(count or cpu_count(), scheduler)


# Today's path, and the library's default: extraction in the calling process.
IN_PROCESS = Workers()


def ordered_map(
    fn: Callable[..., R],
    args: Sequence[tuple[Any, ...]],
    workers: Workers,
    crashed: Callable[[tuple[Any, ...], str], R],
) -> Iterator[R]:
    """`fn(*a)` for each `a` of `args`, in the order of `args`, on `workers`.

    `fn` must be importable by name (a pool's processes look it up) and must not raise (the
    extractor does not); a task that fails anyway — its worker died, or the worker cannot
    run it — yields `crashed(a, reason)` and the rest go on."""
    local = workers.scheduler is None
    if local and (workers.count <= 1 or len(args) <= 1):
        for a in args:
            yield fn(*a)
    elif local and len(args) < LOCAL_MIN_DOCUMENTS:
        yield from _on_pool(fn, args, min(workers.count, len(args)), crashed)
    else:
        with _client(workers, len(args)) as client:
            yield from _in_order(client, fn, args, crashed)


def _on_pool(
    fn: Callable[..., R],
    args: Sequence[tuple[Any, ...]],
    processes: int,
    crashed: Callable[[tuple[Any, ...], str], R],
) -> Iterator[R]:
    """A small batch on a pool of `processes`, handed back in order."""
    from concurrent.futures.process import BrokenProcessPool

    with _pool(processes, fn) as pool:
        futures = [pool.submit(fn, *a) for a in args]
        for a, future in zip(args, futures, strict=True):
            try:
                yield future.result()
            except BrokenProcessPool:
                if len(args) > 1:  # a worker died, perhaps on another document
                    yield from _on_pool(fn, [a], 1, crashed)
                else:  # read alone, and its process died: this document killed it
                    log.warning("%s: %s", a[0], DIED)
                    yield crashed(a, DIED)
            except Exception as exc:  # noqa: BLE001 - as in `_result`: the batch goes on
                yield crashed(a, _unrunnable(exc))


def _pool(processes: int, fn: Callable[..., Any]) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload([*POOL_PRELOAD, fn.__module__])
    return ProcessPoolExecutor(processes, mp_context=context)


def _unrunnable(exc: BaseException) -> str:
    """The reason given for a task its worker could not run (e.g. a worker without nianbao)."""
    return f"the worker could not run the extractor: {type(exc).__name__}: {exc}"


@contextmanager
def _client(workers: Workers, tasks: int) -> Iterator[Any]:
    """A Dask client on the cluster at `workers.scheduler`, or on a local cluster of
    processes started for this run and stopped after it."""
    import dask
    from distributed import Client, LocalCluster

    # distributed sets its loggers to INFO on import: one line per worker start and stop
    logging.getLogger("distributed").setLevel(max(logging.WARNING, log.getEffectiveLevel()))
    if workers.scheduler:
        try:
            client = Client(workers.scheduler, timeout=CONNECT_TIMEOUT_S)
        except OSError as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {workers.scheduler}: {exc}"
            ) from exc
        with client:
            threads = client.nthreads()
            log.info(
                "extracting on the Dask cluster at %s: %d workers, %d threads",
                workers.scheduler,
                len(threads),
                sum(threads.values()),
            )
            yield client
        return
    n = min(workers.count, tasks)
    with (
        dask.config.set(LOCAL_CLUSTER_CONFIG),
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # the scheduler's HTTP server (health, metrics) on any free loopback port, not
            # on 8787 with a warning when another run holds it
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        log.info("extracting on %d local worker processes", n)
        yield client


def _in_order(
    client: Any,
    fn: Callable[..., R],
    args: Sequence[tuple[Any, ...]],
    crashed: Callable[[tuple[Any, ...], str], R],
) -> Iterator[R]:
    """Submit within the in-flight bound, collect as tasks finish, hand back in order."""
    import uuid

    from distributed import as_completed

    window = max(MIN_IN_FLIGHT, IN_FLIGHT_PER_WORKER * sum(client.nthreads().values()))
    run = uuid.uuid4().hex[:8]
    index: dict[Any, int] = {}
    finished: dict[int, R] = {}
    pending = as_completed()
    submitted = handed = 0

    def submit() -> None:
        nonlocal submitted
        while submitted < len(args) and submitted - handed < window:
            future = client.submit(
                fn, *args[submitted], key=f"extract-{run}-{submitted}", pure=False
            )
            index[future] = submitted
            pending.add(future)
            submitted += 1

    submit()
    for future in pending:
        i = index.pop(future)
        finished[i] = _result(future, args[i], crashed)
        future.release()
        while handed in finished:
            yield finished.pop(handed)
            handed += 1
        submit()


def _result(future: Any, a: tuple[Any, ...], crashed: Callable[[tuple[Any, ...], str], R]) -> R:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        reason = DIED
    except Exception as exc:  # noqa: BLE001 - e.g. a worker without nianbao; the batch goes on
        reason = _unrunnable(exc)
    log.warning("%s: %s", a[0], reason)
    return crashed(a, reason)


class Progress:
    """A progress bar over documents (documents/s, ETA) that also shows pages/s."""

    def __init__(self, total: int, desc: str = "extract") -> None:
        self.pages = 0
        self.documents = 0
        self.started = time.monotonic()
        # none for a handful of documents (nor tqdm's import, a sixth of a one-page
        # `nianbao extract`), and off when stderr is no terminal (logs, cron)
        self.bar: tqdm | None = None
        if total >= PROGRESS_MIN_DOCUMENTS:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="doc", file=sys.stderr, disable=None)

    def advance(self, pages: int | None) -> None:
        """One more document done, of `pages` pages (None: a format without pages)."""
        self.pages += pages or 0
        self.documents += 1
        if self.bar is None:
            return
        if self.elapsed:
            self.bar.set_postfix_str(f"{self.pages / self.elapsed:.1f} pages/s", refresh=False)
        self.bar.update(1)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def rates(self) -> str:
        """Documents and pages per second so far, for the log."""
        seconds = max(self.elapsed, 1e-9)
        return (
            f"{self.documents} documents ({self.pages} pages) in {seconds:.1f} s: "
            f"{self.documents / seconds:.1f} documents/s, {self.pages / seconds:.1f} pages/s"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
