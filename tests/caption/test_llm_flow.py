"""Grounding, retry and fallback of the language-model captioners, driven
through the openai backend against a real HTTP server with canned answers."""

from __future__ import annotations

import pytest

from tests.caption.evidence import openai_options, sample_request, tags
from vidclip.caption.base import CaptionRequest, SceneEvidence
from vidclip.caption.llm import clean_output
from vidclip.caption.registry import get_captioner
from vidclip.caption.template import TemplateCaptioner
from vidclip.schema import TextSource

pytest.importorskip("openai")

GOOD = ["A dog is on the beach.", "A car is in a city street.", "A person is in a kitchen."]
SUMMARY = "A dog is on a beach, a car is in a city, and a person is in a kitchen."


def run(server, request=None, **options):
    options = {"max_concurrency": 1, "descriptions": False, **options}
    captioner = get_captioner(openai_options(server.base_url, **options))
    try:
        return captioner.caption(request or sample_request())
    finally:
        captioner.close()


def test_grounded_answers_are_kept_and_recorded(script_server):
    script_server.script.extend([*GOOD, SUMMARY])
    result = run(script_server)
    assert [c.text for c in result.scenes] == [GOOD[0], GOOD[1], GOOD[2]]
    assert all(c.grounded is True and c.note is None for c in result.scenes)
    # kitchen scores 0.6 for the video, under captions.hedge_below (0.7)
    assert result.summary == SUMMARY.replace("in a kitchen", "in what appears to be a kitchen")
    assert (result.backend, result.model, result.fallback_reason) == \
        ("openai", "smollm2-135m", None)
    assert result.prompt == "scene_caption@3,summary@3"
    assert result.generation.calls == 4


def test_caption_naming_an_absent_object_is_retried_then_replaced(script_server):
    script_server.script.extend(["A cat runs on the beach.", "A cat sleeps on a sofa.",
                                 *GOOD[1:], SUMMARY])
    result = run(script_server)
    first = result.scenes[0]
    template = TemplateCaptioner().caption(sample_request()).scenes[0].text
    assert (first.text, first.grounded) == (template, False)
    assert "'cat'" in first.note and "stricter retry" in first.note
    # The retry carried the stricter instruction naming what was wrong.
    strict_system = script_server.requests[1]["messages"][0]["content"]
    assert "rejected because it named 'cat'" in strict_system
    assert "rejected" not in script_server.requests[0]["messages"][0]["content"]
    assert result.fallback_reason == ("1 of 3 scene captions failed the grounding check and "
                                      "use the template captioner")
    assert result.fallback_scenes == (0,)
    assert result.backend == "openai"  # the other scenes and the summary are the model's


def test_a_good_retry_is_kept_with_a_note_and_low_scores_are_hedged(script_server):
    script_server.script.extend(["A cat runs on the beach.", "A dog is on the beach with a ball.",
                                 *GOOD[1:], SUMMARY])
    first = run(script_server).scenes[0]
    assert first.grounded is True
    assert first.text == "A dog is on the beach with what appears to be a ball."  # ball: 0.55
    assert first.note.startswith("retried: the first answer names 'cat'")


def test_flags_reach_the_model_as_warnings_and_may_not_be_named(script_server):
    script_server.script.extend([*GOOD[:2], "Violence breaks out in a kitchen.",
                                 "A person is in a kitchen.", SUMMARY])
    result = run(script_server, sample_request(flagged=("violence",)))
    user = script_server.requests[2]["messages"][1]["content"]
    assert user.endswith("Flags (warning only, do not describe): violence\nCaption:")
    # Named only as its category, in the template's words, whichever backend wrote the rest.
    assert result.scenes[2].text == "A person is in a kitchen. Flagged for review: violence."
    assert "'violence'" in result.scenes[2].note
    assert result.summary.endswith(" Flagged for moderation review: violence.")
    assert "Flagged" not in script_server.requests[-1]["messages"][1]["content"]


def test_an_invented_act_of_harm_is_retried_without_it(script_server):
    # The first answer is SmolLM2's own for a scene tagged sheep and grass.
    request = CaptionRequest(scenes=(SceneEvidence(0, 0.0, 5.0, tags(sheep=0.9, grass=0.85)),),
                             video_tags=tags(sheep=0.9, grass=0.85), duration_s=5.0,
                             vocabulary=("sheep", "grass", "dog"))
    script_server.script.extend(["A sheep is being slaughtered.", "A sheep and grass can be seen.",
                                 "A sheep and grass can be seen."])
    scene = run(script_server, request).scenes[0]
    assert (scene.text, scene.grounded) == ("A sheep and grass can be seen.", True)
    assert scene.note == ("retried: the first answer says 'slaughtered' (violence), "
                          "which no tag shows")
    strict = script_server.requests[1]["messages"][0]["content"]
    assert "rejected because it said 'slaughtered', which no tag shows" in strict


def test_a_custom_policy_category_is_never_named_unless_tagged(script_server):
    request = sample_request(scenes=1)
    request = CaptionRequest(**{**request.__dict__, "moderation_categories": ("gambling",)})
    script_server.script.extend(["A dog plays gambling games on the beach.",
                                 "A dog gambling on a beach.", SUMMARY])
    scene = run(script_server, request).scenes[0]
    assert scene.grounded is False and "'gambling'" in scene.note


def test_each_text_records_the_backend_model_and_prompt_that_wrote_it(script_server):
    script_server.script.extend(["A cat runs on the beach.", "A cat sleeps on a sofa.",
                                 *GOOD[1:], "A cat and a bicycle.", "A cat again."])
    result = run(script_server)
    model = TextSource(backend="openai", model="smollm2-135m", prompt="scene_caption@3")
    template = TextSource(backend="template", model=None, prompt="template@1")
    assert [c.source for c in result.scenes] == [template, model, model]
    assert result.summary_source == template
    assert result.descriptions[1].source == model


def test_one_hedge_setting_for_the_model_and_its_template_fallback(script_server):
    script_server.script.extend(["A dog is on the beach.", "A cat.", "A cat.", "A cat."])
    options = openai_options(script_server.base_url, max_concurrency=1, descriptions=False)
    captioner = get_captioner(options.model_copy(update={"hedge_below": 0.9}))
    result = captioner.caption(sample_request(scenes=1))
    user = script_server.requests[0]["messages"][1]["content"]
    assert user.endswith("Tags: dog (high), beach (low), ball (low)\nCaption:")  # 0.92, 0.85
    assert result.scenes[0].text == "A dog is on what appears to be the beach."
    assert result.summary == "A 0:06 video in 1 scene that appears to show a dog."


def test_runaway_answers_are_rejected_as_such(script_server):
    loop = "A crab eats a crab, a crab eats a crab, a crab eats a crab, a crab eats a crab"
    script_server.script.extend([loop, GOOD[0], *GOOD[1:], SUMMARY])
    first = run(script_server).scenes[0]
    assert first.note == "retried: the first answer repeated itself"
    assert "because it repeated itself" in script_server.requests[1]["messages"][0]["content"]


def test_ungrounded_summary_falls_back_to_the_template_summary(script_server):
    script_server.script.extend([*GOOD, "A cat and a bicycle.", "A cat again."])
    result = run(script_server)
    assert result.summary == TemplateCaptioner().caption(sample_request()).summary
    assert "the model's summary failed the grounding check" in result.fallback_reason


def test_a_video_without_any_tags_never_reaches_the_model(script_server):
    request = CaptionRequest(scenes=(SceneEvidence(0, 0.0, 2.0, ()),), video_tags=(),
                             duration_s=2.0, vocabulary=("dog",))
    result = run(script_server, request)
    assert script_server.requests == []
    assert result.backend == "template"
    assert result.fallback_reason == "no tags to summarise: the summary uses the template captioner"


def test_scene_without_tags_is_not_sent_to_the_model(script_server):
    request = CaptionRequest(scenes=(SceneEvidence(0, 0.0, 2.0, ()),
                                     SceneEvidence(1, 2.0, 5.0, tags(dog=0.9))),
                             video_tags=tags(dog=0.9), duration_s=5.0, vocabulary=("dog",))
    script_server.script.extend(["A dog is seen.", "A dog is in a clip."])
    result = run(script_server, request)
    assert len(script_server.requests) == 2
    assert result.scenes[0].grounded is None and "no tags" in result.scenes[0].note


def test_descriptions_get_their_own_prompt(script_server):
    script_server.script.extend([GOOD[0], "On the beach, a dog is seen.", "A cat.", "A cat.",
                                 GOOD[2], "In a kitchen, a person is seen.", SUMMARY])
    result = run(script_server, descriptions=True)
    descriptions = result.descriptions
    assert [d.index for d in descriptions] == [0, 1, 2]
    assert descriptions[0].text == "On the beach, a dog is seen."
    assert descriptions[1].text == result.scenes[1].text  # caption failed: nothing to add
    assert result.prompt == "scene_caption@3,audio_description@2,summary@3"
    assert script_server.requests[1]["messages"][1]["content"].endswith("Description:")


def test_scenes_run_with_bounded_concurrency(script_server):
    scenes = tuple(SceneEvidence(i, i * 2.0, i * 2.0 + 2, tags(dog=0.9)) for i in range(6))
    request = CaptionRequest(scenes=scenes, video_tags=tags(dog=0.9), duration_s=12.0,
                             vocabulary=("dog", "cat"))
    script_server.delay_s = 0.2
    script_server.script.extend(["A dog is seen."] * 7)
    captioner = get_captioner(openai_options(script_server.base_url, max_concurrency=3,
                                             descriptions=False))
    result = captioner.caption(request)
    assert all(c.text == "A dog is seen." for c in result.scenes)
    assert script_server.max_in_flight == 3


def test_the_model_is_asked_for_the_language_and_fallbacks_say_english_only(script_server):
    script_server.script.extend(["Un cat.", "Un cat.", *GOOD[1:], SUMMARY])
    result = run(script_server, sample_request(language="fr"))
    assert "in French" in script_server.requests[0]["messages"][0]["content"]
    assert result.language == "fr"
    assert "English only" in result.fallback_reason


@pytest.mark.parametrize(
    ("raw", "truncated", "clean"),
    [
        pytest.param(" A dog runs.\nTags: cat", False, "A dog runs.", id="first-line"),
        pytest.param("Caption: \"A dog runs\"", False, "A dog runs.", id="label-quotes-stop"),
        pytest.param("A dog runs. Tags: cat (high)", False, "A dog runs.", id="echoed-pattern"),
        pytest.param("A dog runs. Then a cat jumps over the", True, "A dog runs.", id="cut-off"),
        pytest.param("A dog runs over the", True, "A dog runs over the\u2026", id="cut-one"),
        pytest.param("\n\n", False, "", id="empty"),
    ],
)
def test_clean_output(raw, truncated, clean):
    assert clean_output(raw, truncated) == clean
