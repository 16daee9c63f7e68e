"""Clips only the decoder tests need, written once per session (about 2 s).

The shared montage, VFR and delayed-start clips come from ``clips`` in
tests/conftest.py.
"""

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vidclip.testing import synthetic

ROTATIONS = (90, 180, 270)
BFRAME_TIMES = [0.5 + i * 0.04 for i in range(40)]


@dataclass
class DecodeClips:
    rotated: dict[int, Path]  # clockwise display rotation -> clip of orientation quadrants
    anamorphic: Path  # 128x96 stored, 4:3 pixels: shown 171x96
    tiny: Path  # 48x32, smaller than any short side we ask for
    portrait: Path  # stored 96 wide, 160 tall, no rotation
    bframes: Path  # Matroska, B-frames, first frame at 0.5 s
    ten_bit: Path  # h264 yuv420p10le
    av1: Path  # a codec decord cannot open
    gop10: Path  # 60 frames, a key frame every 10


def _stored_for(rotation: int, n: int = 4) -> np.ndarray:
    """Upright quadrants turned counter-clockwise, so a player's clockwise turn
    by ``rotation`` shows them upright again."""
    upright = synthetic.orientation_frames(n, (160, 96))
    return np.ascontiguousarray(np.rot90(upright, k=rotation // 90, axes=(1, 2)))


@pytest.fixture(scope="session")
def decode_clips(tmp_path_factory) -> DecodeClips:
    root = tmp_path_factory.mktemp("decode-clips")
    write = synthetic.write_video
    return DecodeClips(
        rotated={r: write(root / f"rot{r}.mp4", _stored_for(r), rotation=r) for r in ROTATIONS},
        anamorphic=write(root / "sar.mp4", synthetic.orientation_frames(4, (128, 96)),
                         sample_aspect_ratio=Fraction(4, 3)),
        tiny=write(root / "tiny.mp4", synthetic.shot_frames(5, (48, 32), seed=1)),
        portrait=write(root / "portrait.mp4", synthetic.shot_frames(5, (96, 160), seed=2)),
        bframes=write(root / "bframes.mkv", synthetic.shot_frames(40, (160, 96), seed=3),
                      times_s=BFRAME_TIMES, options={"preset": "medium", "tune": "film"}),
        ten_bit=write(root / "ten.mp4", synthetic.shot_frames(8, (160, 96), seed=4),
                      pix_fmt="yuv420p10le"),
        av1=write(root / "av1.mkv", synthetic.shot_frames(8, (160, 96), seed=5),
                  codec="libsvtav1", options={"preset": "12"}),
        gop10=write(root / "gop10.mp4", synthetic.counter_frames(60, (160, 96)), 10.0, gop=10),
    )

