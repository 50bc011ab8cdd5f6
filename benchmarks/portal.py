"""Serving speed of the local test portal: requests/s and peak memory for a large site.

Runs `nianbao portal` in its own process (so the client does not share its interpreter),
then fetches, with keep-alive connections from several client threads, what a crawl
fetches: every list page of the TRS site, and report pages and attachments of the four
crawlable families in random order. Prints requests/s, MB/s and the portal's peak resident
memory. The crawl benchmark (benchmarks/crawl.py) needs the portal well above 300 pages/s.

    python -m benchmarks.portal                       # 2,000 reports per site, 8 threads
    python -m benchmarks.portal --reports 5000 --threads 16
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from nianbao.demo import Portal

REQUIRED_REQUESTS_PER_SECOND = 600


def targets(reports: int) -> list[tuple[int, str]]:
    """(site number, path) of what a crawl fetches, from a portal of the same layout that
    is never started (the layout is deterministic)."""
    plan = Portal(reports, slow_seconds=0)
    paths = []
    for k, site in enumerate(plan.sites):
        truth = site.truth()  # without an origin, its URLs are paths
        skip = {truth.transient, truth.slow}
        paths += [(k, u) for u in truth.reports | truth.attachments if u not in skip]
    trs = plan.sites[0]
    _, count = trs.page_rows(0)
    paths += [(0, trs.list_path)] + [(0, f"{trs.column}index_{k}.html") for k in range(1, count)]
    return paths


def fetch_all(urls: list[str], threads: int) -> tuple[int, int, float]:
    """(responses, bytes, seconds) for fetching `urls` with keep-alive client threads."""
    done, size, lock, errors = [0], [0], threading.Lock(), []

    def worker(chunk: list[str]) -> None:
        conns: dict[str, http.client.HTTPConnection] = {}
        for url in chunk:
            parts = urlsplit(url)
            conn = conns.get(parts.netloc)
            if conn is None:
                conn = conns[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=30)
            conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                errors.append(f"{response.status} {url}")
            with lock:
                done[0] += 1
                size[0] += len(body)

    shares = [urls[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=worker, args=(s,)) for s in shares]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. {errors[:3]}")
    return done[0], size[0], time.perf_counter() - start


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.portal")
    parser.add_argument("--reports", type=int, default=2000, help="reports per site")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument(
        "--min-requests-per-second", type=float, default=REQUIRED_REQUESTS_PER_SECOND
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        sources_file = Path(tmp) / "sources.yaml"
        nianbao = str(Path(sys.executable).parent / "nianbao")
        command = [nianbao, "portal", "--reports", str(args.reports), "--slow", "0"]
        server = subprocess.Popen(
            [*command, "--sources-out", str(sources_file)], stdout=subprocess.DEVNULL
        )
        try:
            started = time.perf_counter()
            while not sources_file.exists():
                if server.poll() is not None or time.perf_counter() - started > 120:
                    raise SystemExit("the portal did not start")
                time.sleep(0.05)
            startup = time.perf_counter() - started
            sources = yaml.safe_load(sources_file.read_text("utf-8"))["sources"]
            origins = [f"http://{urlsplit(s['url']).netloc}" for s in sources]
            urls = [origins[k] + path for k, path in targets(args.reports)]
            random.Random(1).shuffle(urls)
            count, size, seconds = fetch_all(urls, args.threads)
            memory = peak_memory_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    rate = count / seconds
    print(f"portal with {args.reports} reports per site: started in {startup:.1f} s")
    megabytes = size / seconds / 1e6
    print(f"{count} requests in {seconds:.2f} s: {rate:.0f} requests/s, {megabytes:.1f} MB/s")
    print(f"portal peak memory: {memory:.0f} MB")
    return 0 if rate >= args.min_requests_per_second else 1


if __name__ == "__main__":
    sys.exit(main())
