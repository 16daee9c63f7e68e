"""Which vocabulary labels an ImageNet class *is*: the offline encoder's tag grounding.

ConSE scores a label by how close its sentence embedding sits to the frame's
mix of class sentences, and a sentence embedder measures relatedness, not
identity: a cat photo sits near "cat" but also near "kitten", "tiger" and
"lion", an espresso near "coffee maker" and "cafe", a diaper near "baby".
Those are the confident wrong tags a viewer sees. So a label may be *tagged*
on a frame only where the frame's class **is** that label (the vector, and
so search and moderation, stay as they are):

- **words**: every content word of the label appears in the class's name or
  its hand-written phrase (:mod:`.imagenet_prompts`, which adds the family:
  "a hare, a kind of rabbit"), and the label's last word -- the head of an
  English noun phrase -- is the head of one of the phrase's parts ("sports
  car" and "car" for "a sports car", not "mountain" for "a mountain bike";
  "man" for "a man wearing a bow tie", nothing for "a diaper");
- **meaning**: and the label is among the class's closest labels in the
  sentence space (within :data:`NEAR` of the closest), so a word shared by
  accident ("cat" in "a cheetah, a kind of big cat" when "leopard" is
  nearer) does not ground.

A frame's class is the class sentence nearest its vector: for a sure
classifier (frames that abstain never score, see :mod:`.abstain`) that is
its top class or, where several related classes share the probability (the
antelopes for a deer), the one they lean to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

#: Words that carry no concept in labels and class phrases. Deliberately
#: short: "inside" in "inside a car" must still be found in the class.
STOP_WORDS = frozenset({"a", "an", "the", "of", "and", "or", "with", "kind", "breed", "photo"})
#: Where a class phrase splits into parts that each name a thing ("a man
#: wearing a bow tie", "a deer or a gazelle", "a library with bookshelves").
_PART_SPLIT = re.compile(r",|;|\bor\b|\bwith\b|\bwearing\b|\bin\b|\bon\b")
#: A label grounds a class only within this cosine of the class's closest
#: label: "car" sits 0.13 below "sports car" for a sports car and stays,
#: "cat" for a cheetah sits further below "leopard".
NEAR = 0.15


def _stem(word: str) -> str:
    """A crude singular, enough to match "shoes" with "shoe" and "bookshelves"."""
    if len(word) > 4 and word.endswith("ves"):
        return word[:-3] + "f"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Lower-case stemmed words of ``text`` without :data:`STOP_WORDS`, in order."""
    return [_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS]


def heads(text: str) -> set[str]:
    """The last content word of each part of ``text`` (see :data:`_PART_SPLIT`)."""
    out = set()
    for part in _PART_SPLIT.split(text.lower()):
        words = content_words(part)
        if words:
            out.add(words[-1])
    return out


def lexical_grounding(labels: Sequence[str], class_texts: Sequence[str]) -> np.ndarray:
    """``(C, L)`` bool: class ``c``'s text names every word of label ``l`` and its head."""
    label_words = [content_words(label) for label in labels]
    out = np.zeros((len(class_texts), len(labels)), bool)
    for c, text in enumerate(class_texts):
        words, class_heads = set(content_words(text)), heads(text)
        for j, lw in enumerate(label_words):
            out[c, j] = bool(lw) and lw[-1] in class_heads and set(lw) <= words
    return out


def ground(labels: Sequence[str], label_emb: np.ndarray, class_texts: Sequence[str],
           class_emb: np.ndarray, near: float = NEAR) -> np.ndarray:
    """``(C, L)`` bool: which labels each class is (words and meaning, see the module doc)."""
    if len(labels) == 0:
        return np.zeros((len(class_texts), 0), bool)
    similarity = class_emb @ label_emb.T
    closest = similarity >= similarity.max(axis=1, keepdims=True) - near
    return lexical_grounding(labels, class_texts) & closest
