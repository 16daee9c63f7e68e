"""Transcripts of what was said, and the combined accessible transcript.

``<stem>.transcript.txt`` is the speech: one line per segment with its time,
a new speaker's label where the transcript names one (and a blank line
between speakers). Without a transcript it falls back to the scene
descriptions and says so in its first lines: a reader always gets the video in
words, never an empty file.

``<stem>.transcript.html`` interleaves, in time order, what is said (and the
sounds heard), what the picture shows (the scene descriptions) and the text on
screen, each entry saying which it is, so a deaf-blind reader with a braille
display gets the whole video from one page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from vidclip.output.timed_text import TimedText
from vidclip.output.transcript import clock, html_page, time_range_html
from vidclip.schema import VideoAnalysis

#: How each kind of entry is introduced to a reader (and its CSS class).
KIND_LABELS = {"speech": "Said", "sound": "Heard", "picture": "Seen", "text": "On screen"}
#: The page's key to those labels, in the same order.
LEGEND = ("Said: speech", "Heard: sounds", "Seen: the picture", "On screen: text on screen")
FALLBACK = ("No transcript of the speech (speech off, no audio, or nothing recognised): "
            "these are descriptions of the picture.")


@dataclass(frozen=True)
class Entry:
    start_s: float
    end_s: float
    text: str
    kind: str  # a key of KIND_LABELS
    speaker: str | None = None


def has_speech(analysis: VideoAnalysis) -> bool:
    t = analysis.transcript
    return t is not None and any(s.text.strip() for s in t.segments)


def speech_entries(analysis: VideoAnalysis) -> list[Entry]:
    t = analysis.transcript
    if t is None:
        return []
    out = [Entry(s.start_s, s.end_s, " ".join(s.text.split()), "speech", s.speaker)
           for s in t.segments if s.text.strip()]
    out += [Entry(s.start_s, s.end_s, f"[{s.label}]", "sound") for s in t.sounds]
    return sorted(out, key=lambda e: (e.start_s, e.end_s))


def all_entries(analysis: VideoAnalysis, descriptions: list[TimedText]) -> list[Entry]:
    """Speech, sounds, the scene ``descriptions`` and on-screen text, in time order."""
    out = speech_entries(analysis)
    out += [Entry(a, b, text, "picture") for a, b, text in descriptions]
    out += [Entry(t.start_s, t.end_s, " / ".join(t.text.split("\n")), "text")
            for t in analysis.on_screen_text]
    order = list(KIND_LABELS)
    return sorted((e for e in out if e.text.strip()),
                  key=lambda e: (e.start_s, order.index(e.kind), e.end_s))


def speech_text(analysis: VideoAnalysis, *, title: str, notice: str | None) -> str:
    """What was said, one ``[start - end] SPEAKER: text`` line per segment."""
    lines = [title, ""]
    if notice:
        lines += [notice, ""]
    previous: str | None = None
    for e in speech_entries(analysis):
        who = ""
        if e.speaker and e.speaker != previous:
            if previous is not None:
                lines.append("")
            who, previous = f"{e.speaker}: ", e.speaker
        lines.append(f"[{clock(e.start_s)} - {clock(e.end_s)}] {who}{e.text}")
    return "\n".join(lines) + "\n"


def combined_html(analysis: VideoAnalysis, descriptions: list[TimedText], *, title: str,
                  summary: str | None, language: str, notice: str | None) -> str:
    """A standalone page: ``lang``, one ``h1``, entries in an ordered list with
    ``<time>`` offsets and what kind each is; every text escaped."""
    esc = html.escape
    items = []
    for e in all_entries(analysis, descriptions):
        label = KIND_LABELS[e.kind] + (f" ({e.speaker})" if e.speaker else "")
        items.append(f'    <li class="{e.kind}">{time_range_html(e.start_s, e.end_s)} '
                     f"<strong>{esc(label)}:</strong> {esc(e.text)}</li>")
    intro = f'  <p role="note">{esc(notice)}</p>\n' if notice else ""
    if not has_speech(analysis):
        intro += f"  <p>{esc(FALLBACK)}</p>\n"
    if summary:
        intro += f"  <p>{esc(summary)}</p>\n"
    legend = ", ".join(LEGEND)
    return html_page(title, language, intro + "  <h2>Transcript</h2>\n"
                     f"  <p>{esc(legend)}.</p>\n"
                     '  <ol aria-label="What is said, heard, seen and written, in time order">\n'
                     + "\n".join(items) + "\n  </ol>\n")
