"""Which frames the reader looks at, and which of them it actually reads.

Each scene's first moment (a little after its cut, past a dissolve) plus one
frame every ``interval_s`` inside long scenes. A looked-at frame is read only
when it differs from the last one read in the same scene: a cheap test on a
64 x 36 grey thumbnail (mean absolute difference above ``CHANGED``, 0-255).
Frames come from the decoder at a short side of ``SHORT_SIDE`` with rotation
applied (:func:`vidclip.decode.seek.read_frames`), so 8K and vertical input
arrive at a long side of about 1280 px, upright.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SHORT_SIDE = 720
#: Seconds after a cut before the scene's first look (past a short dissolve).
SETTLE_S = 0.2
#: Mean absolute grey difference (0-255) above which a frame is read again.
CHANGED = 4.0


def plan(scenes: Sequence[tuple[int, int]], fps: float, interval_s: float) -> list[int]:
    """Frame numbers to look at, from scenes as ``(start_frame, end_frame)``."""
    wanted: list[int] = []
    step = max(1, round(interval_s * fps))
    for start, end in scenes:
        if end <= start:
            continue
        first = min(end - 1, start + round(SETTLE_S * fps))
        wanted.extend(range(first, end, step))
    return sorted(set(wanted))


def thumbnail(frame: np.ndarray) -> np.ndarray:
    """A 64 x 36 grey float image (area-averaged by striding) for the change test."""
    grey = frame[..., :3].astype(np.float32).mean(axis=2)
    h, w = grey.shape
    ys = np.linspace(0, h, 37).astype(int)
    xs = np.linspace(0, w, 65).astype(int)
    return np.add.reduceat(np.add.reduceat(grey, ys[:-1], axis=0), xs[:-1], axis=1) / (
        np.diff(ys)[:, None] * np.diff(xs)[None, :])


def changed(a: np.ndarray, b: np.ndarray) -> bool:
    return float(np.abs(a - b).mean()) > CHANGED
