"""The 1000 ImageNet classes as sentences a sentence embedder understands.

ConSE places a frame at the mean of the sentence embeddings of its likely
ImageNet classes, so each class needs a sentence whose embedding sits near
the words people will tag with. The bare class names (torchvision's weight
metadata, available without a download) are often rare words ("tench",
"eft", "sorrel"), ambiguous ("crane", "drake", "mouse", "tank", "pick") or
say nothing of a person wearing them ("military uniform", "bikini"). So:

- animal classes get their family from the ImageNet index ranges (0-6 are
  fish, 151-268 dog breeds, ...): "a photo of a tench, a kind of fish.";
- about 390 names are rewritten by hand: ambiguous ones are disambiguated
  ("a construction crane"), obscure ones explained ("a drake, a male
  duck"), clothing names put on a person ("a woman wearing a bikini") --
  ImageNet has no "person" class, and this is the main way people reach the
  frame vector at all.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TEMPLATE = "a photo of {}."

#: (first index, last index, family) for the animal part of ImageNet.
_FAMILIES: tuple[tuple[int, int, str], ...] = (
    (0, 6, "fish"), (7, 24, "bird"), (25, 32, "amphibian"), (33, 37, "turtle"),
    (38, 48, "lizard"), (49, 50, "crocodile"), (51, 51, "dinosaur"), (52, 68, "snake"),
    (69, 69, "fossil"), (70, 79, "arachnid or other creepy crawly"), (80, 100, "bird"),
    (101, 106, "mammal"), (107, 112, "sea creature"), (113, 117, "mollusc"),
    (118, 126, "crustacean"), (127, 146, "bird"), (147, 150, "marine mammal"),
    (151, 268, "dog"), (269, 280, "wild dog"), (281, 285, "domestic cat"),
    (286, 293, "big cat"), (294, 297, "bear"), (298, 299, "small mammal"),
    (300, 307, "beetle"), (308, 320, "insect"), (321, 326, "butterfly"),
    (327, 329, "sea creature"), (330, 332, "rabbit"), (333, 338, "rodent"),
    (339, 340, "horse"), (341, 343, "pig"), (344, 344, "mammal"), (345, 347, "cattle"),
    (348, 350, "wild goat or sheep"), (351, 353, "antelope"), (354, 355, "camel"),
    (356, 362, "small carnivorous mammal"), (363, 364, "mammal"), (365, 384, "monkey or ape"),
    (385, 386, "elephant"), (387, 388, "panda"), (389, 397, "fish"),
    (991, 997, "wild mushroom"),
)


#: Hand-written phrases, ``index: phrase`` a line (ImageNet class index); the
#: phrase replaces the class name.
PHRASES_FILE = Path(__file__).resolve().parents[2] / "data" / "imagenet" / "phrases.txt"


def _overrides() -> dict[int, str]:
    out = {}
    for line in PHRASES_FILE.read_text(encoding="utf-8").strip().splitlines():
        index, phrase = line.split(":", 1)
        out[int(index)] = phrase.strip()
    return out


#: Class names that take no article ("a photo of binoculars.").
_BARE = {"binoculars", "ice cream", "guacamole", "consomme", "mashed potato", "chocolate sauce"}


def _article(name: str) -> str:
    # vidclip.english's heuristics are tuned for the vocabulary's phrases and
    # misread ImageNet's names ("water snake" as a mass noun, "Great
    # Pyrenees" as a plural); every remaining name here is a singular noun.
    if name in _BARE:
        return name
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


def _family(index: int) -> str | None:
    for first, last, family in _FAMILIES:
        if first <= index <= last:
            return family
    return None


#: torchvision's ImageNet-1k class names (``ResNet18_Weights.IMAGENET1K_V1.meta``),
#: one a line in class-index order: copied into the package so that set-up
#: does not import torchvision (and torch._dynamo through it) to read them.
CLASSES_FILE = Path(__file__).resolve().parents[2] / "data" / "imagenet" / "classes.txt"


@cache
def class_names() -> tuple[str, ...]:
    """The 1000 ImageNet names in class-index order, as torchvision ships them."""
    names = tuple(CLASSES_FILE.read_text(encoding="utf-8").splitlines())
    if len(names) != 1000:
        raise ValueError(f"{CLASSES_FILE}: {len(names)} ImageNet class names, not 1000")
    return names


def class_phrase(index: int, name: str, overrides: dict[int, str]) -> str:
    if index in overrides:
        return overrides[index]
    family = _family(index)
    phrase = _article(name)
    if family is None or family in name.lower().split():
        return phrase
    kind = "a breed of" if family == "dog" else "a kind of"
    return f"{phrase}, {kind} {family}"


@cache
def class_prompts(template: str = TEMPLATE) -> tuple[str, ...]:
    """One sentence per ImageNet class, in class-index order."""
    overrides = _overrides()
    names = class_names()
    return tuple(template.format(class_phrase(i, n, overrides)) for i, n in enumerate(names))


@cache
def class_texts() -> tuple[str, ...]:
    """``"name, phrase"`` per class: the words :mod:`.grounding` looks labels up in."""
    overrides = _overrides()
    return tuple(f"{n}, {class_phrase(i, n, overrides)}" for i, n in enumerate(class_names()))
