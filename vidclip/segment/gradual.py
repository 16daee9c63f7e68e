"""Gradual transitions (dissolves, wipes, dips): a slow change between two steady shots.

For each scale ``L`` (an even span of frames, see
:func:`~vidclip.segment.signals.gradual_scales`) and every frame ``t``,
compare the frames ``L/2`` before and ``L/2`` after it (*cross*) with how
much each side changes on its own: the ``L/2`` frames just before
(*left*: ``t-L .. t-L/2``) and just after (*right*: ``t+L/2 .. t+L``). A
transition of up to ``L`` frames centred on ``t`` raises only *cross*;
camera motion raises all three. The reference is the larger of

- the calmer side scaled by how much this video's change grows from ``L/2``
  to ``L`` frames apart (``growth``, a robust per-video estimate): steady
  motion on both sides, seen over a span twice as long, and
- the busier side as it is: a camera that starts to move, or a dissolve into
  a moving shot, only half of whose span is in motion.

With linear mixing the score is symmetric about the middle of the
transition, so the middle of its peak lands inside it. Strength is the
smaller of ``(cross - ref) / EXCESS_REF`` and ``(cross / ref - 1) /
(RATIO_REF - 1)``, with ``ref = max(growth * min(left, right), max(left,
right))``; it counts only where the cross change covers the picture (its
median over the grid cells is at least ``SPREAD_MIN`` of its mean): an
object moving into one part of the view is not a transition. The score is
smoothed over ``L/4`` frames so that one odd frame (a flash) cannot make a
peak. It is scored on histograms with the coarse grid (sees dissolves
between shots of similar colours) and on histograms alone (sees through fast
camera motion); the better counts. Peaks found at several scales are the
same event; the finest scale that sees it almost as strongly as the best one
places it (a wide span has a wide, less certain peak).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vidclip.segment.boundaries import Boundary
from vidclip.segment.signals import FrameSignals, shift

EXCESS_REF = 0.3
RATIO_REF = 4.0
RATIO_FLOOR = 0.02
#: Part of a peak (relative to its top) whose middle gives the position.
PEAK_LEVEL = 0.7
#: Spread of the cross change (median over mean cell change) needed: a change
#: in one part of the picture only is something moving, not a transition.
SPREAD_MIN = 0.45
#: A finer scale wins over the strongest one if it reaches this share of it.
FINE_ENOUGH = 0.75
#: Bounds and fallback of the change growth from L/2 to L frames apart.
GROWTH_MIN, GROWTH_MAX, GROWTH_DEFAULT = 1.0, 2.0, 1.4
#: Half-span changes below this are noise and say nothing about growth.
GROWTH_FLOOR = 0.02


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return values
    filled = np.nan_to_num(values, nan=0.0)
    kernel = np.ones(width, dtype=np.float32) / width
    return np.convolve(filled, kernel, mode="same")


def growth(full: np.ndarray, half: np.ndarray) -> float:
    """Median ratio of the change over L frames to the change over L/2 frames."""
    ok = (half >= GROWTH_FLOOR) & np.isfinite(full)
    if np.count_nonzero(ok) < 10:
        return GROWTH_DEFAULT
    return float(np.clip(np.median(full[ok] / half[ok]), GROWTH_MIN, GROWTH_MAX))


def _strength(full: np.ndarray, half: np.ndarray, spread: np.ndarray, span: int) -> np.ndarray:
    a = span // 2
    cross = shift(full, a)
    local = shift(spread, a) < SPREAD_MIN
    left, right = shift(half, -a), shift(half, a + a)
    with np.errstate(invalid="ignore"):
        # NaN unless both sides exist.
        ref = np.maximum(growth(full, half) * np.minimum(left, right), np.maximum(left, right))
        excess = (cross - ref) / EXCESS_REF
        ratio = (cross / (ref + RATIO_FLOOR) - 1.0) / (RATIO_REF - 1.0)
    strength = np.minimum(excess, ratio)
    strength[local] = np.minimum(strength[local], 0.0)
    return _smooth(strength, max(1, span // 4))


def scales(signals: FrameSignals) -> list[tuple[int, int, int]]:
    """(span, column of the span, column of the half span) for every usable scale."""
    col = {lag: j for j, lag in enumerate(signals.lags)}
    usable = [s for s in signals.lags if s >= 4 and s % 2 == 0 and s // 2 in col]
    return [(s, col[s], col[s // 2]) for s in usable]


def dissolve_strength(signals: FrameSignals, span: int) -> tuple[np.ndarray, np.ndarray]:
    """(strength, cross change) per frame at one scale ``span``."""
    (_, full, half), = [s for s in scales(signals) if s[0] == span]
    both, hist, spread = signals.long, signals.long_hist, signals.long_spread[:, full]
    strength = np.fmax(
        _strength(both[:, full], both[:, half], spread, span),
        _strength(hist[:, full], hist[:, half], spread, span),
    )
    return strength, shift(both[:, full], span // 2)


def detect_dissolves(
    signals: FrameSignals, threshold: float, taken: Sequence[Boundary] = ()
) -> list[Boundary]:
    """Gradual boundaries not already explained by ``taken`` (cuts and fades).

    A cut raises *cross* at every scale too; such peaks, and peaks at a
    coarse scale that reach into a cut or fade, are dropped before the
    scales compete, so a dissolve next to a cut can still win at a finer scale.
    """
    found: list[tuple[int, Boundary]] = []
    for span, _, _ in scales(signals):
        strength, cross = dissolve_strength(signals, span)
        found += [
            (span, b)
            for b in _peaks(strength, cross, threshold, half=span // 2)
            if not any(b.overlaps(t, margin=1) for t in taken)
        ]
    kept: list[Boundary] = []
    for _, cand in sorted(found, key=lambda sb: -sb[1].strength):
        # The same event seen at several scales: the finest scale that sees
        # it nearly as strongly places it best (its peak is the narrowest).
        pool = [
            (span, b)
            for span, b in found
            if (b.covers(cand.pos) or cand.covers(b.pos))
            and b.strength >= FINE_ENOUGH * cand.strength
        ]
        best = min(pool, key=lambda sb: sb[0])[1]
        if not any(k.covers(b.pos) or b.covers(k.pos) for k in kept for b in (cand, best)):
            kept.append(best)
    return sorted(kept, key=lambda b: b.pos)


def _peaks(strength: np.ndarray, cross: np.ndarray, threshold: float, half: int) -> list[Boundary]:
    above = np.nan_to_num(strength, nan=-np.inf) >= threshold
    if not above.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], above.astype(np.int8), [0]])))
    out = []
    for start, end in zip(edges[::2], edges[1::2]):
        region = strength[start:end]
        top = float(region.max())
        high = np.flatnonzero(region >= max(threshold, PEAK_LEVEL * top))
        pos = int(start) + int(round((high[0] + high[-1]) / 2))
        out.append(
            Boundary(
                pos=pos,
                kind="gradual",
                strength=top,
                # The transition lies within half a span of its centre.
                span=(min(int(start), pos - half), max(int(end), pos + half + 1)),
                source="dissolve",
                magnitude=float(np.nan_to_num(cross[pos])),
            )
        )
    return out
