"""What is said and written, through the caption flow: the scene's lines reach the
prompt, a caption reporting them is kept, one turning them into seen things is not;
against the stub OpenAI-compatible server and SmolLM2 behind it."""

from __future__ import annotations

import pytest

from tests.caption.evidence import VOCABULARY, openai_options, tags
from tests.spoken import analysis, said, transcript, written
from vidclip.caption.base import CaptionRequest, SceneEvidence
from vidclip.caption.checks import judge
from vidclip.caption.registry import get_captioner
from vidclip.caption.template import TemplateCaptioner
from vidclip.config import AnalysisConfig
from vidclip.context import CaptionContext, read_vocabulary
from vidclip.stages.captions import caption_request

pytest.importorskip("openai")

LINES = ("Dinner is ready, come and eat.",)


def kitchen_request() -> CaptionRequest:
    scene = SceneEvidence(0, 0.0, 6.0, tags(person=0.9, kitchen=0.85), spoken_lines=LINES,
                          on_screen_text=("CHEF'S SPECIAL",))
    return CaptionRequest(scenes=(scene,), video_tags=tags(person=0.9, kitchen=0.85),
                          duration_s=6.0, vocabulary=VOCABULARY, places=frozenset({"kitchen"}))


def run(server, request, **options):
    captioner = get_captioner(openai_options(server.base_url, max_concurrency=1,
                                             descriptions=False, **options))
    try:
        return captioner.caption(request)
    finally:
        captioner.close()


def test_the_scene_words_reach_the_prompt_and_a_report_of_them_is_kept(script_server):
    caption = 'A person is in a kitchen. Someone says: "Dinner is ready."'
    script_server.script.extend([caption, "A person is in a kitchen."])
    result = run(script_server, kitchen_request())
    assert result.scenes[0].text == caption and result.scenes[0].grounded is True
    user = script_server.requests[0]["messages"][1]["content"]
    system = script_server.requests[0]["messages"][0]["content"]
    assert "Said: Dinner is ready, come and eat.\nOn screen: CHEF'S SPECIAL\nCaption:" in user
    assert "only as said or written" in system and 'Someone says: "Dinner is ready."' in user
    assert result.prompt == "scene_caption@3,summary@3"


def test_a_caption_that_sees_what_was_only_said_is_retried_then_replaced(script_server):
    script_server.script.extend(["A person eats dinner in a kitchen.",
                                 "A person and a dinner are in a kitchen.",
                                 "A person is in a kitchen."])
    result = run(script_server, kitchen_request())
    first = result.scenes[0]
    assert first.grounded is False and "'dinner'" in first.note
    assert first.text == 'The scene shows a person and a kitchen. Someone says: "Dinner is ' \
                         'ready, come and eat."'


def test_words_quoted_from_the_wrong_source_are_rejected(script_server):
    script_server.script.extend(['A person is in a kitchen. Someone says: "Chef\'s special."',
                                 'A person is in a kitchen. Text on screen reads: "Dinner."',
                                 "A person is in a kitchen."])
    first = run(script_server, kitchen_request()).scenes[0]
    retry = script_server.requests[1]["messages"][0]["content"]
    assert "reported 'chef', 'special' as said, but the transcript" in retry
    assert first.grounded is False and "'dinner' as written" in first.note


def test_the_stage_gives_each_scene_the_lines_said_and_written_in_it():
    result = analysis(speech=transcript(said("Hello there.", 1.0), said("Goodbye now.", 12.0)),
                      on_screen=[written("NO PARKING", 2.0, 3.0), written("EXIT", 15, 16)])
    config = AnalysisConfig().with_overrides({"tags": {"labels": ["person"]}})
    ctx = CaptionContext(config, TemplateCaptioner(), read_vocabulary(config))
    request = caption_request(ctx, result)
    assert [(s.spoken_lines, s.on_screen_text) for s in request.scenes] == [
        (("Hello there.",), ("NO PARKING",)), (("Goodbye now.",), ("EXIT",))]


@pytest.mark.slow
def test_smollm2_captions_with_speech_keep_to_the_rule(model_server):
    request = kitchen_request()
    result = run(model_server, request)
    scene = request.scenes[0]
    caption = result.scenes[0]
    assert caption.text and (caption.grounded is True or caption.grounded is False)
    # Whatever was shipped, the model's or the template's, passes the same check.
    verdict = judge(caption.text.split(" Flagged for")[0], "caption",
                    [t.label for t in scene.tags], VOCABULARY, said=scene.spoken_lines,
                    written=scene.on_screen_text, places=("kitchen",))
    assert verdict.ok, (caption.text, verdict.reason)
