"""WebVTT and SRT tracks: one cue per scene caption, times from the scenes."""

from __future__ import annotations

import textwrap

from vidclip.schema import VideoAnalysis

_MAX_LINE = 42  # common timed-text practice: at most 42 characters a line


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cue_text(text: str) -> str:
    # A cue's text may not hold a blank line or "-->"; wrap for readability.
    clean = " ".join(text.replace("-->", "->").split())
    return "\n".join(textwrap.wrap(clean, _MAX_LINE)) or "-"


def scene_cues(analysis: VideoAnalysis) -> list[tuple[float, float, str]]:
    """``(start_s, end_s, text)`` for every scene that has a caption."""
    cues = []
    for scene in analysis.scenes:
        if scene.caption and scene.end_s > scene.start_s:
            cues.append((scene.start_s, scene.end_s, scene.caption))
    return cues


def to_webvtt(analysis: VideoAnalysis, kind: str = "captions") -> str:
    lines = ["WEBVTT", f"Kind: {kind}", f"Language: {analysis.captions.language}", ""]
    for i, (start, end, text) in enumerate(scene_cues(analysis), start=1):
        lines += [f"scene-{i}", f"{_stamp(start, '.')} --> {_stamp(end, '.')}", _cue_text(text), ""]
    return "\n".join(lines)


def to_srt(analysis: VideoAnalysis) -> str:
    blocks = []
    for i, (start, end, text) in enumerate(scene_cues(analysis), start=1):
        blocks.append(f"{i}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{_cue_text(text)}\n")
    return "\n".join(blocks)
