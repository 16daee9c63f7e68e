import numpy as np
import pytest

from vidclip.calibration import Calibration
from vidclip.segment import SceneSpan
from vidclip.tag import tag
from vidclip.timeline import Timeline


def _unit(rng, n, d):
    x = rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture
def space():
    rng = np.random.default_rng(0)
    labels = _unit(rng, 40, 512)
    anchor = _unit(rng, 1, 512)[0]
    # frames 0-4 lean towards label 3, frames 5-9 towards label 7
    frames = np.vstack([labels[3] * 0.6 + _unit(rng, 5, 512) * 0.4,
                        labels[7] * 0.6 + _unit(rng, 5, 512) * 0.4])
    frames /= np.linalg.norm(frames, axis=1, keepdims=True)
    return frames, labels, anchor


def _timeline(n=10, cut=5):
    times = np.arange(n, dtype=float)
    scenes = [SceneSpan(0, cut * 25, 0.0, float(cut)), SceneSpan(cut * 25, n * 25, float(cut), float(n))]
    return Timeline.build(times, times.astype(int) * 25, scenes)


def test_score_of_a_label_does_not_depend_on_vocabulary_size(space):
    frames, labels, anchor = space
    small = Calibration(anchor, 100.0, 0.02).scores(frames, labels[:5])
    large = Calibration(anchor, 100.0, 0.02).scores(frames, labels)
    np.testing.assert_allclose(small, large[:, :5])
    assert ((large >= 0) & (large <= 1)).all()


def test_scene_and_video_tags_follow_the_frames(space):
    frames, labels, anchor = space
    names = tuple(f"label{i}" for i in range(len(labels)))
    result = tag(frames, _timeline(), names, labels, Calibration(anchor, 100.0, 0.2),
                 threshold=0.5, top_k=3)
    assert result.scene_tags[0][0].label == "label3"
    assert result.scene_tags[1][0].label == "label7"
    by_label = {t.label: t for t in result.video_tags}
    seg3 = by_label["label3"].segments
    assert seg3[0].start_s == 0.0 and seg3[-1].end_s <= 5.0
    seg7 = by_label["label7"].segments
    assert seg7[0].start_s >= 5.0 and seg7[-1].end_s == 10.0
    assert len(result.frame_tags) == 10 and result.frame_tags[0].tags[0].label == "label3"
    assert all(0 <= t.score <= 1 for t in result.video_tags)


def test_one_odd_frame_does_not_carry_a_scene(space):
    frames, labels, anchor = space
    frames = frames.copy()
    frames[1] = labels[20]  # a single frame that is exactly "label20"
    names = tuple(f"label{i}" for i in range(len(labels)))
    result = tag(frames, _timeline(), names, labels, Calibration(anchor, 100.0, 0.2),
                 threshold=0.5, top_k=40)
    assert "label20" not in [t.label for t in result.scene_tags[0]]
    frame_labels = [t.label for t in result.frame_tags[1].tags]
    assert frame_labels[0] == "label20"


def test_merge_gap_joins_a_video_tags_segments_across_a_dip(space):
    frames, labels, anchor = space
    frames = frames.copy()
    frames[2] = labels[30]  # frame 2 stops looking like label3 for one sample
    names = tuple(f"label{i}" for i in range(len(labels)))
    calibration = Calibration(anchor, 100.0, 0.2)
    kwargs = dict(threshold=0.5, top_k=3)
    split = {t.label: t for t in tag(frames, _timeline(), names, labels, calibration, **kwargs).video_tags}
    assert len(split["label3"].segments) == 2
    merged = tag(frames, _timeline(), names, labels, calibration, merge_gap_s=1.0, **kwargs)
    seg3 = {t.label: t for t in merged.video_tags}["label3"].segments
    assert [(s.start_s, s.end_s) for s in seg3] == [(0.0, 5.0)]


def test_a_label_not_allowed_on_a_frame_scores_zero_there_only(space):
    frames, labels, anchor = space
    names = tuple(f"label{i}" for i in range(len(labels)))
    calibration = Calibration(anchor, 100.0, 0.2)
    free = tag(frames, _timeline(), names, labels, calibration, threshold=0.5, top_k=40)
    allowed = np.ones((len(frames), len(labels)), bool)
    allowed[:5, 3] = False  # label 3 may not be said of the first scene's frames
    held = tag(frames, _timeline(), names, labels, calibration, threshold=0.5, top_k=40,
               allowed=allowed)
    assert "label3" in [t.label for t in free.scene_tags[0]]
    assert "label3" not in [t.label for t in held.scene_tags[0]]
    assert (held.frame_scores[:5, 3] == 0).all()
    np.testing.assert_allclose(held.frame_scores[5:], free.frame_scores[5:])
    with pytest.raises(ValueError, match="shape"):
        tag(frames, _timeline(), names, labels, calibration, allowed=allowed[:3])


@pytest.mark.parametrize(("agreement", "carried"), [(0.5, True), (0.6, True), (0.61, False)])
def test_agreement_is_the_share_of_frames_a_scene_tag_needs(space, agreement, carried):
    frames, labels, anchor = space
    frames = frames.copy()
    frames[0] = frames[2] = frames[3] = labels[20]  # 3 of the first scene's 5 frames: 0.6
    names = tuple(f"label{i}" for i in range(len(labels)))
    result = tag(frames, _timeline(), names, labels, Calibration(anchor, 100.0, 0.2),
                 threshold=0.5, top_k=40, agreement=agreement)
    assert ("label20" in [t.label for t in result.scene_tags[0]]) is carried
    with pytest.raises(ValueError, match="agreement"):
        tag(frames, _timeline(), names, labels, Calibration(anchor, 100.0, 0.2), agreement=0)
