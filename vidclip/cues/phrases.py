"""English words a caption line must not end on, and where a line may break.

A line that ends on an article, a preposition or a conjunction leaves the
reader holding half a phrase (DCMP Captioning Key, "Line Division"; BBC
Subtitle Guidelines, "Line breaks"). The segmenter avoids such breaks and the
checker reports them, both from these lists only.
"""

from __future__ import annotations

import re

ARTICLES = frozenset({"a", "an", "the"})
PREPOSITIONS = frozenset({
    "about", "above", "across", "after", "against", "along", "among", "around", "at",
    "before", "behind", "below", "beneath", "beside", "between", "beyond", "by", "down",
    "during", "except", "for", "from", "in", "inside", "into", "like", "near", "of", "off",
    "on", "onto", "out", "outside", "over", "past", "since", "through", "throughout", "to",
    "toward", "towards", "under", "underneath", "until", "up", "upon", "with", "within",
    "without"})
CONJUNCTIONS = frozenset({
    "and", "but", "or", "nor", "so", "yet", "because", "although", "though", "if", "unless",
    "while", "whereas", "that", "than", "when", "whether"})
#: Also not a line's last word: a possessive or a demonstrative before its noun.
DETERMINERS = frozenset({"my", "your", "his", "her", "its", "our", "their", "this", "these",
                         "those", "some", "every", "each", "no"})

NO_BREAK_AFTER = ARTICLES | PREPOSITIONS | CONJUNCTIONS | DETERMINERS

_CLAUSE_END = re.compile(r"[,;:\u2014\u2013]$")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


def bare(word: str) -> str:
    """The word as the lists hold it: lower case, no surrounding punctuation (nor
    a speaker's dash)."""
    return word.strip(".,;:!?\"'()[]\u201c\u201d\u2018\u2019- ").lower()


def bad_break_after(word: str) -> bool:
    """True when a line (or a cue) should not end on ``word``; a word carrying
    its own punctuation ends a phrase whatever it is."""
    return not ends_clause(word) and bare(word) in NO_BREAK_AFTER


def ends_sentence(word: str) -> bool:
    return bool(_SENTENCE_END.search(word))


def ends_clause(word: str) -> bool:
    return ends_sentence(word) or bool(_CLAUSE_END.search(word))
