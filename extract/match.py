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


def match_label(
    label: str, table: Variants, allowed: set[str] | None = None, fuzzy: bool = True
) -> str | None:
    """The key whose variant best explains the label.

    A variant contained in the label wins, the longest first (so 其他处理其他 beats
    其他处理, and a provincial note after 规章 does not matter); failing that, unless
    `fuzzy` is off (tables with open-ended rows, where a near miss is another row), the
    closest fuzzy match of a variant against the end of the label, above
    FUZZY_THRESHOLD. Results are cached: the same labels recur in every report.
    """
    allowed_keys = frozenset(allowed) if allowed else None
    return _match(norm_label(label), _prepared(table), allowed_keys, fuzzy)


@lru_cache(maxsize=65536)
def _match(
    norm: str, prepared: tuple, allowed: frozenset[str] | None, fuzzy: bool = True
) -> str | None:
    if not norm:
        return None
    candidates = [(k, vs) for k, vs in prepared if allowed is None or k in allowed]
    best_key, best_score = None, 0.0
    for key, variants in candidates:
        for variant in variants:
            if variant and variant in norm:
                score = len(variant) + (500 if norm == variant else 0)
                if score > best_score:
                    best_key, best_score = key, score
    if best_key is not None or not fuzzy:
        return best_key
    for key, variants in candidates:
        for variant in variants:
            if len(variant) < 4:
                continue
            tail = norm[-len(variant) :] if len(norm) > len(variant) else norm
            ratio = SequenceMatcher(None, tail, variant, autojunk=False).ratio()
            if ratio >= FUZZY_THRESHOLD and ratio * len(variant) > best_score:
                best_key, best_score = key, ratio * len(variant)
    return best_key
