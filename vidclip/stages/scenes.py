"""Stage 2, segment: scenes that tile the video, each with at least one embedded frame.

The facts about the video are settled first (the decoded frame count, and a
duration no shorter than the last frame's time: container durations can
be short of it), then the scene detector, which has seen every decoded
frame, places the boundaries. A scene shorter than the sampling step may
hold no sampled frame; its middle frame is read and embedded here, so
every scene gets tags.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidclip.context import AnalysisContext
from vidclip.decode.seek import read_frames
from vidclip.schema import VideoInfo
from vidclip.segment import SceneSpan
from vidclip.stages.encode import StreamedVideo
from vidclip.stream import EncodedFrames
from vidclip.timeline import Timeline


@dataclass(frozen=True)
class SegmentedVideo:
    info: VideoInfo
    frames: EncodedFrames
    scenes: list[SceneSpan]
    timeline: Timeline


def segment_video(ctx: AnalysisContext, video: StreamedVideo) -> SegmentedVideo:
    if len(video.frames) == 0 and video.info.frame_count == 0:  # audio only: no scenes
        return SegmentedVideo(video.info, video.frames, [],
                              Timeline.build(video.frames.times_s, video.frames.indices, []))
    info = settle_info(video, keyframes=ctx.config.sampling.strategy == "keyframes")
    scenes = video.detector.finish(
        total_frames=info.frame_count,
        duration_s=info.start_time_s + info.duration_s,
        sampled_times=video.frames.times_s,
        sampled_embeddings=video.frames.embeddings,
        # A random-weight test model's distances mean nothing.
        embeddings_meaningful=ctx.encoder.info.kind != "custom",
    )
    frames = video.frames
    # Key-frame triage: a scene without a key frame stays untagged.
    if ctx.config.sampling.strategy != "keyframes":
        missing = middle_frames_of_empty_scenes(scenes, frames.indices)
        if missing:
            frames = frames.merged(_embed_frames(ctx, video.source, info, missing))
    return SegmentedVideo(info, frames, scenes, Timeline.build(frames.times_s, frames.indices,
                                                               scenes))


def settle_info(video: StreamedVideo, *, keyframes: bool) -> VideoInfo:
    info = video.info
    if not keyframes:  # every frame went through the decoder: its count is the true one
        info = info.model_copy(update={"frame_count": video.decode.frames})
    last = float(video.frames.times_s[-1])
    if last >= info.start_time_s + info.duration_s:
        step = 1.0 / info.fps if info.fps else 0.0
        info = info.model_copy(update={"duration_s": round(last + step - info.start_time_s, 6)})
    return info


def middle_frames_of_empty_scenes(scenes: list[SceneSpan], sampled: np.ndarray) -> list[int]:
    """The middle frame of every scene that no sampled frame fell into."""
    missing = []
    for scene in scenes:
        lo, hi = np.searchsorted(sampled, [scene.start_frame, scene.end_frame])
        if hi == lo and scene.end_frame > scene.start_frame:
            missing.append((scene.start_frame + scene.end_frame - 1) // 2)
    return missing


def _embed_frames(ctx: AnalysisContext, source: str, info: VideoInfo,
                  indices: list[int]) -> EncodedFrames:
    # Read with the backend that decoded the main pass, so frame numbers agree.
    backend = "pyav" if info.decoder != "decord" else ctx.config.decoder
    batch = read_frames(source, indices, ctx.encoder.input_size, backend)
    embeddings = ctx.encoder.encode_images(batch.frames)
    return EncodedFrames(embeddings, batch.times_s.astype(np.float64),
                         batch.indices.astype(np.int64))
