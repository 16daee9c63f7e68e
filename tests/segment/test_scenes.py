"""SceneDetector as a whole: scenes tile the video, short scenes merge, input is checked."""

import numpy as np
import pytest

from tests.segment.shots import Montage, boundaries, mixed_montage, random_shot, run
from vidclip.config import SceneOptions
from vidclip.decode.types import FrameBatch
from vidclip.segment import SceneDetector


def _check_tiling(scenes, total_frames, duration_s):
    assert scenes[0].start_frame == 0 and scenes[0].start_s == 0.0
    assert scenes[0].transition == "start"
    for a, b in zip(scenes, scenes[1:]):
        assert a.end_frame == b.start_frame and a.end_s == b.start_s
        assert a.start_frame < a.end_frame and a.start_s < a.end_s
        assert b.transition in ("cut", "gradual") and 0.0 <= b.confidence <= 1.0
    assert scenes[-1].end_frame == total_frames and scenes[-1].end_s == duration_s


@pytest.mark.parametrize("seed", [0, 1], ids=lambda s: f"montage-{s}")
def test_scenes_tile_the_video(seed):
    m = mixed_montage(seed)
    scenes = run(m)[1]
    _check_tiling(scenes, len(m), m.duration_s)
    for s in scenes[1:]:
        assert s.start_s == pytest.approx(s.start_frame / m.fps)


@pytest.mark.parametrize("chunk", [1, 17, 500], ids=lambda c: f"chunk-{c}")
def test_chunk_size_does_not_change_the_scenes(chunk):
    m = mixed_montage(3)
    assert run(m, chunk=chunk)[1] == run(m, chunk=32)[1]


def test_delayed_start_and_reported_duration():
    m = Montage(h=96, w=160, seed=4).shot(40).shot(40)
    detector = SceneDetector(fps_hint=25.0)
    video = m.array()
    times = 1.5 + np.arange(len(video)) / 25.0  # the first frame is not at 0
    detector.observe(FrameBatch(video, times, np.arange(len(video))))
    scenes = detector.finish(total_frames=len(video), duration_s=1.5 + len(video) / 25.0)
    assert [s.start_frame for s in scenes] == [0, 40]
    assert scenes[0].start_s == 0.0 and scenes[1].start_s == pytest.approx(1.5 + 40 / 25.0)
    assert scenes[-1].end_s == pytest.approx(1.5 + 80 / 25.0)


def test_short_scene_joins_the_neighbour_it_resembles():
    m = Montage(h=112, w=200, seed=5)
    m.shot(60)
    later = random_shot(m.rng)
    m.shot(10, shot=later.moved(7, 21))
    m.shot(60, shot=later)  # the 10-frame insert looks like what follows
    assert boundaries(run(m)[1]) == [60]
    m = Montage(h=112, w=200, seed=5)
    m.shot(60)
    earlier = m.last
    m.shot(10, shot=earlier.moved(7, 21))
    m.shot(60)  # now it looks like what came before
    assert boundaries(run(m)[1]) == [70]


@pytest.mark.parametrize("min_scene_s, expected", [(0.0, [10, 70]), (0.5, [70]), (3.0, [])],
                         ids=["keep-all", "short-first-joins-next", "all-too-short"])  # fmt: skip
def test_min_scene_length(min_scene_s, expected):
    m = Montage(h=96, w=160, seed=6).shot(10).shot(60).shot(30)
    assert boundaries(run(m, SceneOptions(min_scene_s=min_scene_s))[1]) == expected


def test_no_frames_gives_one_scene_or_none():
    assert SceneDetector().finish(total_frames=0, duration_s=0.0) == []
    (only,) = SceneDetector().finish(total_frames=50, duration_s=2.0)
    assert (only.start_frame, only.end_frame, only.end_s) == (0, 50, 2.0)


def test_one_frame():
    detector = SceneDetector()
    detector.observe(FrameBatch(np.zeros((1, 96, 160, 3), np.uint8), np.zeros(1), np.zeros(1, int)))
    assert len(detector.finish(total_frames=1, duration_s=0.04)) == 1


def test_total_frames_short_of_what_was_seen_is_widened():
    m = Montage(h=96, w=160, seed=7).shot(30).shot(30)
    detector, _ = run(m)
    detector = SceneDetector()
    for batch in m.batches():
        detector.observe(batch)
    scenes = detector.finish(total_frames=10, duration_s=m.duration_s)
    assert scenes[-1].end_frame == len(m)


def test_observe_after_finish_is_refused():
    detector = SceneDetector()
    detector.finish(total_frames=0, duration_s=0.0)
    batch = FrameBatch(np.zeros((1, 8, 8, 3), np.uint8), np.zeros(1), np.zeros(1, int))
    with pytest.raises(RuntimeError, match="after finish"):
        detector.observe(batch)


def test_first_scene_is_measured_from_its_first_picture():
    m = Montage(h=96, w=160, seed=8).shot(24)
    video = m.array()
    video[:3] = 0  # three black frames, then the picture
    detector = SceneDetector(fps_hint=25.0)
    times = 1.075 + np.arange(len(video)) / 25.0  # the stream starts late
    detector.observe(FrameBatch(video, times, np.arange(len(video))))
    assert len(detector.finish(total_frames=len(video), duration_s=times[-1] + 0.04)) == 1
