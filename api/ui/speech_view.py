"""What the video page shows of what was said and written: caption cues with
their speakers and style warnings, on-screen text items with their boxes, and
the words behind flags that speech or on-screen text raised.

Plain data for the templates; every text stays a string the templates escape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from vidclip.jobs.cue_edits import warnings_of
from vidclip.jobs.reviews import CategoryView
from vidclip.schema import CaptionCue, ModerationCategory, OnScreenText, Transcript, VideoAnalysis

#: Speakers get one of this many colours, in the order they first speak.
SPEAKER_COLOURS = 4
KIND_NAMES = {"title": "Title", "lower_third": "Lower third", "subtitle": "Subtitle",
              "other": "Text"}
SOURCE_NAMES = {"speech": "Said", "text": "On screen", "visual": "Picture"}


@dataclass(frozen=True)
class CueRow:
    cue: CaptionCue
    speaker: str | None
    #: A new speaker starts with this cue (its label differs from the last one
    #: known, or the text marks the change with a leading "- ").
    speaker_change: bool
    #: The speaker's colour, 0 to SPEAKER_COLOURS - 1; None when unknown.
    colour: int | None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SpeechView:
    rows: list[CueRow]
    #: Shown instead of cues: why there are none (no speech, or the part was skipped).
    empty_reason: str | None
    language: str | None


@dataclass(frozen=True)
class TextItem:
    #: Its position in ``on_screen_text``.
    index: int
    item: OnScreenText
    kind_name: str
    #: The lane's row: texts on screen at once are stacked, not drawn over each other.
    row: int


@dataclass(frozen=True)
class Evidence:
    category: str
    start_s: float
    end_s: float
    source: str
    source_name: str
    words: str


def speaker_at(transcript: Transcript | None, start_s: float, end_s: float) -> str | None:
    """The labelled speaker whose segment overlaps the time range the most."""
    if transcript is None:
        return None
    best, overlap = None, 0.0
    for seg in transcript.segments:
        shared = min(end_s, seg.end_s) - max(start_s, seg.start_s)
        if seg.speaker and shared > overlap:
            best, overlap = seg.speaker, shared
    return best


def speech_view(analysis: VideoAnalysis) -> SpeechView | None:
    """None when the result says nothing about speech (speech was not asked for)."""
    track, transcript = analysis.caption_track, analysis.transcript
    skipped = next((s.reason for s in analysis.skipped if s.part == "transcript"), None)
    if track is None and transcript is None and skipped is None:
        return None
    rows: list[CueRow] = []
    colours: dict[str, int] = {}
    last: str | None = None
    for cue in track.cues if track else []:
        speaker = speaker_at(transcript, cue.start_s, cue.end_s) if cue.kind == "speech" else None
        change = cue.kind == "speech" and bool(rows) and (
            (speaker is not None and last is not None and speaker != last)
            or cue.text.startswith("- "))
        colour = colours.setdefault(speaker, len(colours) % SPEAKER_COLOURS) if speaker else None
        rows.append(CueRow(cue, speaker, change, colour, warnings_of(track, cue) if track else []))
        last = speaker or last
    reason = None
    if not rows:
        reason = (f"No transcript: {skipped}" if skipped else "No speech was found in the audio.")
    language = (track.language if track else None) or (transcript.language if transcript
                                                       else None)
    return SpeechView(rows, reason, language)


def text_items(analysis: VideoAnalysis) -> list[TextItem]:
    """The on-screen texts by start, each in the first lane row free at its start."""
    ends: list[float] = []  # per row, when its last item ends
    out = []
    order = sorted(enumerate(analysis.on_screen_text), key=lambda p: p[1].start_s)
    for i, text in order:
        row = next((r for r, end in enumerate(ends) if end <= text.start_s), len(ends))
        if row == len(ends):
            ends.append(text.end_s)
        ends[row] = text.end_s
        out.append(TextItem(i, text, KIND_NAMES.get(text.kind, "Text"), row))
    return out


def evidence(categories: Iterable[ModerationCategory | CategoryView]) -> list[Evidence]:
    """The words behind each flag that speech or on-screen text raised, in time
    order. Segments are the result's, or the queue's copies of them (dicts)."""
    out = []
    for c in categories:
        for seg in c.segments:
            part = seg if isinstance(seg, dict) else seg.model_dump()
            source, words = part.get("source", "visual"), part.get("evidence")
            if source in ("speech", "text") and words:
                out.append(Evidence(c.category, part["start_s"], part["end_s"], source,
                                    SOURCE_NAMES[source], words))
    return sorted(out, key=lambda e: e.start_s)
