"""Extraction speed per format, and the PDF reader against plain pdfplumber.

Runs `extract.extractor.extract_path` over the corpus documents and the made fixtures
(the digital ones: PDFs without a text layer are OCR's, see `benchmarks.ocr`),
and prints documents per second and median milliseconds per document for each format,
with peak memory. Beside it, the baseline the issue sets for PDFs: plain pdfplumber,
`extract_tables()` and `extract_text()` on every page, over the same PDFs. The PDF reader
must not be slower: the ratio ours/baseline (process CPU time, as the machine is shared;
wall time beside it) is printed, and the exit status is 1 when it is over 1.0.

    python -m benchmarks.extract            # 5 rounds, from the repository root
    python -m benchmarks.extract --rounds 2

(Run it as a module: as a script, this file's own name would hide the `extract` package.)
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pdfplumber
from pdfplumber.utils.exceptions import PdfminerException

from extract.extractor import extract_path
from extract.model import ExtractError
from extract.readers.pdf import read_pdf

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "tests" / "fixtures" / "corpus" / "docs", ROOT / "tests" / "fixtures" / "made")
FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".txt": "txt", ".docx": "docx"}
FORMATS[".doc"] = "doc"


def documents() -> dict[str, list[Path]]:
    by_format: dict[str, list[Path]] = defaultdict(list)
    for folder in SOURCES:
        for path in sorted(folder.iterdir()):
            kind = FORMATS.get(path.suffix.lower())
            if kind and not (kind == "pdf" and _picture_pdf(path)):
                by_format[kind].append(path)
    return dict(by_format)


def _picture_pdf(path: Path) -> bool:
    """A PDF without a text layer: OCR, measured by `benchmarks.ocr`, not here. (A PDF
    that does not open, the encrypted one, is timed as a refusal.)"""
    try:
        with pdfplumber.open(path) as pdf:
            return not any(page.chars for page in pdf.pages)
    except PdfminerException:
        return False


def baseline_pdf(data: bytes) -> None:
    """What the issue measures against: plain pdfplumber on every page."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.extract_text()


def ours_pdf(data: bytes) -> None:
    try:
        read_pdf(data)
    except ExtractError:
        pass


def readable_pdfs(paths: list[Path]) -> list[Path]:
    """PDFs the baseline can open too (not the encrypted one)."""
    out = []
    for path in paths:
        try:
            with pdfplumber.open(path) as pdf:
                if any(page.chars for page in pdf.pages):
                    out.append(path)
        except Exception:  # noqa: BLE001 - the baseline simply cannot read it
            continue
    return out


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Milliseconds `fn` took, and what it returned."""
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def clocked(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, process CPU ms) that `fn` took."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over every document")
    args = parser.parse_args(argv)
    docs = documents()

    # Warm up: imports, font caches, the first LibreOffice start.
    for paths in docs.values():
        extract_path(paths[0])

    times: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ in range(args.rounds):
        for kind, paths in docs.items():
            for path in paths:
                ms, record = timed(lambda p=path: extract_path(p))
                times[kind].append(ms)
                statuses[kind][record.status] += 1

    tracemalloc.start()
    for paths in docs.values():
        for path in paths:
            extract_path(path)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"extract_path over {sum(len(p) for p in docs.values())} documents, {args.rounds} rounds")
    print(f"{'format':<7}{'docs':>6}{'docs/s':>10}{'median ms':>12}{'max ms':>10}  statuses")
    for kind in sorted(times):
        ms = times[kind]
        per_sec = len(ms) / (sum(ms) / 1000)
        status = ", ".join(f"{k} {v // args.rounds}" for k, v in sorted(statuses[kind].items()))
        print(
            f"{kind:<7}{len(docs[kind]):>6}{per_sec:>10.1f}{statistics.median(ms):>12.1f}"
            f"{max(ms):>10.1f}  {status}"
        )
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory: {maxrss_mb:.0f} MB resident (maxrss), "
        f"{traced_peak / 1e6:.1f} MB Python allocations in one pass (tracemalloc)"
    )

    pdfs = readable_pdfs(docs.get("pdf", []))
    blobs = {p: p.read_bytes() for p in pdfs}
    # (wall ms, CPU ms) per round. The machine is shared, so the verdict uses CPU time,
    # which other processes' load does not inflate; wall time is printed beside it.
    ours: dict[Path, list[tuple[float, float]]] = defaultdict(list)
    base: dict[Path, list[tuple[float, float]]] = defaultdict(list)
    for _ in range(args.rounds):
        for path, data in blobs.items():  # interleaved, so drift hits both alike
            ours[path].append(clocked(lambda d=data: ours_pdf(d)))
            base[path].append(clocked(lambda d=data: baseline_pdf(d)))
    print()
    print(
        "PDF reader vs plain pdfplumber (extract_tables + extract_text per page), "
        f"median of {args.rounds} rounds"
    )
    print(
        f"{'document':<28}{'ours ms':>9}{'base ms':>9}{'wall':>7}{'ours cpu':>10}{'base cpu':>10}"
        f"{'cpu':>7}"
    )
    sums = [0.0, 0.0, 0.0, 0.0]
    for path in pdfs:
        row = [
            statistics.median(t[i] for t in runs)
            for runs, i in ((ours[path], 0), (base[path], 0), (ours[path], 1), (base[path], 1))
        ]
        sums = [a + b for a, b in zip(sums, row, strict=True)]
        print(
            f"{path.name:<28}{row[0]:>9.1f}{row[1]:>9.1f}{row[0] / row[1]:>7.2f}"
            f"{row[2]:>10.1f}{row[3]:>10.1f}{row[2] / row[3]:>7.2f}"
        )
    wall = sums[0] / sums[1] if sums[1] else 0.0
    cpu = sums[2] / sums[3] if sums[3] else 0.0
    print(
        f"{'all PDFs':<28}{sums[0]:>9.1f}{sums[1]:>9.1f}{wall:>7.2f}"
        f"{sums[2]:>10.1f}{sums[3]:>10.1f}{cpu:>7.2f}"
    )
    verdict = "ok" if cpu <= 1.0 else "SLOWER THAN BASELINE"
    print(f"ratio ours/baseline (CPU time): {cpu:.2f}, must be <= 1.00: {verdict}")
    return 0 if cpu <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
