"""Which frames the reader looks at.

Each scene's first moment (a little after its cut, past a dissolve) plus one
frame every ``interval_s`` inside long scenes. A looked-at frame is read only
when it changed since the last one read in the same scene
(:mod:`vidclip.ocr.change`). Frames come from the decoder at a short side of
``SHORT_SIDE`` with rotation applied (:func:`vidclip.decode.seek.iter_frames`),
so 8K and vertical input arrive at a long side of about 1280 px, upright.
"""

from __future__ import annotations

from collections.abc import Sequence

SHORT_SIDE = 720
#: Seconds after a cut before the scene's first look (past a short dissolve).
SETTLE_S = 0.2


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
