"""What a caption reports as said or written, and whether the words bear it out.

A caption may use what is said in a scene (its transcript lines) and what
is written on screen (its on-screen text), but only *as* said or written:

    Someone says: "Dinner is ready."       (speech)
    A man says that dinner is ready.       (speech; "man" must be a tag)
    A sign reads "NO PARKING".             (text; "sign" must be a tag)
    Text on screen reads: Grand opening.   (text)

A *report* is a subject of at most four words, a verb of saying (``says``,
``asks``, ``shouts`` ...) or of reading (``reads``, ``says`` after a word for
text, ``shows the words``), and what follows: a quotation, or the clause up
to the end of the sentence. Every content word of it must be in the lines of
the right source (spoken words for a verb of saying, on-screen text for one
of reading), in any number ("dogs" for "dog"); function words are free, so
a paraphrase ("he will be late" for "I'll be late") passes.

:func:`masked` then takes the reports out of the text before the usual
checks run, leaving the subject (which must be evidence like any noun,
unless it is only "someone", "a voice", "text on screen", "a title" ...)
and a plain verb. So words from the transcript count as supported only
inside a report: "Someone says the dog is hungry" passes for a scene with
that line, "A dog sits." does not unless a tag shows a dog -- a caption
cannot turn a spoken word into a seen object. English only, like the
content check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from vidclip.caption import grounding, lexicon

SAYING = ("says", "asks", "shouts", "announces", "tells", "explains", "adds", "replies",
          "answers", "whispers", "sings", "calls out", "exclaims", "narrates", "yells", "cries")
READING = ("reads", "shows the words", "displays the words")
#: Subjects that need no tag: the words' existence is their evidence.
FREE_SPEAKERS = frozenset({"someone", "somebody", "a voice", "the voice", "a speaker",
                           "the speaker", "a narrator", "the narrator", "a voice off screen"})
FREE_TEXT = frozenset({"text", "the text", "text on screen", "on-screen text", "the on-screen text",
                       "a title", "the title", "a caption", "the caption", "subtitles",
                       "the subtitles", "a subtitle", "the words", "writing", "a lower third",
                       "the lower third", "the screen", "a title card", "the title card"})
#: Heads of subjects that make "says" a verb of reading ("a sign says ...").
TEXT_HEADS = frozenset({"text", "title", "caption", "subtitle", "subtitles", "sign", "banner",
                        "screen", "card", "words", "lettering", "label", "poster", "headline",
                        "board", "writing", "third", "placard", "notice"})
_VERB = re.compile(r"\b(" + "|".join(re.escape(v) for v in (*READING, *SAYING)) + r")\b",
                   re.IGNORECASE)
_SUBJECT_WORD = re.compile(r"[\w'\u2019-]+$")
_CLAUSE_WORDS = frozenset({"and", "then", "while", "as", "but", "when", "where", "so", "or"})
_QUOTES = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019"}
_LEAD = re.compile(r"\s*(?:that\s+)?[:,]?\s*", re.IGNORECASE)
Source = Literal["speech", "text"]


@dataclass(frozen=True)
class Report:
    """One report: characters ``[start, end)`` of the caption, the subject in it."""

    start: int
    subject_end: int
    end: int
    subject: str
    source: Source
    quoted: str


def _subject(text: str, verb_start: int) -> tuple[int, str]:
    """(start, words) of up to four words before the verb, back to punctuation."""
    at = verb_start
    words: list[tuple[int, str]] = []  # (start, word), last first
    while len(words) < 4:
        match = _SUBJECT_WORD.search(text[:at].rstrip())
        if not match or match.group().lower() in _CLAUSE_WORDS:
            break  # a subject starts after punctuation or a word joining clauses
        words.append((match.start(), match.group()))
        at = match.start()
    words.reverse()
    if not words:
        return verb_start, ""
    return words[0][0], " ".join(w for _, w in words)


def _quote(text: str, start: int) -> tuple[int, str]:
    """(end, quoted words) after the verb: a quotation, or the clause to the sentence end."""
    lead = _LEAD.match(text, start)
    at = lead.end() if lead else start
    if at < len(text) and text[at] in _QUOTES:
        close = text.find(_QUOTES[text[at]], at + 1)
        if close != -1:
            return close + 1, text[at + 1:close]
    end = re.compile(r"[.!?;]").search(text, at)
    stop = end.start() if end else len(text)
    return stop, text[at:stop]


def find(text: str) -> list[Report]:
    """Every report in ``text``, in order."""
    out: list[Report] = []
    for verb in _VERB.finditer(text):
        if out and verb.start() < out[-1].end:
            continue  # inside an earlier report's quotation
        start, subject = _subject(text, verb.start())
        if not subject:
            continue
        head = subject.lower().split()[-1]
        said = verb.group(1).lower()
        source: Source = "text" if said in READING or head in TEXT_HEADS else "speech"
        end, quoted = _quote(text, verb.end())
        out.append(Report(start, verb.start(), end, subject, source, quoted))
    return out


def _known(lines: Iterable[str]) -> set[str]:
    words: set[str] = set()
    for line in lines:
        for token in lexicon.tokens(line):
            words.update(grounding.word_forms(token.word))
    return words


@dataclass(frozen=True)
class Untraced:
    source: Source
    words: tuple[str, ...]


def untraced(reports: Sequence[Report], said: Sequence[str], written: Sequence[str]
             ) -> list[Untraced]:
    """Per report, the content words its source's lines do not hold (none: it is traced)."""
    known = {"speech": _known(said), "text": _known(written)}
    out = []
    for report in reports:
        words = [t.word for t in lexicon.tokens(report.quoted)]
        # Function words, pronouns and tense words are free: a report may turn them round.
        content = [w for w in words if not lexicon.is_free(w)
                   and w not in lexicon.style_words()] or words
        missing = tuple(dict.fromkeys(w for w in content if w not in known[report.source]))
        if missing or not words:
            out.append(Untraced(report.source, missing or ("(nothing)",)))
    return out


def masked(text: str, reports: Sequence[Report]) -> str:
    """``text`` with each report's verb and words replaced by "is" (its subject kept,
    unless it needs no evidence), for the checks of everything else."""
    out, at = [], 0
    for report in reports:
        subject = report.subject.lower()
        free = subject in FREE_SPEAKERS or subject in FREE_TEXT
        out.append(text[at:report.start])
        out.append("Someone is" if free else text[report.start:report.subject_end].rstrip()
                   + " is")
        if re.search(r"[.!?]\s*$", report.quoted):
            out.append(".")  # the sentence ended inside the quotation
        at = report.end
    out.append(text[at:])
    return "".join(out)


def problem(missing: Sequence[Untraced]) -> tuple[str, str]:
    """(reason for a note, "rejected because it ..." for a retry) of untraced reports."""
    parts_now, parts_then = [], []
    for m in missing:
        words = ", ".join(f"'{w}'" for w in m.words)
        where = "the transcript" if m.source == "speech" else "the on-screen text"
        verb = "said" if m.source == "speech" else "written"
        parts_now.append(f"reports {words} as {verb}, which {where} does not hold")
        parts_then.append(f"reported {words} as {verb}, but {where} does not say so")
    return "; ".join(parts_now), " and ".join(parts_then)


def hedge_outside(text: str, low: Sequence[str]) -> str:
    """Hedge low-confidence labels everywhere but inside reports (quoted words stay)."""
    reports = find(text)
    if not reports:
        return grounding.hedge_low_confidence(text, low)
    out, at = [], 0
    for report in reports:
        before = text[at:report.start]
        hedged = grounding.hedge_low_confidence(before, low) if before.strip() else before
        if before[-1:].isspace() and not hedged[-1:].isspace():
            hedged += " "
        out.append(hedged)
        out.append(text[report.start:report.end])
        at = report.end
    out.append(text[at:])
    return "".join(out)
