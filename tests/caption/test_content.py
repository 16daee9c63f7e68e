"""The content-word check: every noun, verb and adjective traced to the tags."""

from __future__ import annotations

import pytest

from vidclip.caption.content import check_content, support
from vidclip.caption.lexicon import function_words, neutral_words, tokens, verb_forms


@pytest.mark.parametrize(
    ("text", "labels", "untraceable"),
    [
        # The captions, written by SmolLM2 for real clips.
        pytest.param("A bridge is built.", ["bridge", "staircase", "ladder"], ("built",),
                     id="bridge-is-built"),
        pytest.param("What appears to be a race car races across the road.",
                     ["speedboat", "race car"], ("races", "road"), id="race-car-races"),
        pytest.param("A man is dressed in a suit and tie, possibly in a man's suit and tie.",
                     ["man", "suit", "tie"], ("dressed",), id="suit-and-tie"),
        pytest.param("A computer screen is turned on, and a web page is turned on.",
                     ["computer screen", "web page"], ("turned",), id="screen-turned-on"),
        # Feelings, meanings, colours and counts are claims no tag makes.
        pytest.param("A happy dog is on a beautiful beach.", ["dog", "beach"],
                     ("happy", "beautiful"), id="feelings"),
        pytest.param("A red car is on a road.", ["car", "road"], ("red",), id="colour"),
        pytest.param("Two dogs are on the grass.", ["dog", "grass"], ("two",), id="count"),
        pytest.param("A woman is in a kitchen.", ["person", "kitchen"], ("woman",),
                     id="gender-not-tagged"),
        pytest.param("Boxers are in a ring.", ["boxing ring"], ("boxers",),
                     id="modifier-is-not-a-thing"),
        pytest.param("A dog is in a dog-friendly park.", ["dog"], ("friendly", "park"),
                     id="compound-parts"),
    ],
)
def test_words_the_tags_do_not_give_are_rejected(text, labels, untraceable):
    check = check_content(text, support(labels))
    assert not check.ok
    assert check.untraceable == untraceable
    assert "which no tag supports" in check.reason


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        pytest.param("A bridge, a staircase and a ladder can be seen.",
                     ["bridge", "staircase", "ladder"], id="neutral-verbs"),
        pytest.param("What appears to be a race car is shown.", ["speedboat", "race car"],
                     id="hedge-and-label"),
        pytest.param("Two race cars and a car are visible.", ["two race cars"],
                     id="count-given-by-the-tag"),
        pytest.param("Cars and speedboats can be seen.", ["race car", "speedboat"],
                     id="head-word-plural"),
        pytest.param("A person runs; a crowd of people is seen.",
                     ["person running", "crowd of people"], id="gerund-verb-and-parts"),
        pytest.param("People dance in the first scene, 0:06 into the video.", ["people dancing"],
                     id="scene-facts"),
        pytest.param("It appears that the monitors of a computer monitor are on.",
                     ["computer monitor"], id="function-words-only-around-labels"),
        pytest.param("A man's suit is seen.", ["man", "suit"], id="possessive"),
        pytest.param("A boxing ring isn't here, but a dog's there.", ["boxing ring", "dog"],
                     id="contraction"),
        pytest.param("The scene shows a dog, a beach and appears to show a ball.",
                     ["dog", "beach", "ball"], id="template-caption"),
    ],
)
def test_text_made_of_the_tags_and_neutral_words_passes(text, labels):
    check = check_content(text, support(labels))
    assert check.ok, check.reason


def test_an_alias_from_the_vocabulary_counts_as_its_label():
    assert not check_content("A boat is on the water.", support(["speedboat", "water"])).ok
    check = check_content("A boat is on the water.",
                          support(["speedboat", "water"], {"speedboat": ("boat",)}, ["water"]))
    assert check.ok


def test_a_multiword_alias_is_a_phrase_with_a_head():
    evidence = support(["tablet computer"], {"tablet computer": ("touch screen tablet",)})
    assert check_content("A touch screen tablet is seen.", evidence).ok
    assert not check_content("A touch is seen.", evidence).ok


@pytest.mark.parametrize(
    ("text", "labels", "repeated"),
    [
        pytest.param("A man is dressed in a suit and tie, possibly in a man's suit and tie.",
                     ["man", "suit", "tie"], ("man", "suit", "tie"), id="suit-and-tie"),
        pytest.param("A computer screen is turned on, and a web page is turned on.",
                     ["computer screen", "web page"], ("turned",), id="turned-on-twice"),
        pytest.param("A dog is on a beach. The dog is on the beach.", ["dog", "beach"],
                     ("dog ... beach",), id="pair-said-twice"),
    ],
)
def test_a_text_that_repeats_itself_is_rejected(text, labels, repeated):
    check = check_content(text, support(labels))
    assert check.repeated == repeated
    assert "repeats" in check.reason


def test_a_summary_may_come_back_to_a_thing_but_not_repeat_a_pair():
    evidence = support(["dog", "beach", "kitchen"], places=["beach", "kitchen"])
    text = "A dog is on a beach, and then a dog is in a kitchen."
    assert not check_content(text, evidence, kind="caption").ok
    assert check_content(text, evidence, kind="summary").ok
    again = "A dog is on a beach. Then a dog is on a beach."
    assert check_content(again, evidence, kind="summary").repeated == ("dog ... beach",)


@pytest.mark.parametrize(
    "text",
    ["A dog on a beach.", "A bridge.", "Possibly a ladder, and a bridge.",
     "A dog is on a beach. A ball nearby."],
)
def test_a_sentence_without_a_verb_is_rejected(text):
    check = check_content(text, support(["dog", "beach", "ball", "bridge", "ladder"]))
    assert check.verbless == 1 and "has no verb" in check.reason


@pytest.mark.parametrize(
    ("text", "style"),
    [
        pytest.param("We see a dog on a beach.", (("we", "first or second person"),),
                     id="first-person"),
        pytest.param("You can see a dog.", (("you", "first or second person"),),
                     id="second-person"),
        pytest.param("A dog was on a beach.", (("was", "not present tense"),), id="past"),
        pytest.param("A dog will be on a beach.", (("will", "not present tense"),),
                     id="future"),
    ],
)
def test_descriptions_keep_to_the_present_tense_and_the_third_person(text, style):
    check = check_content(text, support(["dog", "beach"]), kind="description")
    assert check.style == style and check.untraceable == ()


@pytest.mark.parametrize(
    ("text", "relations"),
    [
        pytest.param("A race car is on a speedboat.", ("race car on speedboat",), id="smollm2"),
        pytest.param("It appears that a dog can be seen possibly under the sofa.",
                     ("dog under sofa",), id="past-linking-words"),
        pytest.param("A dog is in a kitchen.", (), id="in-a-place"),
        pytest.param("A dog is in a city street.", (), id="in-a-place-phrase"),
        pytest.param("A person rides on a motorcycle.", (), id="one-label-says-it"),
        pytest.param("A race car and a speedboat can be seen, possibly at night.", (),
                     id="comma-and-and-end-the-chain"),
        pytest.param("A dog is seen with a sofa.", (), id="with-is-no-placing"),
        pytest.param("A kitchen is on a sofa.", ("kitchen on sofa",), id="a-place-is-no-thing"),
    ],
)
def test_one_tagged_thing_is_placed_on_another_only_where_a_tag_says_so(text, relations):
    evidence = support(["race car", "speedboat", "dog", "sofa", "kitchen", "city street",
                        "night", "person riding a motorcycle"],
                       places=["kitchen", "city street"])
    check = check_content(text, evidence)
    assert check.relations == relations
    assert check.untraceable == ()
    if relations:
        assert f"places '{relations[0]}', which no tag shows" in check.reason


def test_the_retry_problem_names_the_words():
    check = check_content("A bridge is built. A bridge is built.", support(["bridge"]))
    assert check.problem == "used 'built', which the tags do not say and repeated " \
        "'bridge ... built'"


def test_word_lists_are_disjoint_and_lower_case():
    assert not function_words() & neutral_words()
    assert all(w == w.lower() and " " not in w for w in function_words() | neutral_words())


def test_tokens_reduce_possessives_and_contractions():
    words = [t.word for t in tokens("A man’s dog isn't here; it can't run. 0:06")]
    assert words == ["a", "man", "dog", "is", "here", "it", "can", "run"]


@pytest.mark.parametrize(
    ("gerund", "finite"),
    [("running", {"run", "runs"}), ("dancing", {"dance", "dances"}),
     ("cooking", {"cook", "cooks"}), ("lying", {"lie", "lies"}),
     ("fishing", {"fish", "fishes"}), ("carrying", {"carry", "carries"})],
)
def test_a_gerund_gives_its_present_tense_forms(gerund, finite):
    forms, found = verb_forms(gerund)
    assert finite <= found and gerund in forms


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        check_content("A dog is seen.", support(["dog"]), kind="poem")


def test_a_template_round_trip_ships_no_untraced_word():
    from tests.caption.evidence import sample_request, untraced_words
    from vidclip.caption.registry import get_captioner

    request = sample_request(flagged=("violence",))
    result = get_captioner().caption(request)
    assert result.backend == "template"
    assert untraced_words(result, request) == []
