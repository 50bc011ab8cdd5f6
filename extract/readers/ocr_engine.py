"""The OCR engine: RapidOCR's PP-OCR models, which ship inside the rapidocr-onnxruntime
wheel (nothing is downloaded), loaded once per process on first use.

Two calls: `detect` finds text lines on a picture (used outside ruled tables), and
`recognise` reads crops (one cell or one line each) in batches. For numeric cells the
recogniser's output is decoded a second time over the digits alone, so an "O" or "l" the
model half-saw becomes the digit it most likely is, with the digit's own probability as
the confidence, instead of a letter that would make the cell unreadable.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from extract.model import ExtractError

log = logging.getLogger(__name__)

_BATCH = 6  # as the engine batches: larger batches of long lines cost several times more
# Crops are padded to at least this width/height: the recogniser was trained on wide
# lines, and reads a lone digit padded to 4.5 heights as surely as at its 6.7, faster.
_MIN_RATIO = 4.5
_DIGITS = "0123456789"
_NUMERIC_EXTRA = ".,-"


# A digit read less surely than this has its runner-up kept as another reading.
_UNSURE_DIGIT = 0.9
# Runners-up this unlikely are not readings the model half-saw.
_RUNNER_UP_FLOOR = 0.01


@dataclass(frozen=True, slots=True)
class Reading:
    """What the recogniser read in one crop. `digits` is the same output decoded over
    digits (and . , -) only, with its confidence: the reading of a numeric cell;
    `alternatives` are the other digit strings the model half-saw (an unsure digit
    replaced by its runner-up, or dropped when the runner-up is the blank)."""

    text: str
    confidence: float
    digits: str
    digits_confidence: float
    alternatives: tuple[str, ...] = ()


@cache
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # an install without the OCR wheels: say so, go on
        raise ExtractError("needs_ocr", f"OCR engine not installed ({exc})") from exc

    log.info("loading the OCR models (%s)", engine_name())
    # Detection at the picture's own scale: the default ("min" 736) enlarges a strip of
    # the page (the heading above a table) to 736 pixels high, at several times the cost.
    # One thread per model: documents are read one per process per core (extraction.py),
    # and onnxruntime's default pool of a thread per core spins while it waits for work,
    # which cost 35–45% more CPU per page and no less wall time (benchmarks/ocr.py).
    return RapidOCR(det_limit_type="max", intra_op_num_threads=1, inter_op_num_threads=1)


@cache
def engine_name() -> str:
    """Engine and model versions, as recorded with every OCR'd document."""
    try:
        import rapidocr_onnxruntime
    except ImportError as exc:
        raise ExtractError("needs_ocr", f"OCR engine not installed ({exc})") from exc
    config = Path(rapidocr_onnxruntime.__file__).with_name("config.yaml").read_text()
    models = sorted(
        Path(line.split(":", 1)[1].strip()).stem
        for line in config.splitlines()
        if line.strip().startswith("model_path:")
    )
    return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')} ({', '.join(models)})"


def detect(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text lines on a BGR picture."""
    boxes, _ = _engine().text_det(image)
    if boxes is None:
        return []
    out = []
    for quad in boxes:
        xs, ys = quad[:, 0], quad[:, 1]
        out.append((int(xs.min()), int(ys.min()), int(math.ceil(xs.max())), int(ys.max())))
    return out


def recognise(crops: list[np.ndarray]) -> list[Reading]:
    """Read each BGR crop (one line of text) in batches of similar shape."""
    if not crops:
        return []
    rec = _engine().text_rec
    chars: list[str] = rec.postprocess_op.character
    numeric = np.array([0] + [i for i, c in enumerate(chars) if c in _DIGITS + _NUMERIC_EXTRA])
    ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
    order = np.argsort(ratios)
    out: list[Reading | None] = [None] * len(crops)
    for start in range(0, len(crops), _BATCH):
        batch = order[start : start + _BATCH]
        widest = max(_MIN_RATIO, *(ratios[i] for i in batch))
        images = np.stack([rec.resize_norm_img(crops[i], widest) for i in batch])
        preds = rec.session(images.astype(np.float32))[0]
        for i, pred in zip(batch, preds, strict=True):
            text, conf, _ = _decode(pred, np.arange(pred.shape[1]), chars)
            digits, digits_conf, others = _decode(pred, numeric, chars, alternatives=True)
            out[i] = Reading(text, conf, digits, digits_conf, others)
    return [r for r in out if r is not None]


def _decode(
    pred: np.ndarray, allowed: np.ndarray, chars: list[str], alternatives: bool = False
) -> tuple[str, float, tuple[str, ...]]:
    """Greedy CTC decoding over the `allowed` classes (0 is the blank): the text and the
    lowest probability among its characters (one doubtful digit makes a doubtful cell);
    with `alternatives`, also the texts with one unsure character replaced by the
    runner-up at the frame it was read from (or dropped, when that is the blank)."""
    sub = pred[:, allowed]
    best = allowed[sub.argmax(axis=1)]
    probs = sub.max(axis=1)
    text, confs, frames, previous = [], [], [], 0
    for frame, (index, prob) in enumerate(zip(best, probs, strict=True)):
        if index != 0 and index != previous:
            text.append(chars[index])
            confs.append(float(prob))
            frames.append(frame)
        previous = index
    others: list[str] = []
    for at, (conf, frame) in enumerate(zip(confs, frames, strict=True)):
        if not alternatives or conf >= _UNSURE_DIGIT:
            continue
        ranked = allowed[np.argsort(sub[frame])]
        runner = int(ranked[-2])
        if pred[frame, runner] >= _RUNNER_UP_FLOOR:
            others.append(
                "".join(text[:at]) + (chars[runner] if runner else "") + "".join(text[at + 1 :])
            )
    return "".join(text), min(confs, default=0.0), tuple(dict.fromkeys(others))
