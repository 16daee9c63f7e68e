"""Words of English captions: which are content words, and their forms.

The grounding check (:mod:`vidclip.caption.content`) must find every noun,
verb and adjective a caption uses. It does so the other way round: it lists
the words that are *not* content words and treats every other word as one.

- Function words are closed classes (articles, pronouns, prepositions,
  conjunctions, auxiliaries, a few particles): a few hundred words that do
  not grow, listed in ``vidclip/data/words/function_words.txt``.
- Neutral words (``neutral_words.txt``) are the open-class words every
  caption may use whatever the tags: neutral verbs of being there and
  being seen ("shows", "appears", "can be seen"), the hedges the prompts ask
  for, and the scene's own facts ("scene", "video", "first", "seconds").
- Style words (``style_words.txt``) are function words a description must
  not use: first and second person, past and future tense.

Why not a part-of-speech tagger (spaCy's small English model, NLTK's
perceptron): the check needs the complement of the function words, and a
closed list of them is complete by construction, while a tagger is a
statistical guess that errs on exactly the short, odd fragments a small
model writes ("A bridge is built."). An unknown word here is always judged
as content and must be traced to the evidence, so a gap in the lists can
only cost a retry, never let an invention through. It also keeps the
captioner free of a 15-50 MB model download and its start-up time, and
the same words come out on every machine.

Forms: nouns get their singular and plural (:func:`noun_forms`); a verb
that a label holds as a gerund ("person running") gets its base and third
person ("run", "runs", :func:`verb_forms`). Possessives ("man's") and
contractions ("isn't") are reduced to their word by :func:`tokens`.
English only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vidclip.caption.grounding import s_form, word_forms

_WORDS = resources.files("vidclip") / "data" / "words"
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CONTRACTIONS = {"can't": "can", "won't": "will", "shan't": "shall"}
#: Verbs that make a clause finite: auxiliaries, modals and the neutral verbs.
FINITE = frozenset({
    "is", "are", "am", "do", "does", "has", "have", "can", "could", "may", "might", "must",
    "should", "show", "shows", "appear", "appears", "seem", "seems", "look", "looks", "see",
    "depict", "depicts", "feature", "features", "include", "includes", "contain", "contains",
})  # fmt: skip
#: Nouns that end in -ing: their labels name a thing, not an action.
_ING_NOUNS = frozenset({
    "building", "ceiling", "painting", "wedding", "clothing", "evening", "morning", "railing",
    "pudding", "dumpling", "earring", "icing", "awning", "stuffing", "lightning", "clearing",
    "crossing", "string", "spring", "swing", "thing", "sibling", "sling", "sting", "fling",
    "landing", "offering", "recording", "drawing", "filling", "frosting", "housing", "lettering",
    "plumbing", "bedding", "seasoning", "topping", "dressing", "cladding", "parking",
})  # fmt: skip


@dataclass(frozen=True)
class Token:
    #: Lower case, possessive and contraction reduced: "man's" -> "man".
    word: str
    start: int
    end: int


def _read(name: str) -> list[str]:
    lines = []
    for raw in (_WORDS / name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip().lower()
        if line:
            lines.append(line)
    return lines


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    return frozenset(_read("function_words.txt"))


@lru_cache(maxsize=1)
def neutral_words() -> frozenset[str]:
    return frozenset(_read("neutral_words.txt"))


@lru_cache(maxsize=1)
def style_words() -> dict[str, str]:
    """Word -> the style rule it breaks ("not present tense", ...)."""
    out = {}
    for line in _read("style_words.txt"):
        word, _, rule = line.partition("|")
        out[word.strip()] = rule.strip()
    return out


def is_free(word: str) -> bool:
    """A word any caption may use: a function word or a neutral word."""
    return word in function_words() or word in neutral_words()


def tokens(text: str) -> Iterator[Token]:
    """The words of ``text`` in order, lower case, with their character spans.

    Digits are not words here (times like "0:06" are the scene's facts);
    hyphenated compounds are separate words ("knife-shaped": "knife", "shaped").
    """
    low = text.lower().replace("\u2019", "'")
    for m in _TOKEN.finditer(low):
        word = m.group(0)
        word = _CONTRACTIONS.get(word, word)
        if word.endswith("n't"):
            word = word[:-3]
        elif "'" in word:
            word = word.split("'", 1)[0]
        if word:
            yield Token(word, m.start(), m.end())


def noun_forms(word: str) -> set[str]:
    """Singular and plural of a noun (and the irregular ones: person/people)."""
    return word_forms(word)


def is_gerund(word: str) -> bool:
    return len(word) > 4 and word.endswith("ing") and word not in _ING_NOUNS


def verb_forms(gerund: str) -> tuple[set[str], set[str]]:
    """``(all forms, finite forms)`` of the verb in ``gerund``.

    "running" -> ({"running", "run", "runs", ...}, {"run", "runs", ...}). A few
    spellings that are not words come along ("runn"); they only widen the
    match by strings no caption writes.
    """
    stem = gerund[:-3]
    bases = {stem, stem + "e"}
    if len(stem) > 2 and stem[-1] == stem[-2]:
        bases.add(stem[:-1])  # running -> run
    if stem.endswith("y"):
        bases.add(stem[:-1] + "ie")  # lying -> lie
    finite = bases | {s_form(base, verb=True) for base in bases}
    return finite | {gerund}, finite
