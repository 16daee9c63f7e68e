import numpy as np

from vidclip.segment import SceneSpan
from vidclip.timeline import Timeline


def test_covers_tile_each_scene_without_crossing_boundaries():
    scenes = [SceneSpan(0, 50, 0.0, 2.0), SceneSpan(50, 100, 2.0, 4.0)]
    times = np.array([0.0, 1.0, 2.4, 3.4])
    tl = Timeline.build(times, (times * 25).astype(int), scenes)
    assert tl.scene_of.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(tl.cover, [[0, 0.5], [0.5, 2.0], [2.0, 2.9], [2.9, 4.0]])


def test_segments_merge_touching_covers_and_drop_short_ones():
    scenes = [SceneSpan(0, 250, 0.0, 10.0)]
    times = np.arange(10, dtype=float) + 0.5
    tl = Timeline.build(times, (times * 25).astype(int), scenes)
    scores = np.array([0.9, 0.8, 0.1, 0.1, 0.7, 0.1, 0.1, 0.1, 0.95, 0.99])
    segs = tl.segments(scores, 0.5)
    assert [(s.start_s, s.end_s, s.score) for s in segs] == [
        (0.0, 2.0, 0.9), (4.0, 5.0, 0.7), (8.0, 10.0, 0.99)]
    assert len(tl.segments(scores, 0.5, min_duration_s=1.5)) == 2


def test_a_one_frame_dip_does_not_split_a_segment_when_gaps_merge():
    scenes = [SceneSpan(0, 250, 0.0, 10.0)]
    times = np.arange(10, dtype=float) + 0.5  # 1 frame/s: each frame covers 1 s
    tl = Timeline.build(times, (times * 25).astype(int), scenes)
    # a label flickering around the threshold: a one-frame dip at 2 s, then
    # three frames below it (5-8 s)
    scores = np.array([0.9, 0.8, 0.4, 0.7, 0.6, 0.45, 0.3, 0.2, 0.95, 0.99])
    split = tl.segments(scores, 0.5)
    assert [(s.start_s, s.end_s) for s in split] == [(0.0, 2.0), (3.0, 5.0), (8.0, 10.0)]
    merged = tl.segments(scores, 0.5, gap_s=1.0)
    # the one-frame dip closes; the three-frame gap stays open; peaks carry over
    assert [(s.start_s, s.end_s, s.score) for s in merged] == [(0.0, 5.0, 0.9), (8.0, 10.0, 0.99)]
    assert [(s.start_s, s.end_s) for s in tl.segments(scores, 0.5, gap_s=3.0)] == [(0.0, 10.0)]
