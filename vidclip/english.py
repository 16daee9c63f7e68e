"""Small English helpers for prompts and captions (articles, lists)."""

from __future__ import annotations

_DETERMINERS = ("a ", "an ", "the ", "some ", "two ", "three ", "many ", "several ")
_UNCOUNTABLE = {
    "water", "snow", "grass", "fire", "smoke", "rain", "fog", "text", "food", "traffic",
    "sand", "ice", "darkness", "sunlight", "furniture", "graffiti", "lightning", "mud",
    "footage", "music", "equipment", "weather", "clothing", "scenery", "gameplay", "news",
}


#: Head words that make a whole phrase uncountable ("underwater footage").
_MASS_HEADS = {"footage", "gameplay", "news", "text", "music", "equipment", "clothing"}
#: "person shouting" is a countable subject doing something, not a gerund.
_COUNTABLE_SUBJECTS = {"person", "man", "woman", "child", "boy", "girl", "group", "baby", "dog"}


def with_article(label: str) -> str:
    """``dog`` -> ``a dog``; plural, mass and gerund phrases are left bare."""
    low = label.lower()
    first = low.split(" ", 1)[0]
    if (
        low.startswith(_DETERMINERS)
        or first in ("people", "men", "women", "children", "crowd of")
        or (low.endswith("s") and not low.endswith(("ss", "us", "is")))
        or low.split(" ")[-1] in _MASS_HEADS
        or first in _UNCOUNTABLE
        or first.endswith("ing")
        or (low.endswith("ing") and first not in _COUNTABLE_SUBJECTS)
    ):
        return label
    vowel_sound = low[0] in "aeiou" and not low.startswith(("uni", "use", "usu", "eu", "one"))
    return ("an " if vowel_sound or low.startswith(("hour", "honest")) else "a ") + label


def join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
