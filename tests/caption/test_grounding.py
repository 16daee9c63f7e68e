from __future__ import annotations

import pytest

from vidclip.caption.grounding import (
    check_text,
    confidence_word,
    format_tags,
    hedge_low_confidence,
    mentions,
    word_forms,
)
from vidclip.schema import LabelScore


@pytest.mark.parametrize(
    ("label", "text", "named"),
    [
        pytest.param("dog", "Two dogs run.", True, id="plural-s"),
        pytest.param("dog", "A DOG runs.", True, id="case"),
        pytest.param("dog", "A hotdog stand.", False, id="inside-a-word"),
        pytest.param("dog", "Dogged effort.", False, id="prefix-of-a-word"),
        pytest.param("box", "Boxes are stacked.", True, id="plural-es"),
        pytest.param("city", "Two cities at night.", True, id="plural-ies"),
        pytest.param("knife", "Knives on a table.", True, id="plural-ves"),
        pytest.param("person", "People walk by.", True, id="irregular-plural"),
        pytest.param("people", "A person walks by.", True, id="irregular-singular"),
        pytest.param("clouds", "A cloud drifts.", True, id="plural-label"),
        pytest.param("traffic light", "Traffic-lights turn red.", True, id="multiword-hyphen"),
        pytest.param("traffic light", "Traffic stops at the light.", False, id="multiword-apart"),
    ],
)
def test_labels_are_matched_on_words_and_plurals(label, text, named):
    assert bool(mentions(text, [label])) is named


def test_word_forms_cover_both_directions():
    assert {"leaf", "leaves"} <= word_forms("leaves")
    assert {"child", "children"} <= word_forms("child")


def test_longer_evidence_label_masks_the_shorter_label_inside_it():
    check = check_text("A hot dog on a plate.", evidence=["hot dog"], vocabulary=["dog", "hot dog"])
    assert check.ok


def test_caption_naming_an_absent_label_is_rejected_with_the_labels():
    check = check_text("A cat and two dogs sit on a sofa.", evidence=["dog", "sofa"],
                       vocabulary=["dog", "cat", "sofa", "person"])
    assert not check.ok
    assert check.unsupported == ("cat",)
    assert "'cat'" in check.reason


def test_words_outside_the_vocabulary_are_not_judged():
    assert check_text("A dog runs happily.", evidence=["dog"], vocabulary=["dog", "cat"]).ok


def test_empty_text_is_rejected():
    assert not check_text("  ", evidence=["dog"], vocabulary=["dog"]).ok


@pytest.mark.parametrize(
    ("text", "low", "expected"),
    [
        pytest.param("A dog runs on the grass.", ["dog"],
                     "What appears to be a dog runs on the grass.", id="sentence-start"),
        pytest.param("A cat sits near a ball.", ["ball"],
                     "A cat sits near what appears to be a ball.", id="mid-sentence"),
        pytest.param("A cat possibly sits near a ball.", ["ball"],
                     "A cat possibly sits near a ball.", id="already-hedged"),
        pytest.param("A cat sits.", ["ball"], "A cat sits.", id="label-not-named"),
        pytest.param("A knife-shaped rock.", ["knife"], "A knife-shaped rock.", id="compound"),
        pytest.param("A dog sits by a cat.", ["dog", "cat"],
                     "It appears that a dog sits by a cat.", id="two-in-one-sentence"),
        pytest.param("A dog runs. Maybe a cat waits. A ball lies here.", ["cat", "ball"],
                     "A dog runs. Maybe a cat waits. What appears to be a ball lies here.",
                     id="per-sentence"),
    ],
)
def test_low_confidence_labels_get_a_hedge(text, low, expected):
    assert hedge_low_confidence(text, low) == expected


def test_scores_become_confidence_words():
    assert [confidence_word(s) for s in (0.95, 0.75, 0.65)] == ["high", "medium", "low"]
    tags = [LabelScore(label="dog", score=0.9), LabelScore(label="ball", score=0.5)]
    assert format_tags(tags) == "dog (high), ball (low)"
    assert format_tags([]) == "none"


@pytest.mark.parametrize(
    ("text", "evidence", "words"),
    [
        # Real SmolLM2 output for a scene tagged sheep (high), grass (high).
        pytest.param("A sheep is being slaughtered.", ["sheep", "grass"], ("slaughtered",),
                     id="smollm2-sheep"),
        pytest.param("A man attacks a dog with a knife.", ["person", "dog"],
                     ("attacks", "knife"), id="two-words"),
        pytest.param("A naked woman stands on the beach.", ["person", "beach"], ("naked",),
                     id="nudity"),
        pytest.param("Blood covers the kitchen floor.", ["kitchen"], ("blood",), id="gore"),
        pytest.param("A scene of violence in a street.", ["street"], ("violence",),
                     id="category-name"),
        pytest.param("A post about self harm.", ["text"], ("self harm",), id="hyphen-or-space"),
    ],
)
def test_words_for_harm_need_a_tag_that_shows_them(text, evidence, words):
    check = check_text(text, evidence=evidence, vocabulary=["dog", "cat", *evidence])
    assert not check.ok
    assert check.sensitive == words and check.unsupported == ()
    assert "which no tag shows" in check.reason


def test_the_reason_names_the_category_of_the_word():
    check = check_text("A sheep is being slaughtered.", evidence=["sheep", "grass"],
                       vocabulary=["sheep", "grass"])
    assert check.reason == "says 'slaughtered' (violence), which no tag shows"


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        pytest.param("A cook slices bread with a knife.", ["kitchen knife", "bread"],
                     id="tag-contains-the-word"),
        pytest.param("Knives hang on a kitchen wall.", ["kitchen knife"], id="other-form"),
        pytest.param("Two boxers fight in a ring.", ["boxing"], id="sport-shows-a-fight"),
        pytest.param("A building exploded at night.", ["explosion", "night"], id="verb-of-a-tag"),
        pytest.param("A wide shot of a skilled cook.", ["person", "kitchen"],
                     id="harmless-look-alikes"),
        pytest.param("A bloodhound sniffs the grass.", ["dog", "grass"], id="inside-a-word"),
    ],
)
def test_words_for_harm_that_a_tag_shows_or_harmless_words_pass(text, evidence):
    assert check_text(text, evidence=evidence, vocabulary=["cat", *evidence]).ok


def test_a_word_for_harm_that_is_an_absent_label_is_reported_once():
    check = check_text("An explosion on a street.", evidence=["street"],
                       vocabulary=["street", "explosion"])
    assert (check.unsupported, check.sensitive) == (("explosion",), ())
    assert check.reason == "names 'explosion', absent from the evidence"


def test_the_hedge_threshold_is_the_caption_setting_and_high_stays_above_it():
    from vidclip.caption.grounding import HEDGE_BELOW
    from vidclip.config import CaptionOptions

    assert HEDGE_BELOW == CaptionOptions().hedge_below
    tags = [LabelScore(label="dog", score=0.85), LabelScore(label="ball", score=0.75)]
    assert format_tags(tags, hedge_below=0.9) == "dog (low), ball (low)"
    assert format_tags(tags, hedge_below=0.5) == "dog (high), ball (medium)"
