"""Lexicon matching: word boundaries (the Scunthorpe problem), inflections, exact
phrases, wildcards, contractions, sentence ends and allowed look-alikes."""

from __future__ import annotations

import pytest

from vidclip.errors import ConfigError
from vidclip.moderate import parse_policy
from vidclip.text_moderation.lexicon import Lexicon, inflections, parse_entries
from vidclip.text_moderation.tokens import tokens


def found(entries: list, text: str, allow: list | None = None) -> list[str]:
    lexicon = Lexicon(parse_entries(entries, "test"), parse_entries(allow or [], "test"))
    words = tokens(text)
    return [" ".join(w.word for w in words[m.first:m.last + 1]) for m in lexicon.find(words)]


@pytest.mark.parametrize("entries, text", [
    (["cunt"], "Scunthorpe United won at home."),
    (["ass"], "The assassin passed the class an assessment."),
    (["shit"], "Shiitake mushrooms, and a shitake typo."),
    (["kill you"], "Killers you say? A skill you need."),
    (["fuck*"], "Scunthorpe, Fuchsia."),
], ids=["scunthorpe", "ass-in-words", "shit-in-shiitake", "kill-inside-words", "prefix"])
def test_words_are_never_found_inside_other_words(entries, text):
    assert found(entries, text) == []


@pytest.mark.parametrize("text, expected", [
    ("I'll KILL you!", ["i will kill you"]),
    ("i will kill you", ["i will kill you"]),
    ("I\u2019ll kill you", ["i will kill you"]),
    ("he says: I will kill you. Then leaves", ["i will kill you"]),
    ("I will KILLED you", ["i will killed you"]),
    ("I will be killing you", []),
], ids=["contraction", "plain", "curly-apostrophe", "in-a-sentence", "inflected",
        "other-words-between"])
def test_phrases_match_whatever_the_case_contraction_or_inflection(text, expected):
    assert found(["i'll kill you"], text) == expected


def test_inflections_follow_regular_english_endings():
    assert {"stabs", "stabbed", "stabbing"} <= inflections("stab")
    assert {"bitches"} <= inflections("bitch")
    assert {"dies", "died", "dying"} <= inflections("die")
    assert {"shot", "shoots", "shooting"} <= inflections("shoot")
    assert inflections("you") == {"you"}  # function words stay as written
    assert found(["stab"], "He stabbed him, she stabs back.") == ["stabbed", "stabs"]


def test_an_exact_phrase_matches_only_as_written():
    assert found([{"phrase": "bitch", "exact": True}], "bitches and a bitch") == ["bitch"]
    assert found(["bitch"], "bitches and a bitch") == ["bitches", "bitch"]


def test_a_wildcard_matches_words_starting_so():
    assert found(["fuck*"], "Fucking hell, fucker, FUCK.") == ["fucking", "fucker", "fuck"]
    assert found(["motherfuck*"], "you motherfucker") == ["motherfucker"]


@pytest.mark.parametrize("entry", ["ass*", "f*ck", "**", "kill *"])
def test_a_short_or_inner_wildcard_is_refused(entry):
    with pytest.raises(ConfigError, match="wildcard"):
        parse_entries([entry], "test")


def test_a_phrase_never_runs_across_the_end_of_a_sentence():
    assert found(["kill you"], "I will kill. You know the rest.") == []
    assert found(["kill you"], "I will kill, you know.") == ["kill you"]  # a comma goes on


def test_allowed_look_alikes_cancel_the_match_inside_them():
    allow = ["shoot you an email", "kill you with kindness"]
    text = "I'll shoot you an email. I will shoot you. I'll kill you with kindness."
    assert found(["shoot you", "kill you"], text, allow) == ["shoot you"]


def test_punctuation_markup_and_line_breaks_only_separate_words():
    assert found(["go kill yourself"], "<b>GO</b>\nKILL -- yourself!!") == ["go kill yourself"]
    assert found(["white power"], "WHITE\u00a0POWER") == ["white power"]
    assert found(["white power"], "\uff37\uff28\uff29\uff34\uff25 power") == ["white power"]


def test_overlapping_matches_are_one():
    assert found(["kill you", "i will kill you"], "I will kill you") == ["i will kill you"]


@pytest.mark.parametrize("raw, match", [
    ("kill you", "list of words"),
    ([{"phrase": "x", "weight": 2}], "lexicon entry is a string"),
    (["..."], "no words"),
    ([3], "not text"),
], ids=["not-a-list", "unknown-key", "no-words", "not-text"])
def test_bad_lexicons_are_refused_with_one_line(raw, match):
    with pytest.raises(ConfigError, match=match):
        parse_entries(raw, "test")


def test_a_policy_category_may_read_words_only():
    policy = parse_policy({"categories": [
        {"name": "threats", "threshold": 0.9, "lexicon": ["i will kill you"],
         "allow": ["kill you with kindness"]},
        {"name": "profanity", "threshold": 0.9, "classifier": "profanity",
         "text_threshold": 0.8},
        {"name": "weapons", "threshold": 0.6, "prompts": ["a gun"], "lexicon": ["a gun"]},
    ]})
    threats, profanity, weapons = policy.categories
    assert not threats.visual and threats.reads_words and len(threats.allow) == 1
    assert profanity.classifier == "profanity" and profanity.text_threshold == 0.8
    assert weapons.visual and weapons.reads_words


@pytest.mark.parametrize("category, match", [
    ({"name": "x", "threshold": 0.5}, "no prompts"),
    ({"name": "x", "threshold": 0.5, "classifier": "sarcasm"}, "no text classifier"),
    ({"name": "x", "threshold": 0.5, "classifier": "profanity", "text_threshold": 1.5},
     "text_threshold"),
    ({"name": "x", "lexicon": ["kill you"]}, "threshold"),
], ids=["nothing-to-match", "unknown-classifier", "bad-text-threshold", "no-threshold"])
def test_bad_word_categories_are_refused(category, match):
    with pytest.raises(ConfigError, match=match):
        parse_policy({"categories": [category]})
