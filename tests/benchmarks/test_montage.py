"""The montage generator's ground truth agrees with the video it wrote."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("cv2", reason="benchmarks/montage.py needs OpenCV (the bench extra)")
pytest.importorskip("skimage", reason="benchmarks/montage.py takes its photos from scikit-image")
_spec = importlib.util.spec_from_file_location(
    "bench_montage", Path(__file__).resolve().parents[2] / "benchmarks" / "montage.py")
# dataclasses look their module up in sys.modules while the class is built
montage = sys.modules["bench_montage"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(montage)


def test_truth_matches_decoded_frames(tmp_path):
    import av

    path = tmp_path / "m.mp4"
    truth = montage.make_montage(path, seconds=8.0, width=160, height=96, fps=25.0, seed=3,
                                 shot_s=(1.0, 2.0))
    assert montage.Truth.load(montage.truth_path(path)) == truth
    with av.open(str(path)) as c:
        frames = np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)]).astype(float)
    assert len(frames) == truth.frames
    assert truth.cuts or truth.gradual
    step = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))  # step[i]: frame i -> i+1
    inside = np.ones(len(step), bool)
    for t in truth.transitions:
        inside[max(t.start - 2, 0) : t.end + 1] = False
    for cut in truth.cuts:  # a cut changes the picture far more than motion within a shot
        assert step[cut - 1] > 4 * np.median(step[inside]), cut
    for start, end in truth.gradual:  # the transition ends on a clean frame of the next shot
        assert 0 < start < end <= truth.frames
