"""Hand-made speech and on-screen text for tests that read words (moderation, search,
captions): results as the recognisers and the text reader will fill them."""

from __future__ import annotations

from collections.abc import Sequence

from vidclip.schema import (
    Captions,
    LabelScore,
    ModelInfo,
    Moderation,
    ModerationCategory,
    ModerationHit,
    ModerationSegment,
    OnScreenText,
    SamplingInfo,
    Scene,
    Timings,
    Transcript,
    TranscriptSegment,
    VideoAnalysis,
    VideoInfo,
    Word,
)

#: Seconds per word of :func:`said`.
WORD_S = 0.4


def said(text: str, start_s: float, *, with_words: bool = True,
         speaker: str | None = None) -> TranscriptSegment:
    """A transcript segment of ``text``, one word every 0.4 s from ``start_s``."""
    words = [Word(start_s=round(start_s + i * WORD_S, 3),
                  end_s=round(start_s + i * WORD_S + 0.3, 3), text=w, confidence=0.9)
             for i, w in enumerate(text.split())]
    end = words[-1].end_s if words else start_s
    return TranscriptSegment(start_s=start_s, end_s=end, text=text, speaker=speaker,
                             words=words if with_words else [])


def transcript(*segments: TranscriptSegment) -> Transcript:
    return Transcript(language="en", backend="test", segments=list(segments))


def written(text: str, start_s: float, end_s: float, kind: str = "other") -> OnScreenText:
    return OnScreenText(start_s=start_s, end_s=end_s, text=text, box=[0.1, 0.1, 0.9, 0.3],
                        confidence=0.95, kind=kind)  # type: ignore[arg-type]


def analysis(scenes: Sequence[tuple[float, float]] = ((0.0, 10.0), (10.0, 20.0)), *,
             speech: Transcript | None = None, on_screen: Sequence[OnScreenText] = (),
             tags: Sequence[Sequence[tuple[str, float]]] = (),
             moderation: Moderation | None = None, source: str = "clip.mp4") -> VideoAnalysis:
    """A small analysed video: scenes, optional tags per scene, moderation, words."""
    duration = scenes[-1][1] if scenes else 0.0
    built = []
    for i, (start, end) in enumerate(scenes):
        mine = tags[i] if i < len(tags) else ()
        built.append(Scene(index=i, start_s=start, end_s=end, start_frame=int(start * 25),
                           end_frame=int(end * 25), transition="start" if i == 0 else "cut",
                           tags=[LabelScore(label=label, score=s) for label, s in mine]))
    return VideoAnalysis(
        vidclip_version="0",
        video=VideoInfo(source=source, duration_s=duration, fps=25, width=320, height=180,
                        frame_count=int(duration * 25), codec="h264", decoder="pyav"),
        model=ModelInfo(name="tiny-test", embedding_dim=16, device="cpu", kind="custom"),
        sampling=SamplingInfo(strategy="fps", fps=1.0, frames=int(duration)),
        scenes=built, tags=[], moderation=moderation or Moderation(flagged=False),
        captions=Captions(backend="none"), timings=Timings(), transcript=speech,
        on_screen_text=list(on_screen))


def visual_moderation(categories: Sequence[tuple[str, float, float]],
                      flagged_at: dict[str, tuple[float, float]] | None = None) -> Moderation:
    """``(name, peak score, threshold)`` per category, flagged where ``flagged_at`` says."""
    flagged_at = flagged_at or {}
    out = []
    for name, score, threshold in categories:
        segs = [ModerationSegment(start_s=a, end_s=b, score=score)
                for a, b in [flagged_at[name]]] if name in flagged_at else []
        out.append(ModerationCategory(category=name, score=score, threshold=threshold,
                                      flagged=bool(segs), segments=segs))
    return Moderation(flagged=any(c.flagged for c in out), categories=out)


def scene_hits(analysis_: VideoAnalysis, scores: dict[str, float], thresholds: dict[str, float]
               ) -> VideoAnalysis:
    """Every scene gets the same visual hits (``scores``)."""
    hits = [ModerationHit(category=k, score=v, flagged=v >= thresholds[k])
            for k, v in scores.items()]
    scenes = [s.model_copy(update={"moderation": list(hits)}) for s in analysis_.scenes]
    return analysis_.model_copy(update={"scenes": scenes})
