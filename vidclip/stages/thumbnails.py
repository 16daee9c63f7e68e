"""Stage 2b, thumbnails: one small JPEG per scene, of its sampled frame nearest its middle.

The pictures come from the thumbnails kept while decoding
(:mod:`vidclip.stream.thumbnails`); a scene with none kept (one shorter than
the sampling step) has its middle frame read again, as the segment stage
does for its embedding.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidclip.context import AnalysisContext
from vidclip.decode.seek import read_frames
from vidclip.stages.scenes import SegmentedVideo
from vidclip.stream.thumbnails import Thumbnails, to_jpeg


@dataclass(frozen=True)
class SceneThumbnails:
    #: One JPEG per scene, in scene order.
    scenes: tuple[bytes, ...]
    #: Everything kept while decoding, for pictures of other moments (search windows).
    kept: Thumbnails


def scene_thumbnails(ctx: AnalysisContext, source: str, video: SegmentedVideo,
                     kept: Thumbnails) -> SceneThumbnails:
    chosen: list[bytes | None] = [
        kept.nearest((s.start_s + s.end_s) / 2, s.start_s, s.end_s) for s in video.scenes]
    missing = {i: (s.start_frame + s.end_frame - 1) // 2
               for i, (s, jpeg) in enumerate(zip(video.scenes, chosen)) if jpeg is None}
    if missing:
        backend = "pyav" if video.info.decoder != "decord" else ctx.config.decoder
        batch = read_frames(source, list(missing.values()), ctx.encoder.input_size, backend)
        read = {int(i): to_jpeg(frame) for i, frame in zip(batch.indices, batch.frames)}
        for scene, frame_index in missing.items():
            chosen[scene] = read.get(frame_index)
    # A frame that cannot be read again (a damaged file) leaves its scene without a picture.
    return SceneThumbnails(tuple(jpeg or b"" for jpeg in chosen), kept)
