"""Stage 4b, on-screen text: read the planned frames and track what they say.

Runs after visual moderation. The frames are decoded again by number, in one
pass (:func:`vidclip.decode.seek.iter_frames`, the decoder that applies
rotation), only those :func:`vidclip.ocr.sampling.plan` picks. A frame that did
not change since the last one read in its scene reuses that one's lines
(:func:`vidclip.ocr.change.changed`); one that changed is read again, the
reader recognising only its new lines (:meth:`TextReader.read_again`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from vidclip.context import AnalysisContext
from vidclip.decode.seek import iter_frames
from vidclip.ocr import change, sampling
from vidclip.ocr.base import Line, TextReader
from vidclip.ocr.track import track
from vidclip.schema import OnScreenText, TextReaderInfo
from vidclip.stages.scenes import SegmentedVideo

#: Planned frames decoded at once (bounded memory on long videos).
CHUNK = 32


def read_text(ctx: AnalysisContext, source: str, video: SegmentedVideo,
              reader: TextReader) -> tuple[list[OnScreenText], int]:
    """The tracked items and how many frames the reader ran on."""
    options = ctx.config.text
    fps = video.info.fps or 25.0
    spans = [(s.start_frame, s.end_frame) for s in video.scenes]
    wanted = sampling.plan(spans, fps, options.interval_s)
    if not wanted:
        return [], 0
    backend = "pyav" if video.info.decoder != "decord" else ctx.config.decoder
    # Never upscale a small video (it only costs the detector), and decode the planned
    # frames a chunk at a time: a long video plans thousands.
    short_side = min(sampling.SHORT_SIDE, min(video.info.width, video.info.height) or
                     sampling.SHORT_SIDE)
    scene_of = _scene_index(spans)
    observed: list[tuple[float, list[Line]]] = []
    last: _Read | None = None  # the last frame read, in the scene being looked at
    read = 0
    # A look needs a moment, not that very frame: the decoder may skip unreferenced frames.
    for batch in iter_frames(source, wanted, short_side, backend, chunk=CHUNK, exact=False):
        for frame, time_s, index in zip(batch.frames, batch.times_s, batch.indices):
            scene = scene_of(int(index))
            small = change.thumbnail(frame)
            if last is None or last.scene != scene:
                # A scene's first look stands for its start: text on a card appears with the cut.
                if scene < len(video.scenes):
                    time_s = video.scenes[scene].start_s
                last = _Read(scene, small, frame.copy(), reader.read([frame])[0])
                read += 1
            elif change.changed(last.thumbnail, small):
                lines = reader.read_again(frame, last.frame, last.lines)
                last = _Read(scene, small, frame.copy(), lines)
                read += 1
            observed.append((float(time_s), last.lines))  # unchanged: the same lines
    end_s = video.info.start_time_s + video.info.duration_s
    return track(observed, end_s, options.min_confidence), read


@dataclass(frozen=True)
class _Read:
    """The last frame read in a scene: what the next look is compared with."""

    scene: int
    thumbnail: np.ndarray
    frame: np.ndarray
    lines: list[Line]


def _scene_index(spans: list[tuple[int, int]]):
    """frame -> the index of the scene holding it (len(spans) for none), by
    bisection over the ordered spans: a long video has thousands of scenes."""
    starts = [start for start, _ in spans]

    def find(frame: int) -> int:
        i = bisect.bisect_right(starts, frame) - 1
        return i if i >= 0 and frame < spans[i][1] else len(spans)
    return find


def reader_info(backend: str, reader: TextReader | None, frames_read: int,
                fallback_reason: str | None) -> TextReaderInfo:
    return TextReaderInfo(backend=backend, model=reader.describe() if reader else None,
                          fallback_reason=fallback_reason, frames_read=frames_read)
