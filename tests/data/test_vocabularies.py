"""The bundled default vocabulary: well-formed, large enough, no duplicates.

Duplicates are checked after a normalisation that folds case, spacing,
simple plurals, a few common synonyms and person/gender words, so "Dogs",
"dog" and "man walking" / "person walking" count as one label.
"""

from __future__ import annotations

import re
from collections import defaultdict
import pytest

from tests.data._lines import DATA_DIR, read_entries

VOCAB_DIR = DATA_DIR / "vocabularies" / "default"
FILES = sorted(VOCAB_DIR.glob("*.txt"))

LABEL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9 '\-]*[a-z0-9]$")
MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 7

IRREGULAR = {
    "children": "child", "men": "man", "women": "woman", "people": "person",
    "mice": "mouse", "geese": "goose", "feet": "foot", "teeth": "tooth",
}
# Synonyms we chose between; keeps the rejected spelling from coming back.
SYNONYMS = {
    "automobile": "car", "couch": "sofa", "tv": "television", "cellphone": "smartphone",
    "motorbike": "motorcycle", "bike": "bicycle", "aeroplane": "airplane", "plane": "airplane",
    "kid": "child", "infant": "baby", "cinema": "movie theater", "film": "movie",
    "football": "soccer", "alligator": "crocodile", "tortoise": "turtle", "rainforest": "jungle",
    "sea": "ocean", "lorry": "truck", "doughnut": "donut", "spectacles": "eyeglass",
    "photograph": "photo", "picture": "photo", "cctv": "security camera",
}
# Words that only say who does something: "man cooking" == "person cooking".
WHO_WORDS = {"a", "an", "the", "person", "man", "woman"}


def singular(word: str) -> str:
    word = IRREGULAR.get(word, word)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # Fold "-ies"/"-ie" and "-ches"/"-che" pairs onto one spelling.
    if word.endswith("ie"):
        word = word[:-2] + "y"
    if word.endswith(("che", "she", "xe", "sse")):
        word = word[:-1]
    return word


def normalise(label: str) -> str:
    text = " ".join(label.lower().replace("-", " ").split())
    words = [SYNONYMS.get(w, w) for w in (singular(w) for w in text.split())]
    kept = [w for w in words if w not in WHO_WORDS]
    return " ".join(kept or words)


def split_entry(entry: str) -> tuple[str, list[str]]:
    """``label | alias, alias`` -> (label, aliases), as vidclip/vocabulary.py reads it."""
    label, _, rest = entry.partition("|")
    return label.strip(), [a.strip() for a in rest.split(",")] if rest else []


def all_labels() -> list[tuple[str, str]]:
    return [(path.name, split_entry(e)[0]) for path in FILES for e in read_entries(path)]


def _singular_words(phrase: str) -> list[str]:
    return [singular(w) for w in phrase.split()]


def all_aliases() -> list[tuple[str, str, list[str]]]:
    return [(path.name, *split_entry(e)) for path in FILES for e in read_entries(path) if "|" in e]


@pytest.mark.parametrize(
    ("a", "b"),
    [("dogs", "dog"), ("Sofa ", "couch"), ("strawberries", "strawberry"),
     ("man speaking to camera", "person speaking to camera"), ("boxes", "box"),
     ("people  dancing", "person dancing"), ("tv studio", "television studio")],
)
def test_normalise_folds_known_variants(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize("word", ["glass", "bus", "tennis", "octopus"])
def test_normalise_keeps_singular_words_ending_in_s(word: str) -> None:
    assert normalise(word) == word


def test_every_category_file_has_labels() -> None:
    assert FILES, f"no vocabulary files in {VOCAB_DIR}"
    empty = [path.name for path in FILES if not read_entries(path)]
    assert not empty, f"vocabulary files without labels: {empty}"


def test_vocabulary_is_large_enough() -> None:
    assert len(all_labels()) >= 500


def test_labels_are_clean_short_phrases() -> None:
    bad = [
        f"{name}: {label!r}"
        for name, label in all_labels()
        if not LABEL_PATTERN.match(label)
        or len(label) > MAX_LABEL_CHARS
        or len(label.split()) > MAX_LABEL_WORDS
        or "  " in label
    ]
    assert not bad, "labels must be short lower-case phrases without punctuation:\n" + "\n".join(bad)


def test_aliases_are_few_clean_words_that_differ_from_their_label() -> None:
    found = all_aliases()
    assert found, "the default vocabulary gives aliases for some labels"
    bad = [
        f"{name}: {label!r} | {aliases!r}"
        for name, label, aliases in found
        if not 1 <= len(aliases) <= 3
        or any(not LABEL_PATTERN.match(a) or len(a.split()) > 3 for a in aliases)
        # A plural of the label is matched anyway; synonyms (normalise folds
        # them) are what aliases are for.
        or any(_singular_words(a) == _singular_words(label) for a in aliases)
    ]
    assert not bad, "aliases must be 1-3 short lower-case words unlike the label:\n" + \
        "\n".join(bad)


def test_no_duplicate_labels_across_files() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for name, label in all_labels():
        seen[normalise(label)].append(f"{name}: {label}")
    clashes = {key: where for key, where in seen.items() if len(where) > 1}
    assert not clashes, "duplicate or near-duplicate labels:\n" + "\n".join(
        f"  {key!r}: {where}" for key, where in sorted(clashes.items())
    )


def test_files_are_plain_utf8_lines() -> None:
    for path in FILES:
        raw = path.read_bytes()
        assert raw.endswith(b"\n"), f"{path.name} lacks a final newline"
        assert b"\r" not in raw and b"\t" not in raw, f"{path.name} has CR or tab characters"
        raw.decode("utf-8")
