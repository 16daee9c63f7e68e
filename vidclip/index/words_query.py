"""A words query as SQLite FTS5 expressions, and the snippet of a hit.

The user's text is never handed to FTS5 as syntax: it is cut into words
exactly as the index's tokenizer cuts what it stores (``unicode61``: runs
of letters and digits; everything else separates), and each word is quoted,
so operators (``AND``, ``NEAR``, ``*``, ``:``), quotes, markup and
punctuation in a query are only text. Words in double quotes are a phrase
the text must hold; the rest are words it should. A query is asked in
tiers, best first, each ranked by BM25 within it:

1. the whole query as one phrase ("harbour master", in that order);
2. every word (and quoted phrase), anywhere in the text;
3. any of the words (with every quoted phrase still required).

A hit's score is the share of the query's words the text holds: 1.0 in the
first two tiers, less in the third. Stemming (the Porter stemmer of the
index's tokenizer) lets "harbours" find "harbour".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words of a query beyond this many are left out (a pasted paragraph is not a query).
MAX_TERMS = 16
#: Characters of a snippet around its first match.
SNIPPET_CHARS = 160
#: Marks FTS5's highlight() puts around each match (private-use characters: never in text).
OPEN, CLOSE = "\ue000", "\ue001"

_WORD = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"([^"]*)"')


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text.replace(OPEN, " ").replace(CLOSE, " "))]


@dataclass(frozen=True)
class Tier:
    match: str
    #: None: the share of the query's words is counted per hit.
    score: float | None


@dataclass(frozen=True)
class WordsQuery:
    phrases: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "WordsQuery":
        phrases = [tuple(words(q)) for q in _QUOTED.findall(text)]
        rest = words(_QUOTED.sub(" ", text))
        phrases = [p for p in dict.fromkeys(phrases) if p][:MAX_TERMS]
        budget = MAX_TERMS - sum(len(p) for p in phrases)
        return cls(tuple(phrases), tuple(dict.fromkeys(rest))[:max(budget, 0)])

    def __bool__(self) -> bool:
        return bool(self.phrases or self.terms)

    @property
    def size(self) -> int:
        return len(self.phrases) + len(self.terms)

    def tiers(self) -> list[Tier]:
        required = [_phrase(p) for p in self.phrases]
        terms = [_phrase((t,)) for t in self.terms]
        tiers = []
        if not self.phrases and len(self.terms) > 1:
            tiers.append(Tier(_phrase(self.terms), 1.0))
        if required or terms:
            tiers.append(Tier(" AND ".join(required + terms), 1.0))
        if len(terms) > 1:
            any_term = "(" + " OR ".join(terms) + ")"
            tiers.append(Tier(" AND ".join([*required, any_term]), None))
        return tiers

    def parts(self) -> list[str]:
        """One expression per phrase and word: what the share of a hit is counted over."""
        return [_phrase(p) for p in self.phrases] + [_phrase((t,)) for t in self.terms]


def _phrase(tokens: tuple[str, ...]) -> str:
    return '"' + " ".join(tokens) + '"'  # tokens hold letters and digits only


def snippet(marked: str, width: int = SNIPPET_CHARS) -> tuple[str, tuple[tuple[int, int], ...]]:
    """FTS5-highlighted text -> (plain snippet, ``[start, end)`` of each match in it),
    cut to about ``width`` characters around the first match."""
    plain, spans, at = [], [], 0
    for piece in re.split(f"([{OPEN}{CLOSE}])", " ".join(marked.split())):
        if piece == OPEN:
            spans.append([at, at])
        elif piece == CLOSE:
            if spans:
                spans[-1][1] = at
        else:
            plain.append(piece)
            at += len(piece)
    text = "".join(plain)
    if len(text) <= width:
        return text, tuple((a, b) for a, b in spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 3, len(text) - width))
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    if end < len(text) and " " in text[start:end]:
        end = text.rfind(" ", start, end)
    head, tail = ("\u2026" if start else ""), ("\u2026" if end < len(text) else "")
    shift = len(head) - start
    kept = tuple((a + shift, b + shift) for a, b in spans if a >= start and b <= end)
    return head + text[start:end] + tail, kept
