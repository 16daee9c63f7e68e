"""Where one tagged thing is said to be relative to another.

Tags are found one by one: a scene tagged "race car" and "speedboat" shows
both, not a race car on a speedboat. Prepositions are function words, so
the word check alone lets "A race car is on a speedboat." through; SmolLM2
wrote exactly that. :func:`unsupported_relations` finds such claims in the
words of one sentence: a tagged thing, then (past linking words like "is",
"can be seen", "possibly", an article) a preposition of place, then another
tagged thing. The claim stands when

- the second thing is a place (a label of the vocabulary's places,
  ``scenes_places``): "a person in a kitchen" only says the scene is one;
- or both come from one label that says it: "person riding a motorcycle"
  allows "a person rides on a motorcycle".

A comma, "and" or any other word ends the chain: "A car and a road can be
seen, possibly at night." claims nothing about where the car is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Prepositions that place one thing relative to another.
PLACING = frozenset({
    "on", "in", "inside", "into", "onto", "under", "underneath", "beneath", "below", "over",
    "above", "atop", "behind", "beside", "near", "nearby", "by", "next", "against", "along",
    "alongside", "across", "through", "around", "outside", "upon", "within", "between", "among",
    "at", "off", "from", "toward", "towards",
})  # fmt: skip
#: Words that may stand between the two things without ending the chain.
LINKING = frozenset({
    "a", "an", "the", "some", "this", "that", "these", "those", "its", "their", "his", "her",
    "is", "are", "be", "being", "been", "can", "could", "may", "might", "seen", "shown",
    "visible", "appears", "appear", "seems", "seem", "to", "possibly", "perhaps", "maybe",
    "likely", "probably", "apparently", "what", "it", "also", "still", "just", "of",
})  # fmt: skip


@dataclass(frozen=True)
class Item:
    """One word of a sentence, in order: a tagged thing (``unit`` set) or another word."""

    start: int
    end: int
    word: str
    #: The label word (or label) a tagged thing stands for; None for other words.
    unit: str | None = None


def unsupported_relations(sentence: str, items: Sequence[Item], places: frozenset[str],
                          owners: Mapping[str, frozenset[str]]) -> list[str]:
    """``"race car on speedboat"`` for each placing no tag supports, in text order."""
    found: list[str] = []
    ordered = sorted(items, key=lambda i: i.start)
    for n, first in enumerate(ordered):
        if first.unit is None:
            continue
        claim = _placed(sentence, ordered[n + 1:], first.end)
        if claim is None:
            continue
        placing, second = claim
        mine, theirs = owners.get(first.unit), owners.get(second.unit or "")
        if mine is None or theirs is None:  # a word no tag supports: reported as such
            continue
        if second.unit in places or mine & theirs:
            continue
        text = f"{first.unit} {placing} {second.unit}"
        if text not in found:
            found.append(text)
    return found


def _placed(sentence: str, rest: Sequence[Item], after: int) -> tuple[str, Item] | None:
    """(preposition, the thing it places against) right after ``after``, if any."""
    placing = None
    for item in rest:
        if any(c in ",;:" for c in sentence[after:item.start]):
            return None
        after = item.end
        if item.unit is not None:
            return (placing, item) if placing else None
        if item.word in PLACING and placing is None:
            placing = item.word
        elif item.word not in LINKING:
            return None
    return None
