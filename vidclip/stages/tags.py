"""Stage 3, tag: calibrated scores of every label, per frame, scene and video."""

from __future__ import annotations

from vidclip.context import AnalysisContext
from vidclip.stages.scenes import SegmentedVideo
from vidclip.tag import TagResult, tag


def tag_video(ctx: AnalysisContext, video: SegmentedVideo) -> TagResult:
    options = ctx.config.tags
    encoder = ctx.encoder
    return tag(
        video.frames.embeddings,
        video.timeline,
        ctx.labels.labels,
        ctx.labels.embeddings,
        ctx.calibration,
        threshold=options.threshold,
        top_k=options.top_k,
        merge_gap_s=options.merge_gap_s,
        with_frames=ctx.config.include_frames,
        allowed=encoder.label_mask(video.frames.embeddings, ctx.labels.labels,
                                   ctx.labels.embeddings),
        agreement=encoder.scene_agreement,
    )
