"""Burned-in subtitles: subtitle-band text compared with what is said.

An item is a burned-in subtitle when it sits in the subtitle band and
(where there is a transcript) the transcript says the same around that
time: at least ``SAME_WORDS`` of the item's words are among the words spoken
between ``SLACK_S`` before it appears and ``SLACK_S`` after it goes.
Without a transcript ``matches_speech`` stays None. A band item that changes
faster than ``MAX_SUBTITLE_S`` apart from speech is still kind ``subtitle``
by position; the comparison is what tells burned-in subtitles from a
caption that merely sits low.
"""

from __future__ import annotations

import re

from vidclip.schema import VideoAnalysis

SAME_WORDS = 0.5
SLACK_S = 1.0
_WORD = re.compile(r"[a-z0-9']+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def mark_subtitles(analysis: VideoAnalysis) -> VideoAnalysis:
    transcript = analysis.transcript
    segments = list(transcript.segments) if transcript is not None else []
    if not segments:
        return analysis
    marked = []
    for item in analysis.on_screen_text:
        if item.kind != "subtitle":
            marked.append(item)
            continue
        spoken: set[str] = set()
        for seg in segments:
            if seg.end_s >= item.start_s - SLACK_S and seg.start_s <= item.end_s + SLACK_S:
                spoken |= _words(seg.text)
        shown = _words(item.text)
        share = len(shown & spoken) / len(shown) if shown else 0.0
        marked.append(item.model_copy(update={"matches_speech": share >= SAME_WORDS}))
    return analysis.model_copy(update={"on_screen_text": marked})
