"""Significant on-screen text as a sentence of a scene's audio description.

Audio-description guidance (DCMP Description Key; Netflix's Audio Description
Style Guide) reads out titles, names in lower thirds, signs and dates. Burned-in
subtitles are not read: a listener hears the dialogue itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from vidclip.schema import OnScreenText

_NOUNS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
          "january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december", "i"}
_LEADS = {"title": "A title reads", "lower_third": "A caption reads", "other": "Text reads"}


def spoken_form(text: str) -> str:
    """One line of words; all capitals in sentence case (a screen reader spells out
    capitals), day and month names kept capitalised."""
    flat = " ".join(text.split())
    if flat.upper() != flat or not any(c.isalpha() for c in flat):
        return flat
    words = [w.capitalize() if w.lower().strip(".,:;!?") in _NOUNS else w.lower()
             for w in flat.split()]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def read_aloud(start_s: float, end_s: float, items: Sequence[OnScreenText]) -> str | None:
    """The sentences for text appearing in ``[start_s, end_s)``, or None."""
    sentences = []
    for item in items:
        if item.kind == "subtitle" or not (start_s <= item.start_s < end_s):
            continue
        words = spoken_form(item.text).rstrip(".")
        sentence = f"{_LEADS[item.kind]}: {words}."
        if sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences) or None
