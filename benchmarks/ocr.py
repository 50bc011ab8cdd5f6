"""OCR speed per page and peak memory, against the engine's own full-page run.

Reads the scanned fixtures (tests/fixtures/scans) page by page with nianbao's OCR reader
(straighten, ruled grid, one crop per cell, detection only outside tables) and, as the
baseline the issue sets, with RapidOCR's own full-page call — detection, direction
classification and recognition of every line — on the same page pictures: the engine as
it comes (a thread pool of one thread per core) and, the like-for-like figure, with one
thread per model as nianbao runs it. Prints seconds per page (process CPU time, as the
machine is shared; wall time beside it), the ratio ours/baseline per page and overall,
and peak resident memory; the exit status is 1 when a page's ratio to the engine as it
comes is over 1.0.

    python -m benchmarks.ocr              # 1 round over every page
    python -m benchmarks.ocr --pages 4    # the first 4 pages only
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from extract.model import OcrInfo
from extract.readers import ocr

ROOT = Path(__file__).resolve().parent.parent
SCANS = ROOT / "tests" / "fixtures" / "scans" / "docs"


def pictures() -> list[ocr.PagePicture]:
    """The page pictures of the scanned fixtures: a scanned PDF and a picture page."""
    import numpy as np
    import pypdfium2

    pages = []
    pdf = pypdfium2.PdfDocument(SCANS / "js-hongze-2024-scan.pdf")
    for i in range(len(pdf)):
        rgb = np.asarray(pdf[i].render(scale=150 / 72).to_pil().convert("RGB"))
        pages.append(ocr.PagePicture(i + 1, rgb[:, :, ::-1].copy(), 150))
    for path in sorted((SCANS / "js-huaian-2024-img_files").glob("*.jpg")):
        pages += ocr.pictures_of(path.read_bytes(), first_page=len(pages) + 1)
    return pages


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()
    pages = pictures()
    if args.pages:
        pages = pages[: args.pages]
    from rapidocr_onnxruntime import RapidOCR

    engines = {
        "engine as it comes": RapidOCR(),
        "engine, 1 thread": RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1),
    }
    ocr.read_page(pages[0], OcrInfo(engine="warm-up"))  # load the models once, untimed
    for engine in engines.values():
        engine(pages[0].image)
    ours: list[tuple[float, float]] = []
    theirs: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    for page in pages:
        ours.append(timed(lambda p=page: ocr.read_page(p, OcrInfo(engine="bench"))))
        figures = [
            f"page {page.number:2d}: ours {ours[-1][0]:5.1f} s CPU ({ours[-1][1]:5.1f} wall)"
        ]
        for name, engine in engines.items():
            theirs[name].append(timed(lambda p=page, e=engine: e(p.image)))
            cpu, wall = theirs[name][-1]
            figures.append(
                f"{name} {cpu:5.1f} s CPU ({wall:5.1f} wall), ratio {ours[-1][0] / cpu:.2f}"
            )
        print("; ".join(figures), flush=True)
    worst = 0.0
    median = statistics.median(c for c, _ in ours)
    print(f"{len(pages)} pages: ours {median:.1f} s CPU median per page")
    for name, runs in theirs.items():
        cpu = sum(c for c, _ in ours) / sum(c for c, _ in runs)
        wall = sum(w for _, w in ours) / sum(w for _, w in runs)
        pages_ratio = [o[0] / t[0] for o, t in zip(ours, runs, strict=True)]
        print(
            f"  {name}: {statistics.median(c for c, _ in runs):.1f} s CPU median per page; "
            f"ratio ours/engine {cpu:.2f} CPU overall (pages {min(pages_ratio):.2f}–"
            f"{max(pages_ratio):.2f}), {wall:.2f} wall"
        )
        if name == "engine as it comes":
            worst = max(pages_ratio)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {maxrss_mb:.0f} MB resident (maxrss, every engine in one process)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
