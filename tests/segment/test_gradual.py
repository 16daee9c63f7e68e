"""Dissolves and fades through black: one boundary each, inside the transition."""

import numpy as np
import pytest

from tests.segment.shots import Montage, boundaries, random_shot, run
from vidclip.config import SceneOptions
from vidclip.segment.evaluate import boundary_prf


def _montage(seed: int) -> Montage:
    return Montage(h=112, w=200, seed=seed)


def _inside(m: Montage, scenes) -> bool:
    """Every boundary sits inside its transition (no tolerance) and none is missing."""
    return boundary_prf(boundaries(scenes), m.cuts, m.gradual, tolerance=0)[2] == 1.0


@pytest.mark.parametrize("length", [6, 12, 20, 30, 45], ids=lambda n: f"dissolve-{n}")
def test_dissolve_gives_one_boundary_inside_it(length):
    m = _montage(length).shot(90).shot(110, how="dissolve", length=length).shot(90)
    detector, scenes = run(m)
    assert _inside(m, scenes), (m.gradual, m.cuts, boundaries(scenes))
    assert scenes[1].transition == "gradual"


@pytest.mark.parametrize(
    "speeds", [(15.0, 0.5), (0.5, 15.0)], ids=["fast-into-calm", "calm-into-fast"]
)
def test_dissolve_next_to_fast_motion(speeds):
    m = _montage(11)
    m.shot(90, shot=random_shot(m.rng, speed=speeds[0]))
    m.shot(90, shot=random_shot(m.rng, speed=speeds[1]), how="dissolve", length=15)
    assert _inside(m, run(m)[1])


@pytest.mark.parametrize(
    "out, hold, into",
    [(8, 0, 8), (12, 3, 12), (4, 2, 15), (15, 5, 4)],
    ids=["dip", "short-hold", "quick-out-slow-in", "slow-out-quick-in"],
)
def test_fade_through_black_gives_one_boundary(out, hold, into):
    m = _montage(12).shot(80).shot(80, how="fade", out=out, hold=hold, into=into).shot(60)
    detector, scenes = run(m)
    assert _inside(m, scenes), (m.gradual, m.cuts, boundaries(scenes))
    fade_start = m.gradual[0][0]
    black = np.flatnonzero(detector.signals.luma[fade_start : fade_start + out + hold + 1] < 16)
    assert scenes[1].start_frame - fade_start in black  # on the black itself


def test_long_black_is_a_scene_of_its_own():
    m = _montage(13).shot(80).shot(80, how="fade", out=10, hold=30, into=10)
    start = m.gradual[0][0]
    first_black, first_up = start + 9, start + 10 + 30  # the last fade-out frame is black
    scenes = run(m, SceneOptions(min_scene_s=0.6))[1]
    assert boundaries(scenes) == [first_black, first_up]
    assert run(m, SceneOptions(min_scene_s=2.0))[1][1].start_frame in range(start, start + 50)


def test_black_lead_in_and_fade_out_at_the_ends():
    shot = _montage(14).shot(240).array()
    ramp = (np.arange(1, 11, dtype=np.float32) / 11)[:, None, None, None]
    shot[:10] = shot[:10] * ramp
    shot[-10:] = shot[-10:] * ramp[::-1]
    black = np.zeros((30, *shot.shape[1:]), np.uint8)
    scenes = run(Montage.of(np.concatenate([black, shot, black])))[1]
    # The picture appears where the fade-in starts and is gone on the first black frame.
    assert boundaries(scenes) == [30, 30 + 240]


def test_gradual_detection_can_be_turned_off():
    m = _montage(15).shot(90).shot(90, how="dissolve", length=20)
    assert len(run(m, SceneOptions(detect_gradual=False))[1]) == 1
    assert len(run(m)[1]) == 2


def test_cuts_into_and_out_of_a_short_black_are_one_boundary():
    m = _montage(16).shot(80)
    black = np.zeros((6, m.h, m.w, 3), np.uint8)
    m.frames.append(black)
    m.shot(80)  # a cut from black
    scenes = run(m)[1]
    assert boundaries(scenes) in ([80], [86])


def test_object_sliding_into_part_of_the_view_is_not_a_transition():
    m = _montage(17)
    m.shot(150, shot=random_shot(m.rng, speed=0.3))
    video = m.array()
    top, bottom, width = m.h // 5, m.h * 3 // 5, m.w * 2 // 5
    for i, t in enumerate(range(70, 150)):
        right = min(width, (i + 1) * width // 10)  # slides in over 10 frames, then stays
        video[t, top:bottom, :right] = (235, 230, 220)
    assert len(run(Montage.of(video))[1]) == 1
