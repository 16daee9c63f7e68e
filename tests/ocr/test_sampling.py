import numpy as np

from vidclip.ocr.sampling import changed, plan, thumbnail


def test_each_scene_is_looked_at_after_its_cut_and_then_every_interval():
    # 10 fps: a 1 s scene gets one look, an 8 s scene one every 2 s.
    assert plan([(0, 10), (10, 90)], fps=10, interval_s=2.0) == [2, 12, 32, 52, 72]


def test_a_scene_shorter_than_the_settling_time_is_still_looked_at():
    assert plan([(0, 1)], fps=30, interval_s=2.0) == [0]


def test_the_change_test_ignores_noise_and_sees_new_text():
    rng = np.random.default_rng(0)
    frame = np.full((720, 1280, 3), 40, np.uint8)
    noisy = np.clip(frame + rng.integers(-3, 4, frame.shape), 0, 255).astype(np.uint8)
    titled = frame.copy()
    titled[300:420, 200:1080] = 240
    assert thumbnail(frame).shape == (36, 64)
    assert not changed(thumbnail(frame), thumbnail(noisy))
    assert changed(thumbnail(frame), thumbnail(titled))
