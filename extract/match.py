"""Generic label matching against the label tables of `extract.labels`."""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache

from extract.normalize import norm_label

Variants = dict[str, tuple[str, ...]]

# Fuzzy matches below this ratio are not taken (typos like 其他法律行政止公开 pass).
FUZZY_THRESHOLD = 0.8


@lru_cache(maxsize=64)
def _normalised(table_id: int, items: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple:
    return tuple(
        (key, tuple(sorted({norm_label(v) for v in vs}, key=len, reverse=True)))
        for key, vs in items
    )


def _prepared(table: Variants) -> tuple:
    return _normalised(id(table), tuple(table.items()))


def match_exact(label: str, table: Variants) -> str | None:
    """The key one of whose variants equals the label, after normalisation."""
    norm = norm_label(label)
    if not norm:
        return None
    for key, variants in _prepared(table):
        if norm in variants:
            return key
    return None


def match_label(label: str, table: Variants, allowed: set[str] | None = None) -> str | None:
    """The key whose variant best explains the label.

    A variant contained in the label wins, the longest first (so 其他处理其他 beats
    其他处理, and a provincial note after 规章 does not matter); failing that, the
    closest fuzzy match of a variant against the end of the label, above
    FUZZY_THRESHOLD.
    """
    norm = norm_label(label)
    if not norm:
        return None
    best_key, best_score = None, 0.0
    for key, variants in _prepared(table):
        if allowed is not None and key not in allowed:
            continue
        for variant in variants:
            if variant and variant in norm:
                score = 1000.0 + len(variant) + (500 if norm == variant else 0)
            else:
                tail = norm[-len(variant) :] if len(norm) > len(variant) else norm
                ratio = SequenceMatcher(None, tail, variant, autojunk=False).ratio()
                if ratio < FUZZY_THRESHOLD or len(variant) < 4:
                    continue
                score = ratio * len(variant)
            if score > best_score:
                best_key, best_score = key, score
    return best_key
