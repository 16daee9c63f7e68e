"""One verdict on a language model's text, from both grounding checks.

:func:`judge` runs :func:`vidclip.caption.grounding.check_text` (vocabulary
labels the scene lacks, words for harm no tag shows) and then, for English
text, :func:`vidclip.caption.content.check_content` (every content word
traced to the tags, no repeats, a verb per sentence, the style of audio
description). The language-model flow (:mod:`vidclip.caption.llm`) asks
again once with :attr:`Verdict.problem` in the prompt, then falls back to
the template with :attr:`Verdict.reason` in the note.

Words reported as said or written ("Someone says: ...", "A sign reads
...", :mod:`vidclip.caption.reported`) are first checked against the
scene's transcript lines and on-screen text, then taken out of the text, so
the other checks judge the rest: a spoken word counts as supported only
where the text says it was said.

An alias a vocabulary file gives for a tag (``speedboat | boat``) counts as
evidence in both checks, so "boat" for a scene tagged speedboat is not a
label absent from it even though "boat" is a label of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from vidclip.caption import content, grounding, lexicon, reported

#: The content check knows English words only; other languages get the label check.
CONTENT_LANGUAGES = ("en",)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    #: For the result's note: what is wrong ("says 'built', which no tag supports").
    reason: str | None = None
    #: For the retry prompt: "... was rejected because it {problem}".
    problem: str = ""
    #: Why the text was judged by labels only (a language the word lists lack).
    unchecked: str | None = None


def checks_words(language: str) -> bool:
    return language.lower().split("-")[0] in CONTENT_LANGUAGES


def judge(text: str, kind: str, evidence: Iterable[str], vocabulary: Iterable[str],
          aliases: Mapping[str, Sequence[str]] | None = None,
          language: str = "en", places: Iterable[str] = (), said: Sequence[str] = (),
          written: Sequence[str] = ()) -> Verdict:
    """Judge ``text`` (a ``caption``, ``description`` or ``summary``) against ``evidence``
    (tag labels) and what is ``said`` and ``written`` on screen."""
    if checks_words(language):
        reports = reported.find(text)
        missing = reported.untraced(reports, said, written)
        if missing:
            reason, problem = reported.problem(missing)
            return Verdict(False, reason, problem)
        text = reported.masked(text, reports)
    evidence = list(evidence)
    aliases = aliases or {}
    named = [*evidence, *(a for label in evidence for a in aliases.get(label, ()))]
    labels = grounding.check_text(text, named, vocabulary)
    if not text.strip():
        return Verdict(False, labels.reason, "was empty")
    words = content.check_content(text, content.support(evidence, aliases, places), kind) \
        if checks_words(language) else None
    if words is not None:  # a word the label check reported is not reported twice
        named_once = {t.word for name in (*labels.unsupported, *labels.sensitive)
                      for t in lexicon.tokens(name)}
        words = replace(words, untraceable=tuple(w for w in words.untraceable
                                                 if w not in named_once))
    if labels.ok and (words is None or words.ok):
        unchecked = None if words is not None else \
            f"words not checked one by one: the word lists are English only ({language})"
        return Verdict(True, unchecked=unchecked)
    reasons = [r for r in (labels.reason, words.reason if words else None) if r]
    problems = [p for p in (label_problem(labels), words.problem if words else "") if p]
    return Verdict(False, "; ".join(reasons), " and ".join(problems))


def label_problem(check: grounding.GroundingCheck) -> str:
    """The retry prompt's "rejected because it ..." for a failed label check."""
    parts = []
    if check.unsupported:
        names = ", ".join(f"'{label}'" for label in check.unsupported)
        parts.append(f"named {names}, which the evidence does not list")
    if check.sensitive:
        words = ", ".join(f"'{word}'" for word in check.sensitive)
        parts.append(f"said {words}, which no tag shows")
    return " and ".join(parts)
