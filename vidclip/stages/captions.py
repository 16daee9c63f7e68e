"""Stage 6, caption: the caption backend over the evidence of an assembled analysis.

A backend sees only evidence (scene times, tags with scores, the names of
flagged categories, the transcript lines and on-screen text of each scene),
never pixels; it runs after the image stages and in
the service on its own queue, from the stored analysis.
"""

from __future__ import annotations

from vidclip.caption.base import CaptionRequest, CaptionResult, SceneEvidence
from vidclip.context import CaptionContext
from vidclip.ocr.describe import read_aloud
from vidclip.schema import Captions, LabelScore, Scene, TextReview, VideoAnalysis

#: Lines of speech (and, apart, of on-screen text) a scene's evidence carries.
MAX_LINES = 8


def _inside(scene: Scene, start_s: float, end_s: float) -> bool:
    """A stretch belongs to the scene it starts in (or, starting before, overlaps first)."""
    return scene.start_s <= start_s < scene.end_s or (start_s < scene.start_s < end_s
                                                      and scene.index == 0)


def scene_words(analysis: VideoAnalysis, scene: Scene) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(what is said, what is written on screen) in the scene, in time order."""
    segments = analysis.transcript.segments if analysis.transcript else []
    said = [" ".join(seg.text.split()) for seg in segments
            if _inside(scene, seg.start_s, seg.end_s) and seg.text.strip()]
    written = [" ".join(item.text.split()) for item in analysis.on_screen_text
               if _inside(scene, item.start_s, item.end_s) and item.text.strip()]
    return tuple(said[:MAX_LINES]), tuple(dict.fromkeys(written))[:MAX_LINES]


def _evidence(analysis: VideoAnalysis, s: Scene) -> SceneEvidence:
    said, written = scene_words(analysis, s)
    return SceneEvidence(index=s.index, start_s=s.start_s, end_s=s.end_s, tags=tuple(s.tags),
                         flagged_categories=tuple(m.category for m in s.moderation if m.flagged),
                         spoken_lines=said, on_screen_text=written)


def caption_request(ctx: CaptionContext, analysis: VideoAnalysis) -> CaptionRequest:
    scenes = tuple(_evidence(analysis, s) for s in analysis.scenes)
    return CaptionRequest(
        scenes=scenes,
        video_tags=tuple(LabelScore(label=t.label, score=t.score) for t in analysis.tags),
        duration_s=analysis.video.duration_s,
        language=ctx.config.captions.language,
        flagged_categories=tuple(c.category for c in analysis.moderation.categories
                                 if c.flagged),
        vocabulary=ctx.vocabulary.labels,
        # All of the policy's categories, flagged or not: none may be described.
        moderation_categories=tuple(c.category for c in analysis.moderation.categories),
        aliases=ctx.vocabulary.aliases,
        places=ctx.vocabulary.places,
    )


def caption_analysis(ctx: CaptionContext, analysis: VideoAnalysis) -> VideoAnalysis:
    """The analysis with captions, descriptions and a summary (timings not touched)."""
    result = ctx.captioner.caption(caption_request(ctx, analysis))
    return apply_captions(analysis, result)


def apply_captions(analysis: VideoAnalysis, result: CaptionResult) -> VideoAnalysis:
    by_index = {c.index: c for c in result.scenes}
    # Backends that write audio descriptions return them; otherwise the
    # caption doubles as the description.
    described = {d.index: d for d in result.descriptions}
    scenes = []
    for scene in analysis.scenes:
        c = by_index.get(scene.index)
        d = described.get(scene.index, c)
        written = read_aloud(scene.start_s, scene.end_s, analysis.on_screen_text)
        description = " ".join(p for p in (written, d.text if d else None) if p) or None
        scenes.append(scene.model_copy(update={
            "caption": c.text if c else None,
            "caption_grounded": c.grounded if c else None,
            "caption_source": c.source if c else None,
            "caption_note": c.note if c else None,
            "description": description,
            "description_source": d.source if d else None,
            # Every text a captioner writes, the template's too, waits for a person.
            "caption_review": TextReview() if c else None,
            "description_review": TextReview() if description else None,
        }))
    captions = Captions(
        summary=result.summary,
        backend=result.backend,
        model=result.model,
        prompt=result.prompt,
        language=result.language,
        fallback_reason=result.fallback_reason,
        summary_source=result.summary_source,
        summary_review=TextReview() if result.summary else None,
    )
    return analysis.model_copy(update={"scenes": scenes, "captions": captions})
