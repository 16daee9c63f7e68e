import numpy as np

from vidclip.timeline import Span, Timeline


def test_covers_tile_each_scene_without_crossing_boundaries():
    scenes = [Span(0, 50, 0.0, 2.0), Span(50, 100, 2.0, 4.0)]
    times = np.array([0.0, 1.0, 2.4, 3.4])
    tl = Timeline.build(times, (times * 25).astype(int), scenes)
    assert tl.scene_of.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(tl.cover, [[0, 0.5], [0.5, 2.0], [2.0, 2.9], [2.9, 4.0]])


def test_segments_merge_touching_covers_and_drop_short_ones():
    scenes = [Span(0, 250, 0.0, 10.0)]
    times = np.arange(10, dtype=float) + 0.5
    tl = Timeline.build(times, (times * 25).astype(int), scenes)
    scores = np.array([0.9, 0.8, 0.1, 0.1, 0.7, 0.1, 0.1, 0.1, 0.95, 0.99])
    segs = tl.segments(scores, 0.5)
    assert [(s.start_s, s.end_s, s.score) for s in segs] == [
        (0.0, 2.0, 0.9), (4.0, 5.0, 0.7), (8.0, 10.0, 0.99)]
    assert len(tl.segments(scores, 0.5, min_duration_s=1.5)) == 2
