import numpy as np
import pytest

from vidclip.errors import ConfigError
from vidclip.moderate import Category, Policy, PolicyEmbeddings, load_policy, moderate, parse_policy
from vidclip.timeline import Span, Timeline

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
], ids=["no-categories", "bad-name", "no-prompts", "bad-threshold"])
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
    tl = Timeline.build(times, np.array([0, 25, 50]), [Span(0, 75, 0.0, 3.0)])
    result = moderate(frames, tl, emb, anchor, logit_scale=100.0, margin=0.0)
    scores = result.frame_scores[:, 0]
    assert scores[0] > 0.99 and scores[1] < 0.01 and scores[2] < 0.01
    cat = result.summary.categories[0]
    assert result.summary.flagged and cat.flagged
    assert [(s.start_s, s.end_s) for s in cat.segments] == [(0.0, 1.0)]
    assert result.scene_hits[0][0].flagged
