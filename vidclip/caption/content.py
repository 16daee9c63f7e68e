"""Every content word of a caption traced to the evidence.

:func:`check_text <vidclip.caption.grounding.check_text>` rejects a caption
that names a vocabulary label its scene lacks, or a word for harm. Words
outside the vocabulary passed it: "A bridge is built." for a scene tagged
bridge, staircase and ladder invents "built". :func:`check_content` judges
every word (see :mod:`vidclip.caption.lexicon` for how content words are
told from function words). A word passes when it is

- a function word or a neutral word (:func:`~vidclip.caption.lexicon.is_free`);
- part of a tag label named whole ("race car", "computer screens");
- the head of a tag label or of one of its parts, in any number: "car"
  for "race car", "crowd" and "people" for "crowd of people", "person" for
  "person running" -- but not a modifier alone ("race" of "race car": the
  word that let "races across the road" through);
- a form of the verb a label holds as a gerund: "runs" for "person running";
- an alias the vocabulary file gives for a label (``label | alias, alias``),
  matched the same way.

It also fails when it places one tagged thing relative to another with no
tag to say so ("A race car is on a speedboat.", :mod:`vidclip.caption.relations`),
when a sentence has no finite verb ("A dog on a beach."),
when it repeats itself -- a thing named twice in one sentence ("a suit
and tie, possibly in a man's suit and tie") or two things named together
twice in the text -- or when it breaks the style of audio description
(first or second person, past or future tense; ``style_words.txt``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType

from vidclip.caption import lexicon
from vidclip.caption.grounding import mentions
from vidclip.caption.relations import Item, unsupported_relations

#: Whatever a caption names twice in one sentence counts as a repeat, except
#: in a summary, which may come back to what an earlier scene showed.
KINDS = ("caption", "description", "summary")


@dataclass(frozen=True)
class Support:
    """What a text may name, built from tag labels and their aliases."""

    #: Multi-word labels and aliases -> the label they stand for.
    phrases: Mapping[str, str]
    #: Word forms a text may use alone -> the label word they stand for.
    words: Mapping[str, str]
    #: The forms in ``words`` that are finite verbs ("runs").
    verbs: frozenset[str]
    #: Units (label words, labels) that name a place: a thing may be "in" one.
    places: frozenset[str] = frozenset()
    #: Unit -> the labels it comes from ("person" -> {"person riding a motorcycle"}).
    owners: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ContentCheck:
    #: Content words no evidence supports, lower case, in text order.
    untraceable: tuple[str, ...] = ()
    #: What the text says twice ("suit", or "suit ... tie" for a repeated pair).
    repeated: tuple[str, ...] = ()
    #: Sentences without a finite verb.
    verbless: int = 0
    #: (word, rule broken): "was" -> "not present tense".
    style: tuple[tuple[str, str], ...] = ()
    #: Placings no tag supports: "race car on speedboat".
    relations: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.untraceable or self.repeated or self.verbless or self.style
                    or self.relations)

    @property
    def reason(self) -> str | None:
        """For a note: what is wrong, in the words of the result's other reasons."""
        return "; ".join(now for now, _ in self._findings()) or None

    @property
    def problem(self) -> str:
        """For the retry prompt: "... was rejected because it {problem}"."""
        return " and ".join(then for _, then in self._findings())

    def _findings(self) -> list[tuple[str, str]]:
        """Each problem as (present tense for notes, past tense for the retry prompt)."""
        out = []
        if self.untraceable:
            words = _quoted(self.untraceable)
            out.append((f"says {words}, which no tag supports",
                        f"used {words}, which the tags do not say"))
        if self.repeated:
            out.append((f"repeats {_quoted(self.repeated)}",
                        f"repeated {_quoted(self.repeated)}"))
        if self.verbless:
            out.append(("has no verb", "had no verb"))
        if self.relations:
            placed = _quoted(self.relations)
            out.append((f"places {placed}, which no tag shows",
                        f"said {placed}, but the tags only say that each is there"))
        for rule in dict.fromkeys(rule for _, rule in self.style):
            words = _quoted(w for w, r in self.style if r == rule)
            out.append((f"says {words} ({rule})", f"used {words} ({rule})"))
        return out


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def support(labels: Iterable[str], aliases: Mapping[str, Sequence[str]] | None = None,
            places: Iterable[str] = ()) -> Support:
    """The :class:`Support` of ``labels`` (each with its ``aliases``, if any);
    ``places`` are the labels that name places (the vocabulary's ``scenes_places``)."""
    labels = tuple(dict.fromkeys(label.strip().lower() for label in labels if label.strip()))
    aliases = {k.lower(): v for k, v in (aliases or {}).items()}
    pairs = tuple((label, tuple(a.lower() for a in aliases.get(label, ()))) for label in labels)
    place_set = {p.strip().lower() for p in places}
    return _support(pairs, frozenset(label for label in labels if label in place_set))


@lru_cache(maxsize=4096)
def _support(pairs: tuple[tuple[str, tuple[str, ...]], ...], places: frozenset[str]) -> Support:
    phrases: dict[str, str] = {}
    words: dict[str, str] = {}
    verbs: set[str] = set()
    owners: dict[str, set[str]] = {}
    for label, aliases in pairs:
        for name in (label, *aliases):
            for unit in _add(name, label, phrases, words, verbs):
                owners.setdefault(unit, set()).add(label)
    place_units = frozenset(u for u, labels in owners.items() if labels & places)
    return Support(MappingProxyType(phrases), MappingProxyType(words), frozenset(verbs),
                   place_units, MappingProxyType({u: frozenset(v) for u, v in owners.items()}))


def _add(name: str, label: str, phrases: dict, words: dict, verbs: set) -> list[str]:
    """Enter ``name`` (``label`` or an alias of it); return the units it gives."""
    parts = [w for w in re.split(r"[\s-]+", name) if w]
    units = []
    if len(parts) > 1 or "-" in name:
        phrases.setdefault(name, label)
        units.append(label)
    chunk: list[str] = []

    def close() -> None:
        if chunk:
            for form in lexicon.noun_forms(chunk[-1]):
                words.setdefault(form, chunk[-1])
            units.append(chunk[-1])
            chunk.clear()

    for i, word in enumerate(parts):
        if word in lexicon.function_words():
            close()
        elif lexicon.is_gerund(word) and (i > 0 or len(parts) == 1):
            # "person running", "cooking": an action. First of several words
            # ("boxing ring", "swimming pool") it only says what kind of thing.
            close()
            forms, finite = lexicon.verb_forms(word)
            for form in forms:
                words.setdefault(form, word)
            verbs.update(finite)
            units.append(word)
        else:
            chunk.append(word)
    close()
    return units


def check_content(text: str, evidence: Support, kind: str = "caption") -> ContentCheck:
    """Judge every word of ``text`` against ``evidence`` (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    untraceable: list[str] = []
    style: list[tuple[str, str]] = []
    placed: list[str] = []
    verbless = 0
    units: list[list[str]] = []
    for sentence in _sentences(text):
        items, has_verb = _sentence_items(sentence, evidence, untraceable, style)
        if items and not has_verb:
            verbless += 1
        units.append([i.unit for i in items if i.unit is not None])
        placed += unsupported_relations(sentence, items, evidence.places, evidence.owners)
    repeated = _repeats(units, within_sentence=kind != "summary")
    return ContentCheck(tuple(untraceable), tuple(repeated), verbless,
                        tuple(dict.fromkeys(style)), tuple(dict.fromkeys(placed)))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+", text.strip()) if s]


def _sentence_items(sentence: str, evidence: Support, untraceable: list[str],
                    style: list[tuple[str, str]]) -> tuple[list[Item], bool]:
    """(its words in order, things named marked with their unit; has a finite verb)."""
    chars = list(sentence)
    items: list[Item] = []
    for phrase, start, end in mentions(sentence, evidence.phrases):
        items.append(Item(start, end, phrase, evidence.phrases[phrase]))
        chars[start:end] = " " * (end - start)
    has_verb = False
    styles = lexicon.style_words()
    for token in lexicon.tokens("".join(chars)):
        word = token.word
        unit = None
        if word in styles:
            style.append((word, styles[word]))
            has_verb = True  # "was", "will": a verb, only the wrong one
        elif not lexicon.is_free(word):
            unit = evidence.words.get(word)
            if unit is None:
                unit = word
                if word not in untraceable:
                    untraceable.append(word)
        has_verb = has_verb or word in lexicon.FINITE or word in evidence.verbs
        items.append(Item(token.start, token.end, word, unit))
    return sorted(items, key=lambda i: i.start), has_verb


def _repeats(units: list[list[str]], within_sentence: bool) -> list[str]:
    repeated: list[str] = []
    if within_sentence:
        for found in units:
            counts = Counter(found)
            repeated.extend(u for u in dict.fromkeys(found) if counts[u] > 1)
    pairs = Counter((a, b) for found in units for a, b in pairwise(found) if a != b)
    for (a, b), n in pairs.items():
        if n > 1 and a not in repeated and b not in repeated:
            repeated.append(f"{a} ... {b}")
    return list(dict.fromkeys(repeated))
