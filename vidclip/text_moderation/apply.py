"""The word rules over one analysis: its transcript and on-screen text in, its
moderation with what they show out."""

from __future__ import annotations

from functools import lru_cache

from vidclip.moderate import Policy
from vidclip.schema import VideoAnalysis
from vidclip.text_moderation.merge import apply_word_scores
from vidclip.text_moderation.moderator import WordModerator
from vidclip.text_moderation.units import units


@lru_cache(maxsize=16)
def moderator_for(policy: Policy) -> WordModerator:
    """The policy's compiled word rules, built once per process and policy."""
    return WordModerator(policy)


def _has_word_flags(analysis: VideoAnalysis) -> bool:
    return any(c.source_scores for c in analysis.moderation.categories)


def moderate_words(moderator: WordModerator, analysis: VideoAnalysis) -> VideoAnalysis:
    """``analysis`` with what its transcript and on-screen text show merged into its
    moderation; unchanged when the policy reads no words or there are none to read."""
    if not moderator:
        return analysis
    found = units(analysis.transcript, analysis.on_screen_text)
    if not found and not _has_word_flags(analysis):
        return analysis
    sources = sorted({u.source for u in found})
    verdicts = moderator.score(found)
    return apply_word_scores(analysis, moderator.categories,
                             [c.name for c in moderator.policy.categories], verdicts, sources)
