"""The bundled default moderation policy: structure and sane values."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.data._lines import DATA_DIR

POLICY_PATH = DATA_DIR / "policies" / "default.yaml"
REQUIRED = {"sexual_content", "violence", "weapons", "drugs", "self_harm", "hate_symbols"}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
CATEGORY_KEYS = {
    "name", "description", "prompts", "negative_prompts", "threshold", "min_duration_s", "enabled",
    "lexicon", "allow", "classifier", "text_threshold",
}
#: Categories that read words only (no prompts).
WORDS_ONLY = {"threats", "hate_and_harassment", "profanity"}


@pytest.fixture(scope="module")
def policy() -> dict[str, Any]:
    return yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))


def categories(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return policy["categories"]


def test_top_level_fields(policy: dict[str, Any]) -> None:
    assert policy["name"] == "default"
    assert isinstance(policy["version"], int)
    assert policy["description"].strip()
    assert isinstance(policy["categories"], list) and policy["categories"]


def test_required_categories_are_present_and_enabled(policy: dict[str, Any]) -> None:
    enabled = {c["name"] for c in categories(policy) if c.get("enabled", True)}
    assert REQUIRED <= enabled, f"missing or disabled: {sorted(REQUIRED - enabled)}"


def test_category_names_are_unique_snake_case(policy: dict[str, Any]) -> None:
    names = [c["name"] for c in categories(policy)]
    assert len(set(names)) == len(names)
    assert not [n for n in names if not SNAKE_CASE.match(n)]


def test_categories_use_only_known_fields(policy: dict[str, Any]) -> None:
    for category in categories(policy):
        unknown = set(category) - CATEGORY_KEYS
        assert not unknown, f"{category['name']}: unknown fields {sorted(unknown)}"
        assert isinstance(category["description"], str) and category["description"].strip()
        assert isinstance(category.get("enabled", True), bool)


def test_thresholds_and_durations(policy: dict[str, Any]) -> None:
    for category in categories(policy):
        threshold, duration = category["threshold"], category.get("min_duration_s", 0.0)
        assert isinstance(threshold, float) and 0 < threshold < 1, category["name"]
        assert isinstance(duration, (int, float)) and 0 <= duration <= 10, category["name"]


def test_prompts_are_unique_short_and_separate_from_negatives(policy: dict[str, Any]) -> None:
    for category in categories(policy):
        if category["name"] in WORDS_ONLY:
            assert "prompts" not in category, category["name"]
            continue
        name, prompts = category["name"], category["prompts"]
        negatives = category.get("negative_prompts", [])
        assert 5 <= len(prompts) <= 12, f"{name}: {len(prompts)} prompts"
        for text in prompts + negatives:
            assert isinstance(text, str) and text == text.strip() and 3 <= len(text) <= 80, text
            assert text == text.lower(), text
        folded = [p.lower() for p in prompts]
        folded_negatives = [p.lower() for p in negatives]
        assert len(set(folded)) == len(folded), f"{name}: repeated prompt"
        assert len(set(folded_negatives)) == len(folded_negatives), f"{name}: repeated negative"
        overlap = set(folded) & set(folded_negatives)
        assert not overlap, f"{name}: prompts also listed as negatives: {sorted(overlap)}"


def test_word_categories_have_lexicons_of_distinct_lower_case_phrases(policy) -> None:
    from vidclip.moderate import parse_policy
    from vidclip.text_moderation.lexicon import parse_entries

    parse_policy(policy, "default")  # every entry parses (no short wildcard)
    reading = [c for c in categories(policy) if "lexicon" in c]
    assert WORDS_ONLY <= {c["name"] for c in reading}
    for category in reading:
        entries = category["lexicon"] + category.get("allow", [])
        assert all(e == e.strip().lower() for e in entries), category["name"]
        phrases = parse_entries(entries, category["name"])
        assert len(phrases) == len(entries), f"{category['name']}: repeated entry"
