import numpy as np
import pytest

from vidclip.errors import ConfigError
from vidclip.moderate import Category, Policy, PolicyEmbeddings, load_policy, moderate, parse_policy
from vidclip.calibration import Calibration
from vidclip.segment import SceneSpan
from vidclip.timeline import Timeline

REQUIRED = {"sexual_content", "violence", "weapons", "drugs", "self_harm", "hate_symbols"}


def test_bundled_policy_has_the_required_categories():
    policy = load_policy()
    names = {c.name for c in policy.categories}
    for required in REQUIRED:
        assert required in names


@pytest.mark.parametrize("data, match", [
    ({}, "categories"),
    ({"categories": [{"name": "Bad Name", "prompts": ["x"], "threshold": 0.5}]}, "snake_case"),
    ({"categories": [{"name": "x", "prompts": [], "threshold": 0.5}]}, "no prompts"),
    ({"categories": [{"name": "x", "prompts": ["a"], "threshold": 2}]}, "threshold"),
    ({"categories": [{"name": "x", "prompts": ["a"], "threshold": 0.5, "merge_gap_s": -1}]},
     "merge_gap_s"),
    ({"merge_gap_s": "long", "categories": [{"name": "x", "prompts": ["a"], "threshold": 0.5}]},
     "merge_gap_s"),
    ({"categories": [{"name": "x", "prompts": ["a"], "threshold": 0.5, "min_duration_s": -2}]},
     "min_duration_s"),
], ids=["no-categories", "bad-name", "no-prompts", "bad-threshold", "negative-gap",
        "policy-gap-not-a-number", "negative-min-duration"])
def test_invalid_policies_are_rejected(data, match):
    with pytest.raises(ConfigError, match=match):
        parse_policy(data)


def test_negative_prompts_suppress_look_alikes():
    d = 8
    eye = np.eye(d, dtype=np.float32)
    weapon, toy, anchor = eye[0], eye[1], eye[2]
    policy = Policy("p", "1", (Category("weapons", ("gun",), ("toy",), 0.5, 0.0),))
    emb = PolicyEmbeddings(policy, [weapon[None]], [toy[None]])
    frames = np.stack([
        weapon * 0.8 + anchor * 0.6,        # a weapon
        weapon * 0.5 + toy * 0.7 + anchor * 0.5,  # looks more like a toy
        anchor,                              # nothing
    ])
    frames /= np.linalg.norm(frames, axis=1, keepdims=True)
    times = np.array([0.5, 1.5, 2.5])
    tl = Timeline.build(times, np.array([0, 25, 50]), [SceneSpan(0, 75, 0.0, 3.0)])
    result = moderate(frames, tl, emb, Calibration(anchor, 100.0, 0.0))
    scores = result.frame_scores[:, 0]
    assert scores[0] > 0.99 and scores[1] < 0.01 and scores[2] < 0.01
    cat = result.summary.categories[0]
    assert result.summary.flagged and cat.flagged
    assert [(s.start_s, s.end_s) for s in cat.segments] == [(0.0, 1.0)]
    assert result.scene_hits[0][0].flagged


def test_merge_gap_comes_from_the_category_then_the_policy_then_the_default():
    cats = [{"name": "a", "prompts": ["x"], "threshold": 0.5},
            {"name": "b", "prompts": ["x"], "threshold": 0.5, "merge_gap_s": 0}]
    assert [c.merge_gap_s for c in parse_policy({"categories": cats}).categories] == [1.0, 0.0]
    policy = parse_policy({"merge_gap_s": 3, "categories": cats})
    assert [c.merge_gap_s for c in policy.categories] == [3.0, 0.0]


def _flickering_violence(merge_gap_s: float):
    d = 8
    eye = np.eye(d, dtype=np.float32)
    violence, anchor = eye[0], eye[2]
    policy = Policy("p", "1", (Category("violence", ("a fight",), (), 0.5, 2.0,
                                        merge_gap_s=merge_gap_s),))
    emb = PolicyEmbeddings(policy, [violence[None]], [np.zeros((0, d), np.float32)])
    # a fight seen in every other sampled frame for 5 s (1 frame/s): no single
    # stretch lasts the category's 2 s minimum
    frames = np.stack([violence * 0.8 + anchor * 0.6 if i % 2 == 0 else anchor for i in range(5)])
    frames /= np.linalg.norm(frames, axis=1, keepdims=True)
    times = np.arange(5) + 0.5
    tl = Timeline.build(times, (times * 25).astype(int), [SceneSpan(0, 125, 0.0, 5.0)])
    return moderate(frames, tl, emb, Calibration(anchor, 100.0, 0.0)).summary.categories[0]


def test_a_flickering_score_cannot_dodge_min_duration():
    merged = _flickering_violence(merge_gap_s=1.0)
    assert merged.flagged and [(s.start_s, s.end_s) for s in merged.segments] == [(0.0, 5.0)]
    assert not _flickering_violence(merge_gap_s=0.0).flagged
