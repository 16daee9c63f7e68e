"""A person's edit of one caption cue: cleaned, kept as typed, and checked
against the track's timed-text style.

A cue's line breaks are part of its layout, so an edit keeps them (each line's
whitespace folded, blank lines dropped) where a scene caption is folded to one
line. The style's limits (``max_line``, ``max_lines``, ``max_cps``) are never
enforced by rewrapping what a person typed: :func:`cue_warnings` says, in words
the editor reads, where the cue breaks them, and the text is saved as it is.
"""

from __future__ import annotations

import re
import unicodedata

from vidclip.cues.rules import layout_warnings
from vidclip.schema import CaptionCue, CaptionStyleInfo, CaptionTrack

#: A cue is read in a few seconds: far more than any style allows on screen.
MAX_CUE_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_cue_text(text: str) -> str:
    """The cue text as stored: lines joined by "\\n", each line's whitespace
    folded, blank lines dropped; markup kept as the characters typed.

    ValueError (one line, for the editor) when it is empty, too long, or holds
    control characters other than line breaks.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _CONTROL.search(text):
        raise ValueError("the text holds control characters; type plain text")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    if not cleaned:
        raise ValueError("the text is empty; write what is said (or leave it as it was)")
    if len(cleaned) > MAX_CUE_CHARS:
        raise ValueError(f"the text is {len(cleaned):,} characters long; at most "
                         f"{MAX_CUE_CHARS:,} fit one cue (split it into several cues)")
    return cleaned


def cue_warnings(text: str, start_s: float, end_s: float,
                 style: CaptionStyleInfo) -> list[str]:
    """Where the cue breaks the style's line length, line count or reading
    speed, one sentence each; empty when it keeps them (the same rules as
    :func:`vidclip.cues.rules.check_track`)."""
    return [message for _, message in layout_warnings(text, start_s, end_s, style)]


def find_cue(track: CaptionTrack | None, index: int) -> CaptionCue | None:
    """The cue with this ``index`` (its position, as the writers number them)."""
    if track is None:
        return None
    if 0 <= index < len(track.cues) and track.cues[index].index == index:
        return track.cues[index]
    return next((c for c in track.cues if c.index == index), None)


def warnings_of(track: CaptionTrack, cue: CaptionCue) -> list[str]:
    return cue_warnings(cue.text, cue.start_s, cue.end_s, track.style)
