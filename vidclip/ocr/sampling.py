"""Which frames the reader looks at.

In the main pass (PyAV with previews, the default on a CPU), one frame every
``text.interval_s`` seconds of video, converted at a short side of
``SHORT_SIDE`` beside the model's smaller one (:func:`look_spec`); the text
stage reads them while the other frames are encoded
(:class:`vidclip.ocr.watch.Watcher`). Where the decoder cannot deliver them
(decord, torchcodec on a GPU), the frames are decoded again after the scenes
are known (:func:`plan`): each scene's first moment, a little after its cut,
then one every ``interval_s``.

Either way a looked-at frame is read only when it changed since the last one
read (:mod:`vidclip.ocr.change`), and comes at a short side of ``SHORT_SIDE``
(never upscaled) with rotation applied, so 8K and vertical input arrive at a
long side of about 1280 px, upright.
"""

from __future__ import annotations

from collections.abc import Sequence

from vidclip.config import TextOptions
from vidclip.decode.types import LookSpec

SHORT_SIDE = 720
#: Seconds after a cut before the scene's first look (past a short dissolve).
SETTLE_S = 0.2


def look_spec(options: TextOptions) -> LookSpec:
    """The main pass's looks for these options."""
    # The first look past a fade-in's first frames, as after any cut.
    return LookSpec(every_s=options.interval_s, short_side=SHORT_SIDE, first_s=SETTLE_S)


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
