"""Hard cuts: a frame that differs from the one before far more than its neighbours do.

For every frame ``t`` (the first frame of a would-be new shot) three margins
are measured on the fine change signal ``d(t-1, t)``:

- *excess*: ``d(t-1, t)`` minus the median change of the ``WINDOW`` frames on
  each side, over ``EXCESS_REF``;
- *ratio*: ``d(t-1, t)`` over that median (plus a small floor), mapped so a
  ratio of 1 gives 0 and ``RATIO_REF`` gives 1 -- the adaptive part, which
  makes steady fast motion or a ticking counter harmless;
- *persistence*: the smallest change between the frames before the cut and
  the frames after it, up to three frames apart (``d(t-1, t+j)`` and
  ``d(t-1-i, t)``), each minus the change steady motion gives at its lag,
  over ``EXCESS_REF``. A flash of one to three frames returns to the old
  picture, so this margin stays near 0.

The strength of the cut is the smallest of the three; ``cut_threshold`` is the
strength needed (0.5 by default: an excess of 0.05, a ratio of 2.5).

A boundary found this way is a ``"cut"`` when it is abrupt: the change into
frame ``t`` is at least ``ABRUPT`` of the change over four frames across it.
Otherwise it is a short dissolve or a quick fade (each frame carries only
part of the change) and is reported as ``"gradual"``, at the frame that
changes most.
"""

from __future__ import annotations

import numpy as np

from vidclip.segment.boundaries import Boundary
from vidclip.segment.signals import SHORT_LAGS, FrameSignals, shift

WINDOW = 4
EXCESS_REF = 0.1
RATIO_REF = 4.0
RATIO_FLOOR = 0.01
#: Frames after (and before) the cut that must stay different: flashes up to
#: this long are not cuts.
PERSIST = len(SHORT_LAGS) - 1
ABRUPT = 0.6


def _rowwise(rows: np.ndarray, reduce) -> np.ndarray:
    """``reduce`` (a NaN-aware numpy reducer) over each row; NaN for all-NaN rows."""
    out = np.full(len(rows), np.nan, dtype=np.float32)
    has = ~np.all(np.isnan(rows), axis=1)
    out[has] = reduce(rows[has], axis=1)
    return out


def local_median(values: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Median of the ``window`` values on each side of every element (itself excluded)."""
    padded = np.concatenate([np.full(window, np.nan), values, np.full(window, np.nan)])
    views = np.lib.stride_tricks.sliding_window_view(padded, 2 * window + 1)
    return _rowwise(np.delete(views, window, axis=1), np.nanmedian)


def _window_median(values: np.ndarray, offset: int, window: int) -> np.ndarray:
    """``out[t]`` = median of ``values[t + offset : t + offset + window]`` (NaN-aware)."""
    n = len(values)
    lead, trail = max(0, -offset), max(0, offset + window)
    padded = np.concatenate([np.full(lead, np.nan), values, np.full(trail, np.nan)])
    views = np.lib.stride_tricks.sliding_window_view(padded, window)
    return _rowwise(views[lead + offset : lead + offset + n], np.nanmedian)


def persistence(short: np.ndarray) -> np.ndarray:
    """Smallest change across each frame boundary, up to PERSIST frames away.

    ``short[t, k-1]`` is the change from frame ``t-k`` to ``t``. Every pair
    straddles the boundary between ``t-1`` and ``t`` and is measured above
    what steady motion gives at its lag: the median at that lag over frame
    pairs wholly before or wholly after the boundary, the calmer side.
    """
    base = []
    for k in range(1, short.shape[1] + 1):
        before = _window_median(short[:, k - 1], -WINDOW, WINDOW)
        after = _window_median(short[:, k - 1], k, WINDOW)
        base.append(np.nan_to_num(np.fmin(before, after), nan=0.0))
    pairs = [short[:, i] - base[i] for i in range(PERSIST + 1)]  # d(t-1-i, t)
    # d(t-1, t+j): lag j+1, stored at frame t+j.
    pairs += [shift(short[:, j], j) - base[j] for j in range(1, PERSIST + 1)]
    return _rowwise(np.stack(pairs, axis=1), np.nanmin)


def _strength(short: np.ndarray) -> np.ndarray:
    change = short[:, 0]
    base = np.nan_to_num(local_median(change), nan=0.0)
    excess = (change - base) / EXCESS_REF
    ratio = (change / (base + RATIO_FLOOR) - 1.0) / (RATIO_REF - 1.0)
    return np.minimum(np.minimum(excess, ratio), persistence(short) / EXCESS_REF)


def cut_strength(signals: FrameSignals) -> np.ndarray:
    """Strength of a cut at every frame (NaN where unknown); see the module docstring.

    Scored twice, and the better counts: on histograms with the fine grid
    (sees cuts between shots of similar colours) and on histograms alone
    (fast camera motion moves the grid every frame but hardly the colours).
    """
    return np.fmax(_strength(signals.short), _strength(signals.short_hist))


def abruptness(short: np.ndarray) -> np.ndarray:
    """Change into each frame over the largest change across it four frames apart."""
    lag = short.shape[1]
    ahead = shift(short[:, lag - 1], lag - 1)  # d(t-1, t+lag-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return short[:, 0] / np.fmax(np.fmax(short[:, lag - 1], ahead), short[:, 0])


def detect_cuts(signals: FrameSignals, threshold: float) -> list[Boundary]:
    strength = cut_strength(signals)
    abrupt = np.nan_to_num(abruptness(signals.short), nan=1.0) >= ABRUPT
    score = np.nan_to_num(strength, nan=-np.inf)
    candidates = np.flatnonzero(score >= threshold)
    cuts: list[Boundary] = []
    for pos in candidates:
        # Two cuts a frame or two apart are one event; keep the stronger.
        lo, hi = max(0, pos - 2), min(len(score), pos + 3)
        if score[pos] < score[lo:hi].max() or (cuts and pos - cuts[-1].pos <= 2):
            continue
        cuts.append(
            Boundary(
                pos=int(pos),
                kind="cut" if abrupt[pos] else "gradual",
                strength=float(strength[pos]),
                span=(int(pos) - 1, int(pos) + 1),
                source="cut",
                magnitude=float(signals.short[pos, 0]),
            )
        )
    return cuts
