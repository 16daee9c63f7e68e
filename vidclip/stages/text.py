"""Stage 4b, on-screen text: what the looked-at frames say, tracked over time.

The looks usually come from the main pass: its decoder converts one frame
every ``text.interval_s`` at the reader's size and a
:class:`~vidclip.ocr.watch.Watcher` reads them in its own thread while the
other frames are encoded (:func:`vidclip.stages.encode.open_stream`); this
stage waits for it to catch up. Where the decoder could not deliver them
(decord, torchcodec), the planned frames are decoded again here, in one pass
(:func:`vidclip.decode.seek.iter_frames`, the decoder that applies rotation),
each scene's first look read whole; so are the first frames of scenes too short
for any of the main pass's looks to fall into.

Either way a look unchanged since the last frame read reuses its lines, and a
scene's first look stands for the scene's start (:func:`vidclip.ocr.watch.settle`).
"""

from __future__ import annotations

from vidclip.context import AnalysisContext
from vidclip.decode.seek import iter_frames
from vidclip.ocr import sampling
from vidclip.ocr.base import TextReader
from vidclip.ocr.track import track
from vidclip.ocr.watch import Look, Looker, Watcher, settle, settled
from vidclip.schema import OnScreenText, TextReaderInfo
from vidclip.segment import SceneSpan, scenes_holding
from vidclip.stages.scenes import SegmentedVideo

#: Planned frames decoded at once (bounded memory on long videos).
CHUNK = 32


def read_text(ctx: AnalysisContext, source: str, video: SegmentedVideo,
              reader: TextReader, watcher: Watcher | None = None
              ) -> tuple[list[OnScreenText], int]:
    """The tracked items and how many frames the reader ran on.

    ``watcher`` is the main pass's, when it delivered the looks.
    """
    if watcher is not None:
        looks, reads = watcher.finish()
        # A scene shorter than the looks' spacing may have fallen between two, or
        # been looked at only inside the cut's dissolve or fade.
        unseen = _unseen(video.scenes, looks)
        if unseen:
            more, extra = _look_again(ctx, source, video, reader, unseen)
            looks, reads = sorted(looks + more, key=lambda look: look.index), reads + extra
    else:
        looks, reads = _look_again(ctx, source, video, reader, video.scenes)
    end_s = video.info.start_time_s + video.info.duration_s
    return track(settle(looks, video.scenes), end_s, ctx.config.text.min_confidence), reads


def _unseen(scenes: list[SceneSpan], looks: list[Look]) -> list[SceneSpan]:
    """The scenes that no settled look fell into."""
    where = scenes_holding(scenes, [look.index for look in looks])
    seen = {int(at) for look, at in zip(looks, where) if at >= 0 and settled(look.time_s,
                                                                          scenes[at])}
    return [s for i, s in enumerate(scenes) if i not in seen and s.end_frame > s.start_frame]


def _look_again(ctx: AnalysisContext, source: str, video: SegmentedVideo,
                reader: TextReader, scenes: list[SceneSpan]) -> tuple[list[Look], int]:
    """The planned looks inside ``scenes``, decoded again now that they are known."""
    fps = video.info.fps or 25.0
    wanted = sampling.plan([(s.start_frame, s.end_frame) for s in scenes], fps,
                           ctx.config.text.interval_s)
    if not wanted:
        return [], 0
    backend = "pyav" if video.info.decoder != "decord" else ctx.config.decoder
    # Never upscale a small video (it only costs the detector).
    short_side = min(sampling.SHORT_SIDE, min(video.info.width, video.info.height) or
                     sampling.SHORT_SIDE)
    looker = Looker(reader)
    scene = -1
    # A look needs a moment, not that very frame: the decoder may skip unreferenced frames.
    for batch in iter_frames(source, wanted, short_side, backend, chunk=CHUNK, exact=False):
        held = scenes_holding(scenes, batch.indices)
        for frame, time_s, index, now in zip(batch.frames, batch.times_s, batch.indices, held):
            looker.look(frame, float(time_s), int(index), fresh=int(now) != scene)
            scene = int(now)
    return looker.looks, looker.reads


def reader_info(backend: str, reader: TextReader | None, frames_read: int,
                fallback_reason: str | None) -> TextReaderInfo:
    return TextReaderInfo(backend=backend, model=reader.describe() if reader else None,
                          fallback_reason=fallback_reason, frames_read=frames_read)
