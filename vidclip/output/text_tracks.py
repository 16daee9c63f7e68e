"""WebVTT and SRT tracks from the scene captions and audio descriptions.

Cue text follows common timed-text practice through
:func:`vidclip.output.timed_text.layout_cues`: at most 2 lines of 42
characters, at most ~20 characters a second, no cue shorter than 1 s, none
overlapping; a long caption becomes several cues inside its scene.
"""

from __future__ import annotations

from pathlib import Path

from vidclip.output.timed_text import Cue, format_timestamp, layout_cues
from vidclip.schema import VideoAnalysis


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


def _vtt(analysis: VideoAnalysis, field: str, kind: str) -> str:
    lines = ["WEBVTT", f"Kind: {kind}", f"Language: {analysis.captions.language}", ""]
    for i, cue in enumerate(laid_out(analysis, field), start=1):
        text = cue.text.replace("-->", "->")
        lines += [f"{kind}-{i}", f"{format_timestamp(cue.start_s)} --> "
                  f"{format_timestamp(cue.end_s)}", text, ""]
    return "\n".join(lines)


def to_webvtt(analysis: VideoAnalysis, kind: str = "captions") -> str:
    """The scene captions as a WebVTT track."""
    return _vtt(analysis, "caption", kind)


def to_descriptions_vtt(analysis: VideoAnalysis) -> str:
    """The audio descriptions as a WebVTT ``descriptions`` track for screen readers."""
    return _vtt(analysis, "description", "descriptions")


def to_srt(analysis: VideoAnalysis) -> str:
    blocks = []
    for i, cue in enumerate(laid_out(analysis), start=1):
        blocks.append(f"{i}\n{format_timestamp(cue.start_s, srt=True)} --> "
                      f"{format_timestamp(cue.end_s, srt=True)}\n"
                      f"{cue.text.replace('-->', '->')}\n")
    return "\n".join(blocks)


def to_transcript_text(analysis: VideoAnalysis) -> str:
    """The scene descriptions with timestamps, as plain text (summary first)."""
    from vidclip.output import transcript

    return transcript.transcript_text(scene_cues(analysis, "description"),
                                      title=_title(analysis), summary=analysis.captions.summary)


def to_transcript_html(analysis: VideoAnalysis) -> str:
    """The same transcript as an accessible HTML page."""
    from vidclip.output import transcript

    return transcript.transcript_html(scene_cues(analysis, "description"), title=_title(analysis),
                                      summary=analysis.captions.summary,
                                      language=analysis.captions.language)


def _title(analysis: VideoAnalysis) -> str:
    return Path(analysis.video.source).name
