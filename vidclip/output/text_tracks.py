"""WebVTT and SRT tracks from the scene captions and audio descriptions.

Cue text follows common timed-text practice through
:func:`vidclip.output.timed_text.layout_cues`: at most 2 lines of 42
characters, at most ~20 characters a second, no cue shorter than 1 s, none
overlapping; a long caption becomes several cues inside its scene.

The descriptions track speaks only where the picture changes, in the words
its time allows (:func:`vidclip.caption.descriptions.plan_descriptions`);
its cues are laid out without cutting words, since a planned text already
fits its time at a speaking rate. Every WebVTT track written from text a
machine wrote says so in a ``NOTE`` until a person has reviewed it
(``caption_review`` / ``description_review`` in the result); where only
some cues are reviewed, each unreviewed one gets its own ``NOTE``.
"""

from __future__ import annotations

from pathlib import Path

from vidclip.output.timed_text import Cue, TimedText, escape_vtt, format_timestamp, layout_cues
from vidclip.schema import VideoAnalysis, is_reviewed


def scene_cues(analysis: VideoAnalysis, field: str = "caption") -> list[tuple[float, float, str]]:
    """``(start_s, end_s, text)`` for every scene that has the text."""
    cues = []
    for scene in analysis.scenes:
        text = getattr(scene, field)
        if text and scene.end_s > scene.start_s:
            cues.append((scene.start_s, scene.end_s, text))
    return cues


def _end(analysis: VideoAnalysis) -> float:
    return analysis.video.start_time_s + analysis.video.duration_s


def laid_out(analysis: VideoAnalysis, field: str = "caption") -> list[Cue]:
    return layout_cues(scene_cues(analysis, field), end_limit_s=_end(analysis))


def description_cues(analysis: VideoAnalysis) -> list[TimedText]:
    """The descriptions track's texts: planned, not one per scene."""
    from vidclip.caption.descriptions import plan_descriptions

    return [(c.start_s, c.end_s, c.text) for c in plan_descriptions(analysis.scenes)]


def machine_notice(analysis: VideoAnalysis) -> str:
    """The one line every unreviewed machine-written track or transcript carries."""
    c = analysis.captions
    writer = ", ".join(p for p in (c.backend, c.model) if p)
    return (f"Written by a machine ({writer}) and not reviewed by a person: "
            "it may be wrong.")


def _vtt(analysis: VideoAnalysis, field: str, kind: str) -> str:
    if field == "description":
        items, shorten = description_cues(analysis), False
    else:
        items, shorten = scene_cues(analysis, field), True
    reviewed = {(s.start_s, s.end_s): is_reviewed(getattr(s, f"{field}_review"))
                for s in analysis.scenes}
    done = [any(ok for (a, b), ok in reviewed.items() if a <= start < b) for start, _, _ in items]
    lines = ["WEBVTT", f"Kind: {kind}", f"Language: {analysis.captions.language}", ""]
    if not all(done):
        lines += ["NOTE", machine_notice(analysis).replace("-->", "->"), ""]
    mixed = any(done) and not all(done)
    cues = layout_cues(items, end_limit_s=_end(analysis), shorten=shorten)
    for i, cue in enumerate(cues, start=1):
        if mixed and not _reviewed_at(cue.start_s, items, done):
            lines += ["NOTE unreviewed", ""]
        text = escape_vtt(cue.text)
        timing = f"{format_timestamp(cue.start_s)} --> {format_timestamp(cue.end_s)}"
        lines += [f"{kind}-{i}", timing, text, ""]
    return "\n".join(lines)


def _reviewed_at(t: float, items: list[TimedText], done: list[bool]) -> bool:
    """Whether the text laid out at ``t`` was reviewed (the last item starting by then)."""
    ok = False
    for (start, _, _), reviewed in sorted(zip(items, done), key=lambda x: x[0][0]):
        if start <= t + 1e-6:
            ok = reviewed
    return ok


def to_webvtt(analysis: VideoAnalysis, kind: str = "descriptions") -> str:
    """The scene captions as a WebVTT track: ``Kind: descriptions``, since they
    describe the picture; a player's captions are the speech's (``to_captions_vtt``)."""
    return _vtt(analysis, "caption", kind)


def to_descriptions_vtt(analysis: VideoAnalysis) -> str:
    """The planned audio descriptions as a WebVTT ``descriptions`` track for screen readers."""
    return _vtt(analysis, "description", "descriptions")


def to_srt(analysis: VideoAnalysis) -> str:
    blocks = []
    for i, cue in enumerate(laid_out(analysis), start=1):
        blocks.append(f"{i}\n{format_timestamp(cue.start_s, srt=True)} --> "
                      f"{format_timestamp(cue.end_s, srt=True)}\n"
                      f"{cue.text.replace('-->', '->')}\n")
    return "\n".join(blocks)


def to_transcript_text(analysis: VideoAnalysis) -> str:
    """What was said with timestamps (speakers marked); without a transcript,
    the scene descriptions, saying so first."""
    from vidclip.output import spoken, transcript

    if spoken.has_speech(analysis):
        return spoken.speech_text(analysis, title=_title(analysis),
                                  notice=_speech_notice(analysis))
    return transcript.transcript_text(description_cues(analysis), title=_title(analysis),
                                      summary=analysis.captions.summary,
                                      notice=" ".join(n for n in (spoken.FALLBACK,
                                                                  _notice(analysis)) if n))


def to_transcript_html(analysis: VideoAnalysis) -> str:
    """The accessible page: speech, sounds, scene descriptions and on-screen text
    in time order."""
    from vidclip.output import spoken

    notices = [n for n in (_speech_notice(analysis), _notice(analysis)) if n]
    return spoken.combined_html(analysis, description_cues(analysis), title=_title(analysis),
                                summary=analysis.captions.summary,
                                language=(analysis.transcript.language if analysis.transcript
                                          and analysis.transcript.language
                                          else analysis.captions.language),
                                notice=" ".join(dict.fromkeys(notices)) or None)


def _speech_notice(analysis: VideoAnalysis) -> str | None:
    t = analysis.transcript
    if t is None or not t.segments:
        return None
    writer = ", ".join(p for p in (t.backend, t.model) if p)
    return (f"The speech was transcribed by a machine ({writer}) and not reviewed by a "
            "person: it may be wrong.")


def _notice(analysis: VideoAnalysis) -> str | None:
    texts = [(s.description, s.description_review) for s in analysis.scenes]
    texts.append((analysis.captions.summary, analysis.captions.summary_review))
    unreviewed = any(text and not is_reviewed(review) for text, review in texts)
    return machine_notice(analysis) if unreviewed else None


def _title(analysis: VideoAnalysis) -> str:
    return Path(analysis.video.source).name
