"""The content-word check inside the language-model flow: a rejected word is
named in one retry, then the template is used with the reason recorded.
Driven through the openai backend against a real HTTP server with canned answers."""

from __future__ import annotations

import pytest

from tests.caption.evidence import openai_options, tags
from vidclip.caption.base import CaptionRequest, SceneEvidence
from vidclip.caption.registry import get_captioner

pytest.importorskip("openai")


def one_scene(descriptions: bool = False, language: str = "en", **scores: float):
    labels = tuple(k.replace("_", " ") for k in scores)
    request = CaptionRequest(scenes=(SceneEvidence(0, 0.0, 5.0, tags(**scores)),),
                             video_tags=tags(**scores), duration_s=5.0, language=language,
                             vocabulary=(*labels, "road", "boat", "dog"),
                             aliases={"speedboat": ("boat",)}, places=frozenset({"water", "beach"}))
    return request, {"max_concurrency": 1, "descriptions": descriptions}


def caption(server, request, options):
    captioner = get_captioner(openai_options(server.base_url, **options))
    try:
        return captioner.caption(request)
    finally:
        captioner.close()


def test_an_invented_action_is_named_in_the_retry_and_a_grounded_answer_kept(script_server):
    request, options = one_scene(bridge=0.9, staircase=0.8, ladder=0.75)
    script_server.script.extend(["A bridge is built.",
                                 "A bridge, a staircase and a ladder can be seen.",
                                 "A bridge is seen."])
    scene = caption(script_server, request, options).scenes[0]
    assert (scene.text, scene.grounded) == ("A bridge, a staircase and a ladder can be seen.", True)
    assert scene.note == "retried: the first answer says 'built', which no tag supports"
    strict = script_server.requests[1]["messages"][0]["content"]
    assert "rejected because it used 'built', which the tags do not say" in strict


def test_twice_invented_falls_back_to_the_template_with_the_reason(script_server):
    request, options = one_scene(speedboat=0.9, race_car=0.85)
    script_server.script.extend(["What appears to be a race car races across the road.",
                                 "A race car races.", "A race car is seen."])
    result = caption(script_server, request, options)
    scene = result.scenes[0]
    assert scene.grounded is False
    assert scene.text == "The scene shows a speedboat and a race car."
    # "races" is no verb of the evidence, so the sentence has none either.
    assert scene.note == ("template caption: the model's caption says 'races', which no tag "
                          "supports; has no verb (also after a stricter retry)")
    first = script_server.requests[1]["messages"][0]["content"]
    assert "named 'road', which the evidence does not list and used 'races'" in first
    assert "failed the grounding check" in result.fallback_reason


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        pytest.param("A man is dressed in a suit and tie, possibly in a man's suit and tie.",
                     "says 'dressed', which no tag supports; repeats 'man', 'suit', 'tie'",
                     id="suit-and-tie"),
        pytest.param("A man and a suit.", "has no verb", id="no-verb"),
    ],
)
def test_redundant_or_verbless_answers_are_rejected_the_same_way(script_server, answer, reason):
    request, options = one_scene(man=0.9, suit=0.85, tie=0.8)
    script_server.script.extend([answer, "A man, a suit and a tie are seen.", "A man is seen."])
    scene = caption(script_server, request, options).scenes[0]
    assert scene.grounded is True
    assert scene.note == f"retried: the first answer {reason}"


def test_an_alias_of_a_tag_is_evidence_even_where_it_is_a_label(script_server):
    request, options = one_scene(speedboat=0.9, water=0.8)
    script_server.script.extend(["A boat is on the water.", "A boat is on the water."])
    result = caption(script_server, request, options)
    assert result.scenes[0].text == "A boat is on the water." and result.scenes[0].note is None
    assert result.summary == "A boat is on the water."


def test_a_thing_placed_on_another_is_rejected_the_same_way(script_server):
    request, options = one_scene(speedboat=0.9, race_car=0.85)
    script_server.script.extend(["A race car is on a speedboat.",
                                 "A race car and a speedboat can be seen.", "A race car is seen."])
    scene = caption(script_server, request, options).scenes[0]
    assert scene.text == "A race car and a speedboat can be seen."
    assert scene.note == ("retried: the first answer places 'race car on speedboat', "
                          "which no tag shows")
    strict = script_server.requests[1]["messages"][0]["content"]
    assert ("because it said 'race car on speedboat', but the tags only say that each is "
            "there") in strict


def test_descriptions_are_held_to_present_tense_and_third_person(script_server):
    request, options = one_scene(descriptions=True, dog=0.9, beach=0.85)
    script_server.script.extend(["A dog is on a beach.", "We see a dog that was on a beach.",
                                 "On a beach, a dog is seen.", "A dog is on a beach."])
    result = caption(script_server, request, options)
    described = result.descriptions[0]
    assert described.text == "On a beach, a dog is seen."
    assert described.note == ("retried: the first answer says 'we' (first or second person); "
                                 "says 'was' (not present tense)")


def test_other_languages_are_judged_by_labels_and_say_so(script_server):
    request, options = one_scene(language="fr", dog=0.9, beach=0.85)
    script_server.script.extend(["Un dog joue sur la beach.", "Un dog sur la beach."])
    scene = caption(script_server, request, options).scenes[0]
    assert scene.grounded is True
    assert scene.note == "words not checked one by one: the word lists are English only (fr)"
