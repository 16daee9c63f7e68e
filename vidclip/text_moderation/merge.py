"""Word verdicts into the result: the categories' scores, flags and segments, and
each scene's moderation hits.

A category's ``score`` is the highest of its sources' peaks and
``source_scores`` lists each (``visual`` where the category has prompts,
``speech`` where there was a transcript to read, ``text`` where there was
on-screen text); its segments are the picture's flagged ranges plus one per
flagged lexicon match or classified sentence, each with its ``source``,
``evidence`` and ``rule``. A text-only category enters the result here, in
its place in the policy. A scene's hit takes the verdicts that overlap it.

Applying is idempotent: speech and text segments already in the result are
replaced, and the picture's own scores are read back from
``source_scores``, so the stage may run again when a transcript arrives
later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vidclip.moderate import Category
from vidclip.schema import (
    ModerationCategory,
    ModerationHit,
    ModerationSegment,
    Scene,
    VideoAnalysis,
)
from vidclip.text_moderation.moderator import WordScore


def _visual_score(scores: dict, score: float, category: Category) -> float | None:
    if not category.visual:
        return None
    return float(scores.get("visual", score)) if scores else score


def _peaks(verdicts: Iterable[WordScore], sources: Iterable[str]) -> dict[str, float]:
    peaks = dict.fromkeys(sources, 0.0)
    for v in verdicts:
        peaks[v.source] = max(peaks.get(v.source, 0.0), v.score)
    return peaks


def _combined(visual: float | None, peaks: dict[str, float]) -> dict[str, float]:
    scores = {} if visual is None else {"visual": round(visual, 4)}
    scores.update({k: round(v, 4) for k, v in peaks.items()})
    return scores



def _segment(v: WordScore) -> ModerationSegment:
    return ModerationSegment(start_s=round(v.start_s, 3), end_s=round(max(v.end_s, v.start_s), 3),
                             score=v.score, source=v.source, evidence=v.evidence, rule=v.rule)


def _scores(visual: float | None, peaks: dict[str, float]) -> tuple[float, dict[str, float]]:
    """(score, source_scores); source_scores stays empty when only the picture scored."""
    scores = _combined(visual, peaks)
    return max(scores.values(), default=0.0), (scores if peaks else {})


def merged_category(category: Category, old: ModerationCategory | None,
                    verdicts: Sequence[WordScore], sources: Sequence[str]
                    ) -> ModerationCategory | None:
    """None for a text-only category when there were no words to read."""
    visual = None if old is None else _visual_score(old.source_scores, old.score, category)
    if visual is None and not sources:
        return None
    score, scores = _scores(visual, _peaks(verdicts, sources))
    segments = [s for s in (old.segments if old else []) if s.source == "visual"]
    segments += [_segment(v) for v in verdicts if v.flagged]
    segments.sort(key=lambda s: (s.start_s, s.end_s, s.source))
    return ModerationCategory(category=category.name, score=score,
                              threshold=category.threshold, flagged=bool(segments),
                              segments=segments, source_scores=scores)


def _overlaps(v: WordScore, scene: Scene) -> bool:
    if v.end_s <= v.start_s:
        return scene.start_s <= v.start_s < scene.end_s
    return v.start_s < scene.end_s and v.end_s > scene.start_s


def merged_hit(category: Category, old: ModerationHit | None, scene: Scene,
               verdicts: Sequence[WordScore], sources: Sequence[str]) -> ModerationHit | None:
    visual = None if old is None else _visual_score(old.source_scores, old.score, category)
    if visual is None and not sources:
        return None
    mine = [v for v in verdicts if _overlaps(v, scene)]
    score, scores = _scores(visual, _peaks(mine, sources))
    flagged = (visual is not None and visual >= category.threshold) or any(v.flagged for v in mine)
    return ModerationHit(category=category.name, score=score, flagged=flagged,
                         source_scores=scores)


def apply_word_scores(analysis: VideoAnalysis, categories: Sequence[Category],
                      policy_order: Sequence[str], verdicts: Sequence[WordScore],
                      sources: Sequence[str]) -> VideoAnalysis:
    """The analysis with ``verdicts`` (from ``sources``) merged into ``categories``."""
    reading = {c.name: c for c in categories}
    by_category: dict[str, list[WordScore]] = {name: [] for name in reading}
    for v in verdicts:
        by_category.setdefault(v.category, []).append(v)
    order = {name: i for i, name in enumerate(policy_order)}

    def ordered(items: Iterable, name_of) -> list:
        return sorted(items, key=lambda item: order.get(name_of(item), len(order)))

    old = {c.category: c for c in analysis.moderation.categories}
    merged = {**old, **{name: merged_category(cat, old.get(name), by_category[name], sources)
                        for name, cat in reading.items()}}
    summary_categories = ordered((c for c in merged.values() if c), lambda c: c.category)
    scenes = []
    for scene in analysis.scenes:
        hits: dict[str, ModerationHit | None] = {h.category: h for h in scene.moderation}
        hits.update({name: merged_hit(cat, hits.get(name), scene, by_category[name], sources)
                     for name, cat in reading.items()})
        hits = {k: v for k, v in hits.items() if v is not None}
        scenes.append(scene.model_copy(update={
            "moderation": ordered(hits.values(), lambda h: h.category)}))
    moderation = analysis.moderation.model_copy(update={
        "categories": summary_categories,
        "flagged": any(c.flagged for c in summary_categories)})
    return analysis.model_copy(update={"moderation": moderation, "scenes": scenes})
