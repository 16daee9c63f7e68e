"""Stage 5b, moderate words: the policy's lexicons and text classifiers over the
transcript and the on-screen text, merged into the assembled moderation."""

from __future__ import annotations

from vidclip.context import AnalysisContext
from vidclip.schema import VideoAnalysis
from vidclip.text_moderation.apply import moderate_words, moderator_for


def moderate_said_and_written(ctx: AnalysisContext, analysis: VideoAnalysis) -> VideoAnalysis:
    """Unchanged when moderation is off, the policy reads no words, or there are none."""
    if ctx.policy is None:
        return analysis
    return moderate_words(moderator_for(ctx.policy.policy), analysis)
