"""Small made-up analysis results, for tests that need a valid result JSON
without running a model (the store, the API, the search index)."""

from __future__ import annotations

from vidclip.schema import (
    Captions,
    LabelScore,
    ModelInfo,
    Moderation,
    SamplingInfo,
    Scene,
    Timings,
    VideoAnalysis,
    VideoInfo,
)


def small_analysis(source: str = "a.mp4", *, scenes: int = 1, tag: str = "cat",
                   caption: str = "A cat.", dim: int = 64) -> VideoAnalysis:
    """``scenes`` scenes of 2 s each (50 frames at 25 fps), each tagged ``tag``."""
    return VideoAnalysis(
        vidclip_version="0",
        video=VideoInfo(source=source, duration_s=2.0 * scenes, fps=25, width=160, height=96,
                        frame_count=50 * scenes, codec="h264", decoder="decord"),
        model=ModelInfo(name="tiny-test", embedding_dim=dim, device="cpu", kind="custom"),
        sampling=SamplingInfo(strategy="fps", fps=1.0, frames=2 * scenes),
        scenes=[Scene(index=i, start_s=2.0 * i, end_s=2.0 * i + 2, start_frame=50 * i,
                      end_frame=50 * i + 50, tags=[LabelScore(label=tag, score=0.9)],
                      caption=caption) for i in range(scenes)],
        tags=[], moderation=Moderation(flagged=False),
        captions=Captions(summary=caption, backend="template"), timings=Timings())
