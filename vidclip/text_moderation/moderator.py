"""The policy's word rules over text units: what each category's lexicon matched
and what its classifier scored, with times and the words as evidence.

A lexicon match scores 1 (the rule matched) and is flagged; its evidence is
the words as said or written. A classifier scores each unit (a transcript
segment, an on-screen text item) and flags it at the category's
``text_threshold`` (else its ``threshold``); its evidence is the unit's
text. Where a category's lexicon matched in a unit, that unit is not
flagged a second time by the classifier: the reviewer gets the precise
words once. ``min_duration_s`` does not apply: a spoken threat is short.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from vidclip.moderate import Category, Policy
from vidclip.text_moderation import classifier as classifiers
from vidclip.text_moderation.lexicon import Lexicon
from vidclip.text_moderation.units import TextUnit, WordsSource

log = logging.getLogger(__name__)

#: Longer evidence (a classifier's whole sentence) is cut to this many characters.
MAX_EVIDENCE = 200
#: What a lexicon match scores.
LEXICON_SCORE = 1.0


@dataclass(frozen=True)
class WordScore:
    """One rule's verdict on one stretch of words."""

    category: str
    source: WordsSource
    start_s: float
    end_s: float
    score: float
    flagged: bool
    evidence: str
    rule: Literal["lexicon", "classifier"]


@dataclass(frozen=True)
class _Rule:
    category: Category
    lexicon: Lexicon
    classifier: str | None

    @property
    def text_threshold(self) -> float:
        c = self.category
        return c.text_threshold if c.text_threshold is not None else c.threshold


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_EVIDENCE else text[: MAX_EVIDENCE - 1].rstrip() + "\u2026"


class WordModerator:
    """A policy's word rules, compiled once; classifiers load on first use."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.rules: list[_Rule] = []
        for cat in policy.categories:
            if not cat.reads_words:
                continue
            name = cat.classifier
            if name is not None and not classifiers.available(name):
                log.warning("moderation: category %r uses the %s text classifier, which needs "
                            "the '%s' extra (pip install 'vidclip[%s]'); it uses its lexicon "
                            "only", cat.name, name, classifiers.EXTRA, classifiers.EXTRA)
                name = None
            self.rules.append(_Rule(cat, Lexicon(cat.lexicon, cat.allow), name))

    def __bool__(self) -> bool:
        return bool(self.rules)

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(r.category for r in self.rules)

    def score(self, units: Sequence[TextUnit]) -> list[WordScore]:
        """Every lexicon match and every classifier score, in unit order per category."""
        words = [u.words() for u in units]
        by_classifier = {name: classifiers.classifier(name).scores([u.text for u in units])
                         for name in {r.classifier for r in self.rules} if name}
        out: list[WordScore] = []
        for rule in self.rules:
            name = rule.category.name
            for i, unit in enumerate(units):
                matched = rule.lexicon.find(words[i]) if rule.lexicon else []
                for m in matched:
                    said, start, end = unit.span(words[i][m.first], words[i][m.last])
                    out.append(WordScore(name, unit.source, start, end, LEXICON_SCORE, True,
                                         _cut(said), "lexicon"))
                if rule.classifier:
                    value = round(float(by_classifier[rule.classifier][i]), 4)
                    out.append(WordScore(name, unit.source, unit.start_s, unit.end_s, value,
                                         value >= rule.text_threshold and not matched,
                                         _cut(unit.text), "classifier"))
        return out
