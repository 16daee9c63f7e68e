"""Frames come out upright and at the display aspect, whatever the stream stores."""

import numpy as np
import pytest

from tests.decode.conftest import ROTATIONS
from vidclip.decode import SamplingSpec, open_video, probe
from vidclip.testing import synthetic

UPRIGHT = ["top_left", "top_right", "bottom_left", "bottom_right"]


def quadrant_layout(frame: np.ndarray) -> list[str]:
    """Which of synthetic.QUADRANTS sits top-left, top-right, bottom-left, bottom-right."""
    h, w = frame.shape[:2]
    names = list(synthetic.QUADRANTS)
    colours = np.array(list(synthetic.QUADRANTS.values()))
    points = ((h // 4, w // 4), (h // 4, 3 * w // 4), (3 * h // 4, w // 4),
              (3 * h // 4, 3 * w // 4))
    return [names[int(np.abs(colours - frame[y, x].astype(int)).sum(axis=1).argmin())]
            for y, x in points]


def _first(path, backend="auto", short_side=64):
    with open_video(path, sampling=SamplingSpec("all"), backend=backend,
                    short_side=short_side) as reader:
        return next(iter(reader)), reader.info


@pytest.mark.parametrize("backend", ["decord", "pyav"])
@pytest.mark.parametrize("rotation", ROTATIONS)
def test_rotated_streams_come_out_upright(decode_clips, rotation, backend):
    batch, info = _first(decode_clips.rotated[rotation], backend)
    assert info.decoder == backend and info.rotation == rotation
    assert (info.width, info.height) == (160, 96)
    assert batch.frames.shape[1:] == (64, 106, 3)
    assert quadrant_layout(batch.frames[0]) == UPRIGHT


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_non_square_pixels_give_the_display_aspect(decode_clips, backend):
    batch, info = _first(decode_clips.anamorphic, backend)
    assert (info.width, info.height) == (171, 96)  # 128 x 4/3
    assert batch.frames.shape[1:] == (64, 114, 3)
    assert quadrant_layout(batch.frames[0]) == UPRIGHT


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_small_sources_are_scaled_up_to_the_short_side(decode_clips, backend):
    batch, _ = _first(decode_clips.tiny, backend, short_side=224)
    assert batch.frames.shape[1:] == (224, 336, 3)  # 48x32 -> 336x224


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_portrait_sources_keep_their_shape(decode_clips, backend):
    batch, info = _first(decode_clips.portrait, backend, short_side=48)
    assert (info.width, info.height, info.rotation) == (96, 160, 0)
    assert batch.frames.shape[1:] == (80, 48, 3)


def test_probe_reports_display_size_after_rotation(decode_clips):
    info = probe(decode_clips.rotated[90])
    assert (info.width, info.height, info.rotation, info.decoder) == (160, 96, 90, "none")
