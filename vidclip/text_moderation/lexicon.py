"""A category's lexicon: words and phrases matched on word boundaries.

Entries are written as a reader would say them (``kill you``, ``you're
dead``) and go through the same normalisation as the text
(:mod:`~vidclip.text_moderation.tokens`). A match is a run of consecutive
words of the text, inside one sentence, where each word is

- one of the entry word's inflections: ``kill`` also matches "kills",
  "killed", "killing"; ``bitch`` also matches "bitches" (regular English
  endings -s/-es/-ed/-ing, with the silent e dropped, y to i, and the final
  consonant doubled: "stabbed"; a few irregular verbs of harm: "shot",
  "hung"). Function words (you, my, the, ...) match only as written;
- or, for an entry written ``{phrase: ..., exact: true}``, the word exactly
  as written ("whole phrase only": no inflections at all);
- or, for a word ending in ``*``, any word that *starts* with it
  (``fuck*``: "fucking", "fucker"); at least four letters must come before
  the star, because a short prefix is the Scunthorpe problem again ("ass*"
  would match "assess" and "assassin").

A category's ``allow`` phrases are the benign look-alikes (``shoot you an
email``): a match lying inside one of them does not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vidclip.errors import ConfigError
from vidclip.text_moderation.tokens import Token, tokens

#: Letters a wildcard word must have before its ``*``.
MIN_PREFIX = 4
#: Irregular forms of verbs that threats and self-harm are phrased with.
_IRREGULAR = {"shoot": ("shot",), "hang": ("hung", "hanged"), "beat": ("beaten",),
              "burn": ("burnt",), "slay": ("slain", "slew"), "die": ("died", "dying")}
_VOWELS = set("aeiou")


@dataclass(frozen=True)
class Phrase:
    """One lexicon entry: its words as written (lower case) and how they may vary."""

    words: tuple[str, ...]
    exact: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """The closed-class words of the caption word lists (function words, and the first-
    and second-person pronouns and tense auxiliaries of the style list): never inflected."""
    folder = resources.files("vidclip") / "data" / "words"
    words = set()
    for name in ("function_words.txt", "style_words.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].split("|", 1)[0].strip().lower()
            if word:
                words.add(word)
    return frozenset(words)


def inflections(word: str) -> frozenset[str]:
    """The forms of ``word`` a tolerant entry accepts (itself included)."""
    if word in _function_words() or len(word) < 3 or not word.isalpha():
        return frozenset({word})
    forms = {word, *_IRREGULAR.get(word, ())}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    elif word.endswith("y") and word[-2] not in _VOWELS:
        forms.update({word[:-1] + "ies", word[:-1] + "ied"})
    else:
        forms.add(word + "s")
    if word.endswith("e"):
        forms.update({word + "d", word[:-1] + "ing"})
    else:
        stem = word
        if (word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS
                and word[-3] not in _VOWELS):
            stem = word + word[-1]  # stab -> stabbed, stabbing
        forms.update({stem + "ed", stem + "ing", word + "ed", word + "ing"})
    return frozenset(forms)


def parse_entry(raw: object, where: str) -> Phrase:
    """A YAML lexicon entry (a string, or ``{phrase: str, exact: bool}``) as a :class:`Phrase`."""
    exact = False
    if isinstance(raw, dict):
        unknown = set(raw) - {"phrase", "exact"}
        if unknown or not isinstance(raw.get("phrase"), str):
            raise ConfigError(f"{where}: a lexicon entry is a string or "
                              "{phrase: TEXT, exact: true|false}.")
        exact = bool(raw.get("exact", False))
        raw = raw["phrase"]
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: lexicon entry {raw!r} is not text.")
    words = [t.word for t in tokens(raw.replace("*", "_STAR_"))]
    words = [w.replace("_star_", "*") for w in words]
    if not words:
        raise ConfigError(f"{where}: lexicon entry {raw!r} has no words.")
    for word in words:
        if "*" in word and (not word.endswith("*") or word.count("*") > 1
                            or len(word) - 1 < MIN_PREFIX):
            raise ConfigError(
                f"{where}: lexicon entry {raw!r}: a wildcard is a word of at least "
                f"{MIN_PREFIX} letters ending in '*' (a shorter prefix matches innocent "
                "words: 'ass*' matches 'assess').")
    return Phrase(tuple(words), exact)


def parse_entries(raw: object, where: str) -> tuple[Phrase, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: a lexicon is a list of words and phrases.")
    return tuple(dict.fromkeys(parse_entry(item, where) for item in raw))


@dataclass(frozen=True)
class _Word:
    forms: frozenset[str]
    prefix: str | None

    def accepts(self, word: str) -> bool:
        return word in self.forms or (self.prefix is not None and word.startswith(self.prefix))


def _compile(phrase: Phrase) -> tuple[_Word, ...]:
    out = []
    for word in phrase.words:
        if word.endswith("*"):
            out.append(_Word(frozenset(), word[:-1]))
        else:
            out.append(_Word(frozenset({word}) if phrase.exact else inflections(word), None))
    return tuple(out)


@dataclass(frozen=True)
class Match:
    """Words ``first..last`` (token indices, inclusive) of a text matched ``phrase``."""

    phrase: Phrase
    first: int
    last: int


class _Compiled:
    """Phrases indexed by their first word, so a text is read once whatever their number."""

    def __init__(self, phrases: Iterable[Phrase]):
        self.by_first: dict[str, list[tuple[Phrase, tuple[_Word, ...]]]] = {}
        self.prefixed: list[tuple[Phrase, tuple[_Word, ...]]] = []
        for phrase in phrases:
            pattern = _compile(phrase)
            if pattern[0].prefix is not None:
                self.prefixed.append((phrase, pattern))
            for form in pattern[0].forms:
                self.by_first.setdefault(form, []).append((phrase, pattern))

    def matches(self, words: Sequence[Token]) -> list[Match]:
        out = []
        for start, token in enumerate(words):
            candidates = self.by_first.get(token.word, [])
            candidates = candidates + [c for c in self.prefixed if c[1][0].accepts(token.word)]
            for phrase, pattern in candidates:
                end = start + len(pattern) - 1
                if end < len(words) and _fits(pattern, words, start):
                    out.append(Match(phrase, start, end))
        return out


def _fits(pattern: tuple[_Word, ...], words: Sequence[Token], start: int) -> bool:
    for k in range(1, len(pattern)):
        if words[start + k - 1].ends_sentence or not pattern[k].accepts(words[start + k].word):
            return False
    return True


class Lexicon:
    """Finds a category's phrases in a text, less those inside its allowed phrases."""

    def __init__(self, phrases: Sequence[Phrase], allow: Sequence[Phrase] = ()):
        self.phrases = tuple(phrases)
        self._phrases = _Compiled(self.phrases)
        self._allow = _Compiled(allow)

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def find(self, words: Sequence[Token]) -> list[Match]:
        """Matches in text order; overlapping matches are joined into one."""
        allowed = self._allow.matches(words)
        found = [m for m in self._phrases.matches(words)
                 if not any(a.first <= m.first and m.last <= a.last for a in allowed)]
        return _joined(found)


def _joined(found: list[Match]) -> list[Match]:
    out: list[Match] = []
    for m in sorted(found, key=lambda m: (m.first, -m.last)):
        if out and m.first <= out[-1].last:
            if m.last > out[-1].last:
                out[-1] = Match(out[-1].phrase, out[-1].first, m.last)
            continue
        out.append(m)
    return out
