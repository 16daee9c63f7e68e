"""What the words rules read: each transcript segment and each on-screen text item,
with the time of every word in it.

A :class:`TextUnit` is one sentence-sized text with its source (``speech``
or ``text``) and *pieces*: character ranges of the text with their time
range. A transcript segment's pieces are its words (so a matched phrase is
timed from its first to its last word); a segment without word times, and
an on-screen text item, is one piece over its whole time range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from vidclip.schema import OnScreenText, Transcript, TranscriptSegment
from vidclip.text_moderation.tokens import Token, tokens

WordsSource = Literal["speech", "text"]


@dataclass(frozen=True)
class Piece:
    start: int  # characters [start, end) of the unit's text
    end: int
    start_s: float
    end_s: float


@dataclass(frozen=True)
class TextUnit:
    source: WordsSource
    text: str
    pieces: tuple[Piece, ...]

    @property
    def start_s(self) -> float:
        return self.pieces[0].start_s

    @property
    def end_s(self) -> float:
        return max(p.end_s for p in self.pieces)

    def words(self) -> list[Token]:
        return tokens(self.text)

    def span(self, first: Token, last: Token) -> tuple[str, float, float]:
        """The text from ``first`` to ``last`` (one line) and the time it was said or shown."""
        inside = [p for p in self.pieces if p.start < last.end and p.end > first.start]
        inside = inside or list(self.pieces)
        said = " ".join(self.text[first.start:last.end].split())
        return said, min(p.start_s for p in inside), max(p.end_s for p in inside)


def speech_unit(segment: TranscriptSegment) -> TextUnit | None:
    words = [w for w in segment.words if w.text.strip()]
    if not words:
        if not segment.text.strip():
            return None
        text = segment.text.strip()
        return TextUnit("speech", text, (Piece(0, len(text), segment.start_s, segment.end_s),))
    pieces, parts, at = [], [], 0
    for word in words:
        said = word.text.strip()
        pieces.append(Piece(at, at + len(said), word.start_s, max(word.end_s, word.start_s)))
        parts.append(said)
        at += len(said) + 1
    return TextUnit("speech", " ".join(parts), tuple(pieces))


def screen_unit(item: OnScreenText) -> TextUnit | None:
    if not item.text.strip():
        return None
    return TextUnit("text", item.text, (Piece(0, len(item.text), item.start_s, item.end_s),))


def units(transcript: Transcript | None, on_screen_text: Sequence[OnScreenText]
          ) -> list[TextUnit]:
    """Every transcript segment, then every on-screen text item, that has words."""
    found = [speech_unit(s) for s in (transcript.segments if transcript else [])]
    found += [screen_unit(item) for item in on_screen_text]
    return [u for u in found if u is not None]
