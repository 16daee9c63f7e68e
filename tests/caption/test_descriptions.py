"""Planning the descriptions track: a cue where the picture changes, in the
words its time allows, none for a scene without tags."""

from __future__ import annotations

import pytest

from vidclip.caption.descriptions import (
    WORDS_PER_SECOND,
    fit,
    plan_descriptions,
    same_picture,
)
from vidclip.schema import LabelScore, Scene, TextReview


def scene(index, start, end, description=None, review=None, **scores):
    return Scene(index=index, start_s=start, end_s=end, start_frame=int(start * 25),
                 end_frame=int(end * 25),
                 tags=[LabelScore(label=k.replace("_", " "), score=v) for k, v in scores.items()],
                 description=description, description_review=review)


def test_a_scene_without_tags_gets_no_cue():
    cues = plan_descriptions([
        scene(0, 0, 4, "No confidently recognised content."),
        scene(1, 4, 8, "A dog can be seen.", dog=0.9),
    ])
    assert [(c.scenes, c.text) for c in cues] == [((1,), "A dog can be seen.")]


def test_neighbours_showing_the_same_share_one_cue():
    cues = plan_descriptions([
        scene(0, 0, 3, "A street and a car can be seen.", street=0.9, car=0.8, night=0.5),
        # Same three labels in another order and with other scores: the same picture.
        scene(1, 3, 6, "A car and a street can be seen.", car=0.9, night=0.7, street=0.6),
        scene(2, 6, 9, "A dog can be seen.", dog=0.9),
        scene(3, 9, 12, "A dog and a ball can be seen.", dog=0.9, ball=0.8),
    ])
    assert [(c.start_s, c.end_s, c.scenes) for c in cues] == [
        (0, 6, (0, 1)), (6, 9, (2,)), (9, 12, (3,))]
    assert cues[0].text == "A street and a car can be seen."


def test_same_is_read_from_the_best_three_tags():
    a = scene(0, 0, 3, "x", dog=0.9, ball=0.8, grass=0.7, sky=0.2)
    b = scene(1, 3, 6, "x", dog=0.9, ball=0.8, grass=0.7, tree=0.1)
    assert same_picture(a, b)
    assert not same_picture(a, scene(1, 3, 6, "x", dog=0.9, ball=0.8))


def test_scenes_apart_in_time_are_not_merged():
    cues = plan_descriptions([
        scene(0, 0, 3, "A dog can be seen.", dog=0.9),
        scene(1, 3, 6, "A cat can be seen.", cat=0.9),
        scene(2, 6, 9, "A dog can be seen.", dog=0.9),
    ])
    assert len(cues) == 3


def test_the_speaking_rate_is_stated_and_a_fitting_text_is_kept():
    assert WORDS_PER_SECOND == 2.5
    s = scene(0, 0, 4, None, dog=0.9, beach=0.8)
    assert fit(s, "A dog and a beach can be seen.", 4.0) == ("A dog and a beach can be seen.",
                                                              None)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        pytest.param(4.0, "A beach, a dog and a ball can be seen.", id="first-sentence"),
        pytest.param(3.2, "The scene shows a dog and a beach.", id="two-best-tags"),
        pytest.param(2.0, "The scene shows a dog.", id="best-tag"),
        pytest.param(0.5, "The scene shows a dog.", id="shortest-even-if-too-long"),
    ],
)
def test_a_long_text_is_shortened_whole_never_cut(seconds, expected):
    s = scene(0, 0, seconds, None, dog=0.9, beach=0.8, ball=0.75)
    text = "A beach, a dog and a ball can be seen. Grass is seen too."  # 14 words: 5.6 s
    short, why = fit(s, text, seconds)
    assert short == expected
    assert why.startswith("shortened from 14 to") and "at 2.5 words a second" in why


def test_a_text_no_shortening_makes_shorter_is_kept():
    s = scene(0, 0, 2.0, None, rocket_launch=0.97, military_jet=0.75)
    # 6 words for 5: the one-tag sentence has 6 too, so nothing is gained.
    assert fit(s, "A rocket launch can be seen.", 2.0) == ("A rocket launch can be seen.", None)


def test_a_flag_warning_survives_shortening():
    s = scene(0, 0, 2.0, None, dog=0.9, beach=0.8)
    short, _ = fit(s, "A beach and a dog can be seen, and more. Flagged for review: violence.", 2.0)
    assert short == "The scene shows a dog. Flagged for review: violence."


def test_a_reviewed_description_is_never_shortened():
    reviewed = TextReview(status="reviewed", reviewed_by="ana")
    text = "A beach, a dog and a ball can be seen, near the water at the end of the day."
    cue, = plan_descriptions([scene(0, 0, 2, text, reviewed, dog=0.9, beach=0.8)])
    assert cue.text == text and cue.shortened is None
