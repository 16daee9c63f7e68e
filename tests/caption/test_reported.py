"""Spoken and on-screen words as caption evidence: supported only where the text says
they were said or written, and only from the right source."""

from __future__ import annotations

import pytest

from tests.caption.evidence import VOCABULARY, tags
from vidclip.caption import reported
from vidclip.caption.base import CaptionRequest, SceneEvidence
from vidclip.caption.checks import judge
from vidclip.caption.prompts import load_prompt
from vidclip.caption.template import TemplateCaptioner

SAID = ("The dog is hungry, feed him now.", "I'll be late for dinner.")
WRITTEN = ("NO PARKING",)
KITCHEN = ["person", "kitchen"]


def check(text: str, evidence=KITCHEN, said=SAID, written=WRITTEN):
    return judge(text, "caption", evidence, VOCABULARY, said=said, written=written,
                 places=("kitchen",))


@pytest.mark.parametrize("text", [
    'A person is in a kitchen. Someone says: "The dog is hungry."',
    "A person is in a kitchen. Someone says the dog is hungry.",
    "Someone says they will be late for dinner.",  # a paraphrase: its content words said
    'A person is in a kitchen. Text on screen reads: "No parking."',
    'A voice says: "Feed him now!" A person is in a kitchen.',
], ids=["quoted", "reported", "paraphrase", "written", "exclaimed"])
def test_words_said_or_written_may_be_reported_as_such(text):
    verdict = check(text)
    assert verdict.ok, verdict.reason


def test_a_spoken_word_never_becomes_a_seen_object():
    verdict = check("A dog is in a kitchen.")  # "dog" was only said
    assert not verdict.ok and "'dog'" in verdict.reason


@pytest.mark.parametrize("text, said, written, reason", [
    ('Someone says: "Dinner is ready."', SAID, WRITTEN,
     "reports 'ready' as said, which the transcript does not hold"),
    ('Someone says: "No parking."', SAID, WRITTEN, "'parking' as said"),
    ('Text on screen reads: "Feed the dog."', SAID, WRITTEN, "'feed', 'dog' as written"),
    ("Someone says the dog is hungry.", (), (), "which the transcript does not hold"),
], ids=["not-said", "written-not-said", "said-not-written", "no-speech"])
def test_reports_the_words_do_not_bear_out_are_rejected(text, said, written, reason):
    verdict = check(text, said=said, written=written)
    assert not verdict.ok and reason in verdict.reason
    assert "but the" in verdict.problem  # the retry prompt says what was wrong


def test_who_speaks_or_what_is_written_on_is_evidence_like_any_noun():
    assert not check("A man says the dog is hungry.").ok  # no tag shows a man
    assert check("A man says the dog is hungry.", evidence=["man", "kitchen"]).ok
    assert not check('A sign reads "NO PARKING".').ok  # no tag shows a sign
    assert check('A sign reads "NO PARKING".', evidence=["sign", "street"]).ok


def test_reports_are_found_with_their_subject_source_and_words():
    found = reported.find('A dog runs and then a woman asks: "Where is it?" A sign says STOP.')
    assert [(r.subject, r.source, r.quoted) for r in found] == [
        ("a woman", "speech", "Where is it?"), ("A sign", "text", "STOP")]
    assert reported.masked('Someone says: "Stop. Now!" A cat sits.',
                           reported.find('Someone says: "Stop. Now!" A cat sits.')) == (
        "Someone is. A cat sits.")


def test_low_confidence_hedges_stay_out_of_quotations():
    text = 'A dog is in a kitchen. Someone says: "The dog is hungry."'
    assert reported.hedge_outside(text, ["dog"]) == (
        'What appears to be a dog is in a kitchen. Someone says: "The dog is hungry."')


def test_the_template_quotes_a_short_line_and_keeps_it_out_of_the_description():
    scene = SceneEvidence(0, 0.0, 5.0, tags(person=0.9), spoken_lines=("Dinner is ready",))
    long = SceneEvidence(1, 5.0, 9.0, tags(person=0.9), spoken_lines=(
        "This line is far too long to be quoted in a short template caption of a scene",))
    result = TemplateCaptioner().caption(CaptionRequest((scene, long), tags(person=0.9), 9.0))
    assert result.scenes[0].text == 'The scene shows a person. Someone says: "Dinner is ready."'
    assert result.scenes[1].text == "The scene shows a person."
    assert [d.text for d in result.descriptions] == ["The scene shows a person."] * 2
    assert judge(result.scenes[0].text, "caption", ["person"], (),
                 said=scene.spoken_lines).ok
    plain = TemplateCaptioner().caption(CaptionRequest((SceneEvidence(0, 0, 5, tags(cat=0.9)),),
                                                       tags(cat=0.9), 5.0))
    assert plain.descriptions == []  # without speech the captions double as descriptions


@pytest.mark.parametrize("name", ["scene_caption", "summary"])
def test_a_scene_without_words_gets_exactly_the_previous_prompt(name):
    values = {"language": "English", "start": "0:00", "end": "0:05", "tags": "dog (high)",
              "flags_line": "", "scene_lines": "- A dog can be seen.", "speech_line": "",
              "text_line": ""}
    old, new = load_prompt(name, 2), load_prompt(name, 3)
    assert new.render(values).text == old.render(values).text
    spoken = new.render({**values, "speech_line": "Said: Dinner is ready.\n"}, words=True)
    assert "Said: Dinner is ready.\n" in spoken.user and "Someone says" in spoken.system
    assert spoken.user.count("Said:") == 2  # the example and the scene's own line


@pytest.mark.parametrize(("name", "kind"), [("scene_caption", "caption"), ("summary", "summary")])
def test_the_words_examples_pass_the_check_they_teach(name, kind):
    import re

    from vidclip.vocabulary import load_vocabulary

    places = load_vocabulary("default").places
    examples = re.findall(r"Tags: (.+)\n(?:Said: (.+)\n)?(?:On screen: (.+)\n)?"
                          r"(?:Caption|Summary): (.+)", load_prompt(name).words_user or "")
    assert examples
    for tag_line, spoken, shown, text in examples:
        labels = [re.sub(r" \((?:high|medium|low)\)$", "", t) for t in tag_line.split(", ")]
        verdict = judge(text, kind, labels, (), said=(spoken,) if spoken else (),
                        written=(shown,) if shown else (), places=places)
        assert verdict.ok, f"{text!r}: {verdict.reason}"
