"""The change test before the detector, and the line test before the recogniser."""

import numpy as np
import pytest

from tests.ocr.frames import FONT, gradient, render
from vidclip.ocr.change import changed, same_line, thumbnail

if not FONT.exists():
    pytest.skip("DejaVu fonts not installed", allow_module_level=True)


def _subtitle(text: str) -> np.ndarray:
    return render(text, 30, width=1280, height=720, y=0.85)


def test_noise_is_not_a_change_and_new_text_is():
    rng = np.random.default_rng(0)
    frame = np.full((720, 1280, 3), 40, np.uint8)
    noisy = np.clip(frame + rng.integers(-4, 5, frame.shape), 0, 255).astype(np.uint8)
    assert not changed(thumbnail(frame), thumbnail(noisy))
    assert changed(thumbnail(frame), thumbnail(_subtitle("We leave at dawn.")))


def test_a_subtitle_replaced_on_the_same_band_is_a_change():
    # A whole-frame mean misses this: the strip that changed is a few per cent of the frame.
    before, after = _subtitle("We leave at dawn."), _subtitle("We go at nine.")
    assert changed(thumbnail(before), thumbnail(after))


@pytest.mark.parametrize("pixels", [1, 3, 6, 12])
def test_a_slow_camera_drift_is_not_a_change(pixels):
    picture = gradient(1280, 720).copy()
    picture[200:260, 300:900] = 240  # an edge that moves with the camera
    scene = np.roll(_subtitle("We leave at dawn.") // 2 + picture // 2, 0, axis=1)
    assert not changed(thumbnail(scene), thumbnail(np.roll(scene, pixels, axis=1)))


def test_a_vertical_frame_keeps_its_shape():
    assert thumbnail(np.zeros((1280, 720, 3), np.uint8)).shape == (320, 180)
    assert thumbnail(np.zeros((720, 1280, 3), np.uint8)).shape == (180, 320)


def test_a_line_that_only_drifted_is_the_same_and_one_with_a_new_word_is_not():
    box = (0.30, 0.84, 0.70, 0.92)
    before = _subtitle("Open 9:30 - 17:00")
    moved = np.roll(before, 4, axis=1)
    moved_box = (box[0] + 4 / 1280, box[1], box[2] + 4 / 1280, box[3])
    assert same_line(before, box, moved, moved_box)
    assert not same_line(before, box, _subtitle("Open 9:30 - 18:00"), box)
    assert not same_line(before, box, before, (0.0, 0.0, 0.2, 0.1))  # somewhere else
