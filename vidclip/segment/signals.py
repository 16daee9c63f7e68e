"""Per-frame change signals, computed chunk by chunk with a flat memory cost.

Each frame is reduced to a small signature: an area-averaged YCbCr grid of
about 28 cells on the short side, and soft-binned Y/Cb/Cr histograms. Only
the last few signatures are kept (a ring buffer as long as the longest lag);
what is kept for every frame is a handful of scalars:

- ``short_hist[:, k-1]`` and ``short_grid[:, k-1]``: change from frame
  ``t-k`` to ``t`` for ``k = 1..4`` in the histograms and on the fine grid;
  drive hard cuts and the flash test;
- ``long_hist[:, j]`` and ``long_grid[:, j]``: change from ``t-lags[j]`` to
  ``t`` in the histograms alone and on a coarse grid; they tolerate camera
  motion (histograms much more so) and drive gradual transitions;
  ``long_spread`` says whether that grid change covers the whole picture;
- ``luma``/``luma_std``: for black frames in fades;
- ``colour``: mean Y, Cb, Cr and the four quadrant lumas, to tell which
  neighbour a too-short scene resembles.

All distances are in [0, 1]: 0 is the same picture, about 0.5 two unrelated
natural shots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidclip.decode.types import FrameBatch

#: Cells on the short side of the fine grid.
GRID_CELLS = 28
#: Fine-grid cells averaged (per side) into one coarse cell.
COARSE_FACTOR = 4
#: Mean absolute difference (levels, Y weighted 1/2, Cb and Cr 1/4 each)
#: that counts as a full change. Luma carries the layout, so it weighs most.
GRID_SCALE = 64.0
_GRID_WEIGHTS = np.array([0.5, 0.25, 0.25], dtype=np.float32)
SHORT_LAGS = (1, 2, 3, 4)
Y_BINS, C_BINS = 16, 8
#: Chroma histogram range: natural video rarely leaves it, so the bins stay fine.
C_LOW, C_HIGH = 64.0, 192.0
COLOUR_FEATURES = 8

_YCBCR = np.array(
    [
        [0.299, -0.168736, 0.5],
        [0.587, -0.331264, -0.418688],
        [0.114, 0.5, -0.081312],
    ],
    dtype=np.float32,
)
_YCBCR_OFFSET = np.array([0.0, 128.0, 128.0], dtype=np.float32)


def downscale(frames: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 RGB -> (N, h, w, 3) float32 YCbCr area means.

    Every other pixel (each way) is read, then summed per block with strided
    uint16 adds: several times faster than a reshape-and-mean, and exact
    (at most 16 x 16 values of 255 per cell fit in uint16 below 2 ** 16).
    """
    step = 2 if min(frames.shape[1:3]) >= 96 else 1
    x = frames[:, ::step, ::step]
    n, h, w, _ = x.shape
    block = min(16, max(1, min(h, w) // GRID_CELLS))
    gh, gw = max(1, h // block), max(1, w // block)
    x = x[:, : gh * block, : gw * block]
    rows = x[:, 0::block].astype(np.uint16)
    for i in range(1, block):
        rows += x[:, i::block]
    cells = rows[:, :, 0::block].copy()
    for i in range(1, block):
        cells += rows[:, :, i::block]
    flat = cells.reshape(-1, 3).astype(np.float32)
    ycbcr = flat @ (_YCBCR * np.float32(1.0 / (block * block))) + _YCBCR_OFFSET
    return ycbcr.reshape(n, gh, gw, 3)


def _coarse(grid: np.ndarray) -> np.ndarray:
    n, gh, gw, c = grid.shape
    f = COARSE_FACTOR
    ch, cw = max(1, gh // f), max(1, gw // f)
    fh, fw = gh // ch, gw // cw
    g = grid[:, : ch * fh, : cw * fw].reshape(n, ch, fh, cw, fw, c)
    return g.mean(axis=(2, 4))


def _soft_hist(values: np.ndarray, bins: int, low: float, high: float) -> np.ndarray:
    """Histograms of each row with linear (soft) binning, normalised to sum 1.

    Soft binning keeps the distance smooth when a flat picture drifts across
    a bin edge (a fade of a flat colour would otherwise jump).
    """
    n, m = values.shape
    pos = (np.clip(values, low, high) - low) * ((bins - 1) / (high - low))
    lower = np.minimum(pos.astype(np.int64), bins - 2)
    frac = pos - lower
    offset = (np.arange(n, dtype=np.int64) * bins)[:, None]
    hist = np.bincount((lower + offset).ravel(), (1.0 - frac).ravel(), n * bins)
    hist += np.bincount((lower + 1 + offset).ravel(), frac.ravel(), n * bins)
    return (hist.reshape(n, bins) / m).astype(np.float32)


@dataclass
class Signature:
    """Signatures of consecutive frames (rows)."""

    fine: np.ndarray  # (N, Gf) YCbCr grid
    coarse: np.ndarray  # (N, Gc)
    hist: np.ndarray  # (N, Y_BINS + 2 * C_BINS)

    def __len__(self) -> int:
        return len(self.hist)

    @staticmethod
    def concat(a: "Signature", b: "Signature") -> "Signature":
        return Signature(*(np.concatenate([x, y]) for x, y in zip(a.parts(), b.parts())))

    def parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.fine, self.coarse, self.hist

    def tail(self, rows: int) -> "Signature":
        return Signature(*(x[len(x) - rows :] if rows else x[:0] for x in self.parts()))


def signature(grid: np.ndarray) -> Signature:
    n = len(grid)
    flat = grid.reshape(n, -1, 3)
    hist = np.concatenate(
        [
            _soft_hist(flat[:, :, 0], Y_BINS, 0.0, 255.0),
            _soft_hist(flat[:, :, 1], C_BINS, C_LOW, C_HIGH),
            _soft_hist(flat[:, :, 2], C_BINS, C_LOW, C_HIGH),
        ],
        axis=1,
    )
    return Signature(grid.reshape(n, -1), _coarse(grid).reshape(n, -1), hist)


_HIST_WEIGHTS = np.concatenate(
    [np.full(Y_BINS, 0.5), np.full(2 * C_BINS, 0.25)]
).astype(np.float32) * np.float32(0.5)


def hist_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Half the L1 distance of the histograms, Y weighted 1/2, Cb and Cr 1/4 each."""
    return np.abs(a - b) @ _HIST_WEIGHTS


def grid_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Weighted mean absolute difference of two (N, cells * 3) YCbCr grids, in [0, 1]."""
    cells = a.shape[1] // 3
    weights = np.tile(_GRID_WEIGHTS, cells) * np.float32(1.0 / (cells * GRID_SCALE))
    return np.minimum(1.0, np.abs(a - b) @ weights)


def grid_spread(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Median over cells of the weighted change, over its mean (0 when nothing changed).

    About 1 when the whole picture changes alike (a dissolve, a light coming
    on), well under 1 when only part of it does (an object moving in).
    """
    cells = a.shape[1] // 3
    diff = np.abs(a - b).reshape(len(a), cells, 3) @ _GRID_WEIGHTS
    mean = diff.mean(axis=1)
    return np.median(diff, axis=1) / np.maximum(mean, np.float32(1e-3))


def colour_summary(grid: np.ndarray) -> np.ndarray:
    """Mean Y, Cb, Cr, the four quadrant lumas and the luma spread, per frame."""
    n, gh, gw, _ = grid.shape
    means = grid.mean(axis=(1, 2))
    y = grid[..., 0]
    hh, hw = max(1, gh // 2), max(1, gw // 2)
    quads = [y[:, :hh, :hw], y[:, :hh, hw:], y[:, hh:, :hw], y[:, hh:, hw:]]
    quad_means = np.stack([q.mean(axis=(1, 2)) if q.size else means[:, 0] for q in quads], 1)
    return np.concatenate([means, quad_means, y.reshape(n, -1).std(axis=1)[:, None]], axis=1)


@dataclass
class FrameSignals:
    """Scalars for every observed frame, in order (see the module docstring)."""

    index: np.ndarray  # (n,) int64 frame numbers
    time: np.ndarray  # (n,) float64 seconds
    short_hist: np.ndarray  # (n, len(SHORT_LAGS)), NaN where t-k does not exist
    short_grid: np.ndarray  # (n, len(SHORT_LAGS))
    long_hist: np.ndarray  # (n, len(lags))
    long_grid: np.ndarray  # (n, len(lags))
    long_spread: np.ndarray  # (n, len(lags)), see grid_spread
    lags: tuple[int, ...]
    colour: np.ndarray  # (n, COLOUR_FEATURES)

    @property
    def short(self) -> np.ndarray:
        """Histogram and fine-grid change together, at lags 1..4."""
        return 0.5 * (self.short_hist + self.short_grid)

    @property
    def long(self) -> np.ndarray:
        """Histogram and coarse-grid change together, at each of ``lags``."""
        return 0.5 * (self.long_hist + self.long_grid)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def luma(self) -> np.ndarray:
        return self.colour[:, 0]

    @property
    def luma_std(self) -> np.ndarray:
        return self.colour[:, 7]


def shift(values: np.ndarray, by: int) -> np.ndarray:
    """``out[t] = values[t + by]`` along the first axis, NaN outside."""
    out = np.full(values.shape, np.nan, dtype=np.float32)
    n = len(values)
    if abs(by) >= n:
        return out
    if by >= 0:
        out[: n - by] = values[by:]
    else:
        out[-by:] = values[: n + by]
    return out


#: Spans (seconds) over which gradual transitions are looked for.
GRADUAL_SPANS_S = (0.267, 0.4, 0.533, 0.8, 1.067, 1.6, 2.133)


def gradual_scales(fps: float) -> tuple[int, ...]:
    """Even frame spans, about 0.27 s to 2.1 s: the transition lengths looked for."""
    return tuple(sorted({max(4, 2 * round(fps * s / 2)) for s in GRADUAL_SPANS_S}))


def gradual_lags(fps: float) -> tuple[int, ...]:
    """Lags kept per frame: every scale and its half (the reference span)."""
    scales = gradual_scales(fps)
    return tuple(sorted(set(scales) | {s // 2 for s in scales}))


class SignalTracker:
    """Turns a stream of frame batches into :class:`FrameSignals`."""

    def __init__(self, fps_hint: float | None = None):
        self._fps_hint = fps_hint
        self.lags: tuple[int, ...] | None = None
        self._tail: Signature | None = None
        names = ("index", "time", "short_hist", "short_grid", "long_hist", "long_grid",
                 "long_spread", "colour")  # fmt: skip
        self._parts: dict[str, list[np.ndarray]] = {k: [] for k in names}
        self._count = 0
        self._last_index = -1

    @property
    def frames_seen(self) -> int:
        return self._count

    @property
    def buffered(self) -> int:
        """Signatures held in the ring buffer (bounded by the longest lag)."""
        return 0 if self._tail is None else len(self._tail)

    def observe(self, batch: FrameBatch) -> None:
        frames = np.asarray(batch.frames)
        if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
            raise ValueError(
                f"expected (N, H, W, 3) uint8 frames, got {frames.shape} {frames.dtype}"
            )
        if len(frames) == 0:
            return
        index = np.asarray(batch.indices, dtype=np.int64)
        if index[0] <= self._last_index or np.any(np.diff(index) <= 0):
            raise ValueError("frame batches must arrive in increasing frame order")
        times = np.asarray(batch.times_s, dtype=np.float64)
        if self.lags is None:
            self.lags = gradual_lags(self._estimate_fps(times))
        grid = downscale(frames)
        sig = signature(grid)
        cat = sig if self._tail is None else Signature.concat(self._tail, sig)
        prior = len(cat) - len(sig)
        by_hist, by_grid = _lagged(cat.fine, cat.hist, prior, SHORT_LAGS)
        self._parts["short_hist"].append(by_hist)
        self._parts["short_grid"].append(by_grid)
        by_hist, by_grid, spread = _lagged(cat.coarse, cat.hist, prior, self.lags, spread=True)
        self._parts["long_hist"].append(by_hist)
        self._parts["long_grid"].append(by_grid)
        self._parts["long_spread"].append(spread)
        self._parts["colour"].append(colour_summary(grid).astype(np.float32))
        self._parts["index"].append(index)
        self._parts["time"].append(times)
        self._tail = cat.tail(min(len(cat), max(*self.lags, *SHORT_LAGS)))
        self._count += len(frames)
        self._last_index = int(index[-1])

    def _estimate_fps(self, times: np.ndarray) -> float:
        if self._fps_hint and self._fps_hint > 0:
            return float(self._fps_hint)
        steps = np.diff(times)
        steps = steps[steps > 0]
        return float(1.0 / np.median(steps)) if len(steps) else 30.0

    def signals(self) -> FrameSignals:
        lags = self.lags or gradual_lags(self._fps_hint or 30.0)
        p: dict[str, np.ndarray]
        if not self._count:
            p = {k: np.zeros((0, len(SHORT_LAGS)), np.float32) for k in self._parts}
            longs = ("long_hist", "long_grid", "long_spread")
            p |= {k: np.zeros((0, len(lags)), np.float32) for k in longs}
            p |= {"index": np.zeros(0, np.int64), "time": np.zeros(0)}
            p["colour"] = np.zeros((0, COLOUR_FEATURES), np.float32)
        else:
            p = {k: np.concatenate(v) for k, v in self._parts.items()}
        return FrameSignals(lags=lags, **p)


def _lagged(
    grid: np.ndarray, hist: np.ndarray, prior: int, lags: tuple[int, ...], spread: bool = False
) -> tuple[np.ndarray, ...]:
    """Distances from each new row (after ``prior``) to ``lag`` rows back.

    Returns (histogram, grid) distances, plus with ``spread`` how evenly the
    grid change covers the picture (see :func:`grid_spread`).
    """
    total = len(grid)
    shape = (total - prior, len(lags))
    outs = [np.full(shape, np.nan, dtype=np.float32) for _ in range(2 + spread)]
    for j, lag in enumerate(lags):
        first = max(prior, lag)
        if first >= total:
            continue
        now, then = slice(first, total), slice(first - lag, total - lag)
        outs[0][first - prior :, j] = hist_distance(hist[now], hist[then])
        outs[1][first - prior :, j] = grid_distance(grid[now], grid[then])
        if spread:
            outs[2][first - prior :, j] = grid_spread(grid[now], grid[then])
    return tuple(outs)
