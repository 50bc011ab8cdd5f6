"""Time and peak memory of `nianbao extract` on hostile files, beside the issue's figures.

Each case runs `extract_path` in a fresh process (so each peak RSS is its own) on a file
written to a temporary directory: 50 MB of HTML table cells, a 99 MB page of cells under
the 100 MB cap, a 99 MB page of paragraphs, a page just under the tag cap, and
`/dev/zero`. Before the limits, the first took 26 s and 1.86 GB and ended in an
XPathEvalError, the second 3.46 GB, and `/dev/zero` was read until MemoryError (issue 7).

    python -m benchmarks.hostile
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1024 * 1024
# case → (what the issue measured before, how to make the file)
CASES = {
    "cells-50MB.html": ("26 s, 1.86 GB, internal error: XPathEvalError", 50),
    "cells-99MB.html": ("3.46 GB", 99),
    "text-99MB.html": ("-", 99),
    "cells-0.9MB.html": ("-", 0.9),  # just under the tag cap: the most a page may hold
}
ROW = "<tr>" + "<td>1</td>" * 10 + "</tr>\n"
PARAGRAPH = "<p>" + "本机关依法公开政府信息，" * 300 + "</p>\n"
CHILD = """
import sys
from extract.extractor import extract_path
from pathlib import Path
record = extract_path(Path(sys.argv[1]))
print(record.status, record.error or "")
"""


def write_page(path: Path, unit: str, megabytes: float) -> None:
    size = int(megabytes * MB)
    block = unit.encode() * max(1, min(size, MB) // len(unit.encode()))
    with path.open("wb") as out:
        out.write(b"<html><head><meta charset='utf-8'></head><body><table>")
        while out.tell() + len(block) <= size:
            out.write(block)
        out.write(b"</table></body></html>")


def measure(path: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, the record's status and reason) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, path], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out.strip()


def main() -> None:
    print(f"{'case':<18} {'seconds':>8} {'peak MB':>8}  result  [before: issue 7]")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (before, megabytes) in CASES.items():
            path = Path(tmp, name)
            write_page(path, PARAGRAPH if name.startswith("text") else ROW, megabytes)
            seconds, peak, result = measure(str(path))
            print(f"{name:<18} {seconds:>8.1f} {peak:>8.0f}  {result[:70]}  [{before}]")
            path.unlink()
    seconds, peak, result = measure("/dev/zero")
    print(f"{'/dev/zero':<18} {seconds:>8.1f} {peak:>8.0f}  {result[:70]}  [MemoryError]")


if __name__ == "__main__":
    main()
