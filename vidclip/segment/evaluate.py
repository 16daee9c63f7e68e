"""Boundary precision / recall / F1 against ground truth (tests and benchmarks).

A predicted boundary is the first frame of a new scene. It matches a hard
cut at frame ``c`` (the first frame of the new shot) when it lies within
``tolerance`` frames of ``c``; it matches a gradual transition covering
frames ``[start, end)`` when it lies in ``[start - tolerance, end + tolerance]``
(``end`` itself is the first clean frame of the new shot, so a boundary
there is still "at the transition"). Matching is one-to-one, closest pairs
first, so two predictions for one transition count one false positive.
"""

from __future__ import annotations

from collections.abc import Iterable


def boundary_prf(
    predicted: Iterable[int],
    truth_cuts: Iterable[int],
    truth_gradual: Iterable[tuple[int, int]],
    tolerance: int = 1,
) -> tuple[float, float, float]:
    """(precision, recall, f1); all 1.0 when there is nothing to find and nothing found."""
    preds = sorted(int(p) for p in predicted)
    truths = [(int(c), int(c)) for c in truth_cuts]
    truths += [(int(a), int(b)) for a, b in truth_gradual]
    pairs = []
    for ti, (lo, hi) in enumerate(truths):
        for pi, p in enumerate(preds):
            gap = max(lo - p, p - hi, 0)
            if gap <= tolerance:
                pairs.append((gap, ti, pi))
    used_t: set[int] = set()
    used_p: set[int] = set()
    for _, ti, pi in sorted(pairs):
        if ti not in used_t and pi not in used_p:
            used_t.add(ti)
            used_p.add(pi)
    matched = len(used_t)
    precision = matched / len(preds) if preds else (1.0 if not truths else 0.0)
    recall = matched / len(truths) if truths else (1.0 if not preds else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
