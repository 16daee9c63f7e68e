"""Hard cuts: frame-exact, and not fooled by flashes, fast motion or a ticking counter."""

import numpy as np
import pytest

from tests.segment.shots import (
    Montage,
    boundaries,
    counter_frames,
    jump_cuts,
    palette,
    random_shot,
    run,
)
from vidclip.config import SceneOptions
from vidclip.segment.cuts import cut_strength, local_median


def _montage(seed: int, **kw) -> Montage:
    return Montage(h=112, w=200, seed=seed, **kw)


@pytest.mark.parametrize("seed", range(3), ids=lambda s: f"seed-{s}")
def test_cuts_are_frame_exact(seed):
    m = _montage(seed).shot(47).shot(61).shot(38).shot(55)
    assert boundaries(run(m)[1]) == m.cuts


def test_cut_between_look_alike_palettes():
    m = _montage(4)
    m.shot(60)
    m.shot(60, shot=random_shot(m.rng, colours=palette(m.rng, similar_to=m.last.colours)))
    assert boundaries(run(m)[1]) == m.cuts


@pytest.mark.parametrize("order", ["calm-to-fast", "fast-to-calm"])
def test_cut_next_to_fast_motion(order):
    m = _montage(5)
    fast, calm = random_shot(m.rng, speed=22.0), random_shot(m.rng, speed=0.5)
    first, second = (calm, fast) if order == "calm-to-fast" else (fast, calm)
    m.shot(70, shot=first).shot(70, shot=second)
    assert boundaries(run(m)[1]) == m.cuts


@pytest.mark.parametrize("length", [1, 2, 3], ids=lambda n: f"{n}-frame-flash")
def test_flash_is_not_a_cut(length):
    m = _montage(6).shot(70).shot(70)
    m.flash(30, length).flash(105, length)
    assert boundaries(run(m)[1]) == m.cuts


@pytest.mark.parametrize("speed", [12.0, 25.0], ids=["fast-pan", "whip-pan"])
def test_fast_motion_within_a_shot_is_one_scene(speed):
    m = _montage(7)
    m.shot(150, shot=random_shot(m.rng, speed=speed))
    assert len(run(m)[1]) == 1


def test_counter_is_one_scene():
    m = Montage.of(counter_frames(90, h=112, w=200), fps=10.0)
    assert len(run(m)[1]) == 1


def test_static_noise_is_not_a_cut():
    m = _montage(8).shot(120, shot=random_shot(np.random.default_rng(0), speed=0.0))
    assert len(run(m)[1]) == 1


def test_jump_cuts_in_the_same_look():
    m = jump_cuts(9)
    assert boundaries(run(m)[1]) == m.cuts


def test_lower_threshold_finds_at_least_as_much():
    m = jump_cuts(9)
    strict = set(boundaries(run(m, SceneOptions(cut_threshold=1.0))[1]))
    loose = set(boundaries(run(m, SceneOptions(cut_threshold=0.2))[1]))
    assert strict <= loose
    assert len(loose) > len(strict)


def test_strength_peaks_on_the_cut_only():
    m = _montage(10).shot(40).shot(40)
    m.flash(20)
    detector, _ = run(m)
    strength = np.nan_to_num(cut_strength(detector.signals), nan=-1)
    assert strength[40] > 1.0
    assert strength[20] < 0.2 and strength[21] < 0.2
    assert np.delete(strength, 40).max() < 0.2


def test_local_median_excludes_the_centre():
    values = np.array([1, 1, 1, 1, 9, 1, 1, 1, 1], dtype=np.float32)
    assert local_median(values, 2)[4] == 1.0
