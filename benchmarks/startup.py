"""What `nianbao` costs as a process: start-up, one page, and a batch of PDFs.

Each command runs as a child process `--runs` times (after one warm-up run); the figures
are the medians of the child's CPU time (user + sys, every process it started included) and of its
wall time, the commands of a group taking turns, beside those of a baseline:

- `python -c "import pdfplumber"`: the least a Python reader of PDFs pays to start; against
  it, `nianbao --help` and `nianbao extract --json PAGE.html` (at most 1.5 times, CPU);
- a plain pdfplumber script, `extract_text()` and `extract_tables()` on every page of the
  corpus PDFs; against it, `nianbao extract --json` over the same PDFs (no slower, wall
  time: the batch is read on every core, so it spends more CPU than it takes time).

Start-up is judged on CPU time, which other processes' load does not inflate; the batch on
wall time, which is what its user waits for, so it is only meaningful on an idle machine
(the load average is printed). The exit status is 1 when a verdict is missed. The
children may write bytecode (as any installation has it) even where PYTHONDONTWRITEBYTECODE
is set, which would otherwise compile the project's modules anew on every run.

    python -m benchmarks.startup            # 5 runs each, from the repository root
    python -m benchmarks.startup --runs 9
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "tests" / "fixtures" / "corpus" / "docs"
PAGE = DOCS / "sh-szfbgt-2019.html"
NIANBAO = Path(sys.executable).with_name("nianbao")
CPU, WALL = 0, 1  # the positions in what `measured` returns
BASIS = {CPU: "CPU", WALL: "wall"}
PLAIN_PDFPLUMBER = """
import sys
import pdfplumber
for path in sys.argv[1:]:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
"""


def adopt_orphans() -> None:
    """Become the "subreaper" of the children's descendants (Linux): a process pool's fork
    server and workers outlive the child that started them, and their CPU time counts in
    RUSAGE_CHILDREN only once they are reparented here and waited for."""
    PR_SET_CHILD_SUBREAPER = 36
    if sys.platform != "linux" or ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0):
        sys.exit("this benchmark counts the CPU of a command's every process on Linux only")


def reap_orphans() -> None:
    """Wait for every descendant left running by the last command."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def measured(argvs: list[list[str]], runs: int) -> list[tuple[float, float]]:
    """Median (CPU s, wall s) of each of `argvs` as a child process, after one warm-up run;
    the commands take turns, so drift in the machine's load hits them alike."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: list[list[tuple[float, float]]] = [[] for _ in argvs]
    for run in range(runs + 1):
        for argv, kept in zip(argvs, times, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
            wall = time.perf_counter() - start
            reap_orphans()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            if run:
                kept.append((cpu, wall))
    return [
        (statistics.median(c for c, _ in kept), statistics.median(w for _, w in kept))
        for kept in times
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each command")
    args = parser.parse_args(argv)
    adopt_orphans()
    pdfs = [str(p) for p in sorted(DOCS.glob("*.pdf"))]
    python, nianbao = sys.executable, str(NIANBAO)
    groups = [
        (
            'python -c "import pdfplumber"',
            [python, "-c", "import pdfplumber"],
            [
                ("nianbao --help", [nianbao, "--help"], 1.5, CPU),
                (
                    f"nianbao extract --json {PAGE.name}",
                    [nianbao, "extract", "--json", str(PAGE)],
                    1.5,
                    CPU,
                ),
            ],
        ),
        (
            f"plain pdfplumber over {len(pdfs)} PDFs",
            [python, "-c", PLAIN_PDFPLUMBER, *pdfs],
            [
                (
                    f"nianbao extract --json {len(pdfs)} PDFs",
                    [nianbao, "extract", "--json", *pdfs],
                    1.0,
                    WALL,
                ),
            ],
        ),
    ]
    print(f"medians of {args.runs} runs; CPU = user + sys of every process a command started")
    print(f"{'command':<48}{'CPU s':>8}{'wall s':>8}{'CPU ×':>8}{'wall ×':>8}  limit")
    missed = []
    for base_name, base_argv, commands in groups:
        base, *rest = measured([base_argv, *(c[1] for c in commands)], args.runs)
        print(f"{base_name:<48}{base[CPU]:>8.3f}{base[WALL]:>8.3f}{'1':>8}{'1':>8}  baseline")
        for (name, _, limit, basis), figures in zip(commands, rest, strict=True):
            cpu, wall = figures[CPU] / base[CPU], figures[WALL] / base[WALL]
            ok = figures[basis] / base[basis] <= limit
            missed += [] if ok else [name]
            print(
                f"{name:<48}{figures[CPU]:>8.3f}{figures[WALL]:>8.3f}{cpu:>8.2f}{wall:>8.2f}"
                f"  {BASIS[basis]} <= {limit}: {'ok' if ok else 'MISSED'}"
            )
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
