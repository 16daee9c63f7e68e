"""Moment vectors: a scene's mean, and windows of a long scene."""

from __future__ import annotations

import numpy as np

from vidclip.index.files import load_moments, moments_path, save_moments
from vidclip.index.identity import ModelIdentity
from vidclip.index.moments import SCENE, WINDOW, WINDOW_S, compute_moments
from vidclip.schema import VideoAnalysis


def analysis_with(scenes: list[tuple[float, float, int, int]]) -> VideoAnalysis:
    return VideoAnalysis.model_validate({
        "vidclip_version": "test",
        "video": {"source": "v.mp4", "duration_s": scenes[-1][1], "fps": 10.0, "width": 64,
                  "height": 64, "frame_count": scenes[-1][3], "codec": "h264",
                  "decoder": "pyav"},
        "model": {"name": "tiny-test", "embedding_dim": 4, "device": "cpu"},
        "sampling": {"strategy": "fps", "fps": 1.0, "frames": 0},
        "scenes": [{"index": i, "start_s": a, "end_s": b, "start_frame": f, "end_frame": g}
                   for i, (a, b, f, g) in enumerate(scenes)],
        "tags": [], "moderation": {"flagged": False, "categories": []},
        "captions": {"backend": "template"}, "timings": {},
    })


def test_a_short_scene_is_one_mean_and_a_long_one_also_gets_windows(tmp_path):
    analysis = analysis_with([(0.0, 2.0, 0, 20), (2.0, 12.0, 20, 120)])
    times = np.arange(12, dtype=float)  # one sampled frame a second
    emb = np.zeros((12, 4), np.float32)
    emb[:2, 0] = 1.0  # scene 0 looks one way
    emb[2:6, 1] = 1.0  # the first window of scene 1 another
    emb[6:, 2] = 1.0
    moments = compute_moments(analysis, emb, times, (times * 10).astype(np.int64))
    assert list(moments.kind) == [SCENE, SCENE, WINDOW, WINDOW, WINDOW]
    assert moments.vectors[0] @ np.array([1, 0, 0, 0]) == 1.0
    assert np.allclose(np.linalg.norm(moments.vectors, axis=1), 1.0)
    assert (moments.start_s[2], moments.end_s[2]) == (2.0, 2.0 + WINDOW_S)
    assert moments.end_s[-1] == 12.0
    assert moments.vectors[2] @ np.array([0, 1, 0, 0]) > 0.99  # the window is not blurred
    assert moments.vectors[1] @ np.array([0, 1, 0, 0]) < 0.6  # the scene's mean is
    path = save_moments(moments_path(tmp_path / "v.json"), moments,
                        ModelIdentity("tiny-test", None, 4, "clip"))
    loaded, identity = load_moments(path)
    assert path.name == "v.moments.npz" and identity.name == "tiny-test"
    assert np.array_equal(loaded.vectors, moments.vectors)
