"""Keep language-model text to the evidence.

Before generation, :func:`format_tags` turns scores into the words the
prompts use (``high`` / ``medium`` / ``low``; ``low`` tags are to be
hedged). After generation, :func:`check_text` rejects text that names a
vocabulary label absent from the evidence or uses a word for harm
("slaughtered", "naked", "gun"; :mod:`vidclip.caption.sensitive`) that no
tag supports, and :func:`hedge_low_confidence` adds "what appears to be"
where the model stated an uncertain tag flatly.

Label matching is case-insensitive, on word boundaries, tolerant of simple
and common irregular plurals ("dog"/"dogs", "person"/"people",
"knife"/"knives"), and treats spaces and hyphens in multi-word labels alike.
Evidence labels are matched first and their spans masked, so a caption
naming "hot dog" (in the evidence) does not count as naming "dog".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from vidclip.caption.sensitive import unsupported_words
from vidclip.config import CaptionOptions
from vidclip.schema import LabelScore

#: Scores below this are "low" and phrased with a hedge, by every captioner;
#: the setting is ``captions.hedge_below``.
HEDGE_BELOW: float = CaptionOptions.model_fields["hedge_below"].default
#: Scores from this up are "high" (or from the hedge threshold, if higher).
HIGH_FROM = 0.8

HEDGES = ("appears", "appear", "possibly", "perhaps", "maybe", "may", "might", "seems",
          "seem", "likely", "apparently", "probably", "what looks like", "could be")
_HEDGE_RE = re.compile(r"\b(" + "|".join(re.escape(h) for h in HEDGES) + r")\b", re.IGNORECASE)

_IRREGULAR = {
    "person": "people", "man": "men", "woman": "women", "child": "children",
    "mouse": "mice", "goose": "geese", "foot": "feet", "tooth": "teeth", "ox": "oxen",
}
_IRREGULAR_BACK = {plural: singular for singular, plural in _IRREGULAR.items()}


@dataclass(frozen=True)
class GroundingCheck:
    ok: bool
    #: Vocabulary labels the text names that the evidence lacks, in text order.
    unsupported: tuple[str, ...] = ()
    #: Words for harm the text uses that no evidence label supports, in text order.
    sensitive: tuple[str, ...] = ()
    reason: str | None = None


def confidence_word(score: float, hedge_below: float = HEDGE_BELOW,
                    high_from: float = HIGH_FROM) -> str:
    if score >= max(high_from, hedge_below):
        return "high"
    return "medium" if score >= hedge_below else "low"


def format_tags(tags: Iterable[LabelScore], hedge_below: float = HEDGE_BELOW,
                high_from: float = HIGH_FROM) -> str:
    """``"dog (high), ball (low)"``: the evidence line every prompt uses."""
    parts = [f"{t.label} ({confidence_word(t.score, hedge_below, high_from)})" for t in tags]
    return ", ".join(parts) if parts else "none"


def word_forms(word: str) -> set[str]:
    """Singular and plural spellings of one (English) word, lower case."""
    w = word.lower()
    forms = {w}
    if w in _IRREGULAR:
        forms.add(_IRREGULAR[w])
    if w in _IRREGULAR_BACK:
        forms.add(_IRREGULAR_BACK[w])
    forms.add(s_form(w))  # singular -> plural
    if w.endswith("fe"):
        forms.add(w[:-2] + "ves")
    elif w.endswith("f"):
        forms.add(w[:-1] + "ves")
    # plural -> singular (the label itself may be plural: "clouds", "leaves")
    if w.endswith("ies") and len(w) > 4:
        forms.add(w[:-3] + "y")
    if w.endswith("ves") and len(w) > 4:
        forms.update({w[:-3] + "f", w[:-3] + "fe"})
    if re.search(r"(s|x|z|ch|sh)es$", w):
        forms.add(w[:-2])
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        forms.add(w[:-1])
    return forms


def s_form(word: str, verb: bool = False) -> str:
    """The plural of a noun, or with ``verb`` the third person of a verb: +s, +es, y -> ies."""
    if re.search(r"(s|x|z|ch|sh|o)$" if verb else r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


@lru_cache(maxsize=4096)
def label_pattern(label: str) -> re.Pattern[str]:
    """A regex matching ``label`` as whole words, any case, singular or plural.

    Only the last word of a multi-word label varies ("traffic lights").
    """
    words = label.strip().split()
    if not words:
        return re.compile(r"(?!x)x")  # matches nothing
    head = [re.escape(w) for w in words[:-1]]
    tail = "(?:" + "|".join(sorted(map(re.escape, word_forms(words[-1])), key=len,
                                   reverse=True)) + ")"
    body = r"[\s-]+".join([*head, tail])
    return re.compile(r"(?<![\w])" + body + r"(?![\w])", re.IGNORECASE)


def mentions(text: str, labels: Iterable[str]) -> list[tuple[str, int, int]]:
    """``(label, start, end)`` for each label named in ``text``; longer labels
    win over the shorter ones they contain."""
    found: list[tuple[str, int, int]] = []
    taken = [False] * len(text)
    for label in sorted(set(labels), key=len, reverse=True):
        for m in label_pattern(label).finditer(text):
            if not any(taken[m.start():m.end()]):
                found.append((label, m.start(), m.end()))
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
    return sorted(found, key=lambda item: item[1])


def check_text(text: str, evidence: Iterable[str], vocabulary: Iterable[str]) -> GroundingCheck:
    """Reject ``text`` when it names a vocabulary label that is not evidence,
    or uses a word for harm that no evidence label supports."""
    if not text.strip():
        return GroundingCheck(ok=False, reason="the model returned no text")
    evidence = list(evidence)
    evidence_set = {label.lower() for label in evidence}
    labels = set(evidence) | set(vocabulary)
    unsupported: list[str] = []
    for label, _, _ in mentions(text, labels):
        if label.lower() not in evidence_set and label not in unsupported:
            unsupported.append(label)
    # A word for harm that is itself an absent label is reported once, as the label.
    harm = [w for w in unsupported_words(text, evidence)
            if not any(label_pattern(label).fullmatch(w.word) for label in unsupported)]
    if not unsupported and not harm:
        return GroundingCheck(ok=True)
    reasons = []
    if unsupported:
        names = ", ".join(f"'{label}'" for label in unsupported)
        reasons.append(f"names {names}, absent from the evidence")
    if harm:
        words = ", ".join(f"'{w.word}' ({w.category.replace('_', ' ')})" for w in harm)
        reasons.append(f"says {words}, which no tag shows")
    return GroundingCheck(
        ok=False, unsupported=tuple(unsupported), sensitive=tuple(w.word for w in harm),
        reason="; ".join(reasons),
    )


def hedge_low_confidence(text: str, low_labels: Iterable[str]) -> str:
    """Hedge low-confidence labels stated flatly, sentence by sentence.

    A sentence that already hedges (``appears``, ``possibly``, ``may`` ...) is
    left alone. One uncertain label gets the hedge on its noun phrase (with its
    article, if any): "A dog runs" -> "What appears to be a dog runs". Two or
    more hedge the whole sentence once ("It appears that a dog sits by a cat."),
    rather than stacking "what appears to be" on every noun.
    """
    low = list(low_labels)
    if not low:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(_hedge_sentence(sentence, low) for sentence in sentences)


def _hedge_sentence(text: str, low: list[str]) -> str:
    if _HEDGE_RE.search(text):
        return text
    # Part of a compound ("knife-shaped") is not a claim about the label.
    found = [(s, e) for _, s, e in mentions(text, low) if text[e:e + 1] != "-"]
    if not found:
        return text
    if len(found) > 1:
        return "It appears that " + text[0].lower() + text[1:]
    start, _end = found[0]
    article = re.search(r"(?:\b(a|an|the|some)\s+)$", text[:start], re.IGNORECASE)
    at = article.start() if article else start
    if at == 0:
        return "What appears to be " + text[0].lower() + text[1:]
    return text[:at] + "what appears to be " + text[at:]
    for _label, start, end in reversed(mentions(text, low)):
        if text[end:end + 1] == "-":  # part of a compound ("knife-shaped"): leave it
            continue
        article = re.search(r"(?:\b(a|an|the|some)\s+)$", text[:start], re.IGNORECASE)
        at = article.start() if article else start
        hedge = "what appears to be "
        if at == 0 or re.search(r"[.!?]\s*$", text[:at]):
            hedge = hedge.capitalize()
            text = text[:at] + hedge + text[at].lower() + text[at + 1:]
        else:
            text = text[:at] + hedge + text[at:]
    return text
