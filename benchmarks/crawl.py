"""Crawl speed against the local test portal, throttling off: pages/s, documents/s, memory.

Starts `nianbao.demo.Portal` with N reports per site (default 2,000), crawls one site or
all of them in a subprocess exactly as `nianbao crawl --no-throttle` does (robots.txt,
middlewares, FilesPipeline, manifest, monitors all on), and prints:

- pages/s: HTTP responses the portal served to the crawl (lists, report pages, attachments,
  robots.txt) per second of crawl time (Scrapy's start to finish);
- documents/s: manifest rows kept (report pages + attachments) per second;
- peak memory: the crawl process's maximum resident set size.

The issue requires at least 300 pages/s on the shared 2-core machine; the exit status is 1
when the measured rate is below --min-pages-per-second.

    python -m benchmarks.crawl                        # the TRS site, 2,000 reports
    python -m benchmarks.crawl --site all --reports 500
    python -m benchmarks.crawl --workers 2            # two processes sharing a Redis queue

With --workers N > 1 the crawl is scaled out as in production: N processes share the request
queue and duplicate filter through Redis (NIANBAO_TEST_REDIS_URL, else a redis-server
started on a free loopback port for the run).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.manifest import read_documents
from crawler.runner import CrawlSummary, start_crawl
from nianbao.demo import Portal

REQUIRED_PAGES_PER_SECOND = 300


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A Redis URL: NIANBAO_TEST_REDIS_URL, or a throwaway redis-server on loopback."""
    if os.environ.get("NIANBAO_TEST_REDIS_URL"):
        yield os.environ["NIANBAO_TEST_REDIS_URL"]
        return
    program = shutil.which("redis-server")
    if program is None:
        raise SystemExit("--workers > 1 needs redis-server or NIANBAO_TEST_REDIS_URL")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(args, cwd=workdir, stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def crawl(sources: list[dict], data: Path, workers: int, redis_url: str | None) -> CrawlSummary:
    """Run the crawl (N workers through Redis when N > 1); the summary of the longest worker."""
    job = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    procs = [
        start_crawl(sources, data, throttle=False, redis_url=redis_url, job=job)
        for _ in range(workers)
    ]
    summaries = [p.wait() for p in procs]
    return max(summaries, key=lambda s: s.duration_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crawl")
    parser.add_argument("--reports", type=int, default=2000, help="reports per site")
    parser.add_argument("--site", default="portal-trs-zhangshu", help="source id, or 'all'")
    parser.add_argument("--workers", type=int, default=1, help="crawl processes (Redis)")
    parser.add_argument("--min-pages-per-second", type=float, default=REQUIRED_PAGES_PER_SECOND)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, Portal(args.reports, slow_seconds=0.2) as portal:
        sources = [s for s in portal.sources() if args.site in ("all", s["id"])]
        if not sources:
            parser.error(f"no site {args.site!r}; one of {[s['id'] for s in portal.sources()]}")
        expected = portal.expected()
        reports = sum(len(expected[s["id"]].reports) for s in sources)
        data = Path(tmp) / "data"
        start = time.perf_counter()
        if args.workers > 1:
            with redis_server(Path(tmp)) as url:
                summary = crawl(sources, data, args.workers, url)
        else:
            summary = crawl(sources, data, 1, None)
        wall = time.perf_counter() - start
        served = len(portal.requests)
        documents = read_documents(data).num_rows
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    portal_cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    peak_mb = children.ru_maxrss / 1024
    seconds = summary.duration_s or wall
    pages_per_s = served / seconds
    print(f"sites: {', '.join(s['id'] for s in sources)}; reports on them: {reports}")
    print(f"crawl processes: {args.workers}")
    print(f"crawl: {seconds:.1f} s (process wall {wall:.1f} s), finish: {summary.finish_reason}")
    print(f"pages served: {served}  ->  {pages_per_s:.0f} pages/s")
    print(f"documents kept: {documents}  ->  {documents / seconds:.0f} documents/s")
    print(f"reports listed: {summary.reports}; errors: {summary.errors} {summary.errors_by_kind}")
    print(f"peak memory of a crawl process: {peak_mb:.0f} MB")
    print(
        f"CPU: crawl process(es) {children.ru_utime + children.ru_stime:.1f} s, "
        f"portal {portal_cpu:.1f} s"
    )
    if pages_per_s < args.min_pages_per_second:
        print(f"below the required {args.min_pages_per_second:.0f} pages/s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
