"""Speech and on-screen text into the result's moderation: segments with source and
evidence timed from the words, text-only categories, scene hits, idempotence."""

from __future__ import annotations

import logging

import pytest

from tests.spoken import analysis, said, scene_hits, transcript, visual_moderation, written
from vidclip.moderate import load_policy, parse_policy
from vidclip.text_moderation import classifier as classifiers
from vidclip.text_moderation.apply import moderate_words
from vidclip.text_moderation.moderator import WordModerator

POLICY = parse_policy({"name": "p", "categories": [
    {"name": "violence", "threshold": 0.6, "prompts": ["a fight"], "lexicon": ["stab"]},
    {"name": "threats", "threshold": 0.9, "lexicon": ["i will kill you", "shoot you"],
     "allow": ["shoot you an email"]},
]})


def visual_analysis(**words):
    moderation = visual_moderation([("violence", 0.7, 0.6)], {"violence": (1.0, 3.0)})
    base = analysis(moderation=moderation, **words)
    return scene_hits(base, {"violence": 0.7}, {"violence": 0.6})


def test_a_spoken_threat_is_flagged_with_its_words_and_their_times():
    speech = transcript(said("Good morning everyone.", 0.0),
                        said("If you come back I'll kill you tonight.", 12.0))
    result = moderate_words(WordModerator(POLICY), visual_analysis(speech=speech))
    names = [c.category for c in result.moderation.categories]
    assert names == ["violence", "threats"]  # the text-only category, in the policy's order
    threats = result.moderation.categories[1]
    assert threats.flagged and result.moderation.flagged
    [segment] = threats.segments
    assert (segment.source, segment.rule, segment.evidence) == ("speech", "lexicon",
                                                                "I'll kill you")
    # "I'll" is the 5th word (0.4 s apart from 12.0 s), "you" the 7th, ending 0.3 s later.
    assert (segment.start_s, segment.end_s) == (13.6, 14.7)
    assert threats.source_scores == {"speech": 1.0} and threats.threshold == 0.9


def test_the_picture_keeps_its_flags_and_scores_beside_the_words():
    speech = transcript(said("He stabbed him.", 15.0))
    result = moderate_words(WordModerator(POLICY), visual_analysis(speech=speech))
    violence = result.moderation.categories[0]
    assert [s.source for s in violence.segments] == ["visual", "speech"]
    assert violence.source_scores == {"visual": 0.7, "speech": 1.0} and violence.score == 1.0
    first, second = result.scenes
    assert [h.category for h in second.moderation] == ["violence", "threats"]
    assert second.moderation[0].flagged and second.moderation[0].source_scores["speech"] == 1.0
    assert first.moderation[0].source_scores == {"visual": 0.7, "speech": 0.0}
    assert not first.moderation[1].flagged and first.moderation[1].score == 0.0


def test_on_screen_text_is_flagged_over_the_time_it_is_shown():
    shown = [written("I WILL KILL YOU", 3.0, 8.5), written("I'll shoot you an email", 9, 11)]
    result = moderate_words(WordModerator(POLICY), visual_analysis(on_screen=shown))
    [segment] = result.moderation.categories[1].segments
    assert (segment.source, segment.start_s, segment.end_s) == ("text", 3.0, 8.5)
    assert segment.evidence == "I WILL KILL YOU"
    assert result.scenes[0].moderation[1].flagged and not result.scenes[1].moderation[1].flagged


def test_a_segment_without_word_times_is_flagged_over_the_whole_segment():
    speech = transcript(said("I will kill you", 4.0, with_words=False))
    result = moderate_words(WordModerator(POLICY), visual_analysis(speech=speech))
    [segment] = result.moderation.categories[1].segments
    assert (segment.start_s, segment.end_s) == (4.0, 5.5)  # the segment's own range
    assert result.scenes[0].moderation[1].flagged


def test_nothing_to_read_leaves_the_result_as_it_was():
    before = visual_analysis()
    assert moderate_words(WordModerator(POLICY), before) is before
    silent = visual_analysis(speech=transcript())
    assert moderate_words(WordModerator(POLICY), silent) is silent


def test_running_it_again_gives_the_same_result():
    speech = transcript(said("He stabbed him and said I will kill you.", 2.0))
    once = moderate_words(WordModerator(POLICY), visual_analysis(speech=speech))
    twice = moderate_words(WordModerator(POLICY), once)
    assert twice == once
    # A transcript corrected to harmless words takes its flags away again.
    cleared = once.model_copy(update={"transcript": transcript(said("Hello there.", 2.0))})
    again = moderate_words(WordModerator(POLICY), cleared)
    violence, threats = again.moderation.categories
    assert [s.source for s in violence.segments] == ["visual"] and violence.score == 0.7
    assert not threats.flagged and not again.scenes[0].moderation[1].flagged


@pytest.mark.skipif(not classifiers.available("profanity"),
                    reason="the moderation extra (alt-profanity-check) is not installed")
def test_the_default_policy_flags_profanity_by_classifier_where_no_word_is_listed():
    speech = transcript(said("You are a piece of crap, screw you.", 1.0),
                        said("The ferry leaves at nine.", 5.0))
    result = moderate_words(WordModerator(load_policy("default")), analysis(speech=speech))
    profanity = next(c for c in result.moderation.categories if c.category == "profanity")
    [segment] = profanity.segments
    assert segment.rule == "classifier" and segment.evidence.startswith("You are a piece")
    assert segment.score >= 0.9 and (segment.start_s, segment.end_s) == (1.0, 4.1)


def test_a_missing_classifier_package_keeps_the_lexicon_and_says_so(monkeypatch, caplog):
    monkeypatch.setattr(classifiers, "available", lambda name: False)
    with caplog.at_level(logging.WARNING):
        moderator = WordModerator(load_policy("default"))
    assert "pip install 'vidclip[moderation]'" in caplog.text
    result = moderate_words(moderator, analysis(speech=transcript(said("oh shit", 0.0))))
    profanity = next(c for c in result.moderation.categories if c.category == "profanity")
    assert [s.rule for s in profanity.segments] == ["lexicon"]


def test_the_pipeline_stage_reads_the_contexts_policy_once_and_skips_without_one():
    from types import SimpleNamespace

    from vidclip.stages.words import moderate_said_and_written
    from vidclip.text_moderation.apply import moderator_for

    speech = transcript(said("I will kill you", 1.0))
    ctx = SimpleNamespace(policy=SimpleNamespace(policy=POLICY))
    result = moderate_said_and_written(ctx, visual_analysis(speech=speech))  # type: ignore[arg-type]
    assert result.moderation.categories[1].flagged
    assert moderator_for(POLICY) is moderator_for(POLICY)
    off = visual_analysis(speech=speech)
    assert moderate_said_and_written(SimpleNamespace(policy=None), off) is off  # type: ignore[arg-type]
