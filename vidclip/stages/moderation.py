"""Stage 4, moderate: the policy's categories scored and flagged on the same embeddings."""

from __future__ import annotations

from vidclip.context import AnalysisContext
from vidclip.moderate import ModerationResult, moderate
from vidclip.stages.scenes import SegmentedVideo


def moderate_video(ctx: AnalysisContext, video: SegmentedVideo) -> ModerationResult | None:
    """None when moderation is off."""
    if ctx.policy is None:
        return None
    return moderate(video.frames.embeddings, video.timeline, ctx.policy, ctx.calibration)
