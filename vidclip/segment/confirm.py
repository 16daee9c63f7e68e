"""Second opinion from the CLIP embeddings of the sampled frames (optional).

Pixels decide; embeddings only adjust the margins, and only when the caller
says they mean something (real pretrained weights -- a random-weight test
model gives vectors whose distances say little). Two rules, both gated by
this video's own distribution of distances between consecutive samples so
that a model whose embeddings are all alike (or all different) changes
nothing:

- *drop*: a weak pixel boundary (strength below ``threshold + WEAK_MARGIN``)
  whose nearest samples on both sides are nearly the same picture in
  embedding space (cosine distance under ``SAME_DIST`` and no larger than
  three quarters of this video's consecutive-sample distances) is removed;
- *add*: a jump between consecutive samples far above the usual one (over
  ``JUMP_DIST`` and ``JUMP_MADS`` robust deviations above the median) with no
  pixel boundary between them adds a gradual boundary where the pixel
  change between those two samples peaks.
"""

from __future__ import annotations

import numpy as np

from vidclip.segment.boundaries import Boundary
from vidclip.segment.signals import FrameSignals, shift

WEAK_MARGIN = 0.25
SAME_DIST = 0.03
SAME_QUANTILE = 0.75
JUMP_DIST = 0.2
JUMP_MADS = 6.0
#: Samples further apart than this say nothing about one boundary.
MAX_GAP_S = 2.5


def confirm_with_embeddings(
    boundaries: list[Boundary],
    signals: FrameSignals,
    times: np.ndarray,
    embeddings: np.ndarray,
    threshold: float,
) -> list[Boundary]:
    times = np.asarray(times, dtype=np.float64)
    emb = np.asarray(embeddings, dtype=np.float32)
    if emb.ndim != 2 or len(emb) != len(times):
        raise ValueError(
            f"sampled_embeddings must be (M, D) with M = len(sampled_times); "
            f"got {emb.shape} for {len(times)} times"
        )
    if len(times) < 3 or len(signals) < 2:
        return boundaries
    order = np.argsort(times, kind="stable")
    times, emb = times[order], emb[order]
    emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    dist = 1.0 - np.einsum("ij,ij->i", emb[:-1], emb[1:])
    median = float(np.median(dist))
    spread = 1.4826 * float(np.median(np.abs(dist - median)))
    same = min(SAME_DIST, float(np.quantile(dist, SAME_QUANTILE)))
    kept = _drop_weak(boundaries, signals, times, dist, same, threshold)
    jump = max(JUMP_DIST, median + JUMP_MADS * spread)
    added = _add_jumps(kept, signals, times, dist, jump, threshold)
    return sorted(kept + added, key=lambda b: b.pos)


def _drop_weak(
    boundaries: list[Boundary],
    signals: FrameSignals,
    times: np.ndarray,
    dist: np.ndarray,
    same: float,
    threshold: float,
) -> list[Boundary]:
    bound_times = np.array([signals.time[b.pos] for b in boundaries])
    kept = []
    for b, t in zip(boundaries, bound_times):
        after = int(np.searchsorted(times, t, side="left"))
        weak = b.source != "fade" and b.strength < threshold + WEAK_MARGIN
        if weak and 1 <= after < len(times) and times[after] - times[after - 1] <= MAX_GAP_S:
            between = (bound_times > times[after - 1]) & (bound_times <= times[after])
            if np.count_nonzero(between) == 1 and dist[after - 1] <= same:
                continue
        kept.append(b)
    return kept


def _add_jumps(
    boundaries: list[Boundary],
    signals: FrameSignals,
    times: np.ndarray,
    dist: np.ndarray,
    jump: float,
    threshold: float,
) -> list[Boundary]:
    taken = np.array([b.pos for b in boundaries], dtype=np.int64)
    half = signals.lags[0] // 2
    change = signals.long[:, 0]
    centred = shift(change, half)  # change from t-half to t+half
    added = []
    for i in np.flatnonzero(dist >= jump):
        if times[i + 1] - times[i] > MAX_GAP_S:
            continue
        p0, p1 = np.searchsorted(signals.time, [times[i], times[i + 1]])
        p0, p1 = int(p0), int(min(p1, len(signals) - 1))
        if p1 <= p0 or np.any((taken >= p0 - half) & (taken <= p1 + half)):
            continue
        window = centred[p0 + 1 : p1 + 1]
        if np.all(np.isnan(window)):
            window = signals.short[p0 + 1 : p1 + 1, 0]
        if np.all(np.isnan(window)):
            continue
        pos = p0 + 1 + int(np.nanargmax(window))
        added.append(
            Boundary(
                pos=pos, kind="gradual", strength=threshold, span=(p0, p1 + 1),
                source="embedding", magnitude=float(dist[i]),
            )
        )  # fmt: skip
    return added
