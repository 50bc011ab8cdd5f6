"""Extraction on one process against several: documents/s and pages/s.

Reads the corpus documents (with `--ocr`, the scanned fixtures, which are read by OCR),
repeated to `--documents` (default 300), the way `nianbao extract --json` and the
dataset build do (`extraction.ordered_map` over `extract_path`):

- in this process (`--workers 1`, the baseline);
- on a Dask `LocalCluster` of N forked worker processes (the default of every command);
- with `concurrent.futures.ProcessPoolExecutor.map` on N processes, the standard
  library's pool, beside it to show what Dask costs (it cannot survive a dead worker);
- with `--scheduler ADDRESS`, also on that running Dask cluster.

Wall time includes starting and stopping the workers. Beside it, the CPU time the
extraction itself took (summed over the documents, in whichever process read them): pages
per CPU-second should not change with the way of running, and wall time over CPU time
says how much of the machine the run had. Every way must give the same records in the
same order (checked; exit status 1 otherwise). The machine's load average is printed: on
a shared machine the figures say as much about the neighbours as about us.

    python -m benchmarks.parallel                      # N = every core
    python -m benchmarks.parallel --ocr --documents 8 --no-pool   # scans: OCR
    python -m benchmarks.parallel --documents 600 --workers 4
    python -m benchmarks.parallel --scheduler tcp://127.0.0.1:8786
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from extract.extractor import extract_path
from extract.files import DEFAULT_MAX_BYTES
from extract.record import Record
from nianbao.extraction import Workers, cpu_count, ordered_map

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus" / "docs"
SCANS = ROOT / "tests" / "fixtures" / "scans" / "docs"

Task = tuple[Path, str, int]
Timed = tuple[Record, float]


def tasks(count: int, folder: Path = CORPUS) -> list[Task]:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return [(p, str(p), DEFAULT_MAX_BYTES) for p in itertools.islice(itertools.cycle(files), count)]


def timed_extract(path: Path, source: str, max_bytes: int) -> Timed:
    """The record, and the CPU seconds reading it took in the process that read it."""
    started = time.process_time()
    record = extract_path(path, source, max_bytes)
    return record, time.process_time() - started


def _crashed(task: Task, reason: str) -> Timed:
    return Record(source=task[1], status="failed", error=reason), 0.0


def on(workers: Workers) -> Callable[[list[Task]], Iterable[Timed]]:
    return lambda todo: ordered_map(timed_extract, todo, workers, _crashed)


def process_pool(n: int) -> Callable[[list[Task]], Iterable[Timed]]:
    def run(todo: list[Task]) -> Iterable[Timed]:
        with ProcessPoolExecutor(max_workers=n) as pool:
            yield from pool.map(timed_extract, *zip(*todo, strict=True), chunksize=1)

    return run


def measure(name: str, run: Callable[[list[Task]], Iterable[Timed]], todo: list[Task]) -> list:
    started = time.perf_counter()
    results = list(run(todo))
    seconds = time.perf_counter() - started
    records = [r.to_dict() for r, _ in results]
    cpu = sum(c for _, c in results)
    pages = sum(r["pages"] or 0 for r in records)
    print(
        f"{name:<34} {seconds:7.1f} s  {len(records) / seconds:6.2f} documents/s"
        f"  {pages / seconds:6.2f} pages/s  | extraction {cpu:6.1f} CPU-s:"
        f" {pages / max(cpu, 1e-9):5.2f} pages per CPU-s  (load {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--workers", type=int, default=cpu_count())
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None)
    parser.add_argument("--ocr", action="store_true", help="the scanned fixtures (OCR)")
    parser.add_argument(
        "--no-pool", action="store_true", help="skip ProcessPoolExecutor (saves a run)"
    )
    args = parser.parse_args()
    todo = tasks(args.documents, SCANS if args.ocr else CORPUS)
    n = args.workers
    print(
        f"{len(todo)} documents ({len({t[0] for t in todo})} distinct) on {cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    ways = [
        ("1 process (baseline)", on(Workers(1))),
        (f"Dask LocalCluster, {n} workers", on(Workers(n))),
    ]
    if not args.no_pool:
        ways.append((f"ProcessPoolExecutor, {n} processes", process_pool(n)))
    if args.scheduler:
        ways.append((f"Dask cluster at {args.scheduler}", on(Workers(scheduler=args.scheduler))))
    results = [measure(name, run, todo) for name, run in ways]
    if any(r != results[0] for r in results[1:]):
        raise SystemExit("the records differ between the ways of running: a bug")
    print("records identical in every way of running")


if __name__ == "__main__":
    main()
