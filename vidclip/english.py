"""Small English helpers for prompts and captions (articles, lists)."""

from __future__ import annotations

_DETERMINERS = ("a ", "an ", "the ", "some ", "two ", "three ", "many ", "several ")
_UNCOUNTABLE = {
    "water", "snow", "grass", "fire", "smoke", "rain", "fog", "text", "food", "traffic",
    "sand", "ice", "darkness", "sunlight", "furniture", "graffiti", "lightning", "mud",
    "footage", "music", "equipment", "weather", "clothing", "scenery", "gameplay", "news",
}


def with_article(label: str) -> str:
    """``dog`` -> ``a dog``; plural, mass and gerund phrases are left bare."""
    low = label.lower()
    first = low.split(" ", 1)[0]
    if (
        low.startswith(_DETERMINERS)
        or first in ("people", "men", "women", "children", "crowd of")
        or (low.endswith("s") and not low.endswith(("ss", "us", "is")))
        or low.split(" ")[-1] in _UNCOUNTABLE
        or first in _UNCOUNTABLE
        or first.endswith("ing")
        or low.endswith("ing")
    ):
        return label
    return ("an " if low[0] in "aeiou" else "a ") + label


def join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
