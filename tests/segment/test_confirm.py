"""Embedding evidence: only used when meaningful, and only at the margins."""

import numpy as np
import pytest

from tests.segment.shots import Montage, boundaries, jump_cuts, mixed_montage, run
from vidclip.config import SceneOptions

STEP = 10  # a sample every 10 frames (3 per second at 30 fps)


def _samples(m: Montage, vector_at) -> tuple[np.ndarray, np.ndarray]:
    frames = np.arange(0, len(m), STEP)
    emb = np.stack([vector_at(int(f)) for f in frames]).astype(np.float32)
    return frames / m.fps, emb / np.linalg.norm(emb, axis=1, keepdims=True)


def _axis(i: int, dim: int = 16) -> np.ndarray:
    return np.eye(dim)[i] + 0.001 * np.random.default_rng(i).normal(size=dim)


def test_weak_boundaries_between_identical_samples_are_dropped():
    m = jump_cuts(9)
    options = SceneOptions(cut_threshold=0.9)
    times, emb = _samples(m, lambda f: _axis(0))  # one look throughout
    detector, plain = run(m, options)
    weak = [b.pos for b in detector.boundaries if b.strength < 0.9 + 0.25]
    assert weak  # the setting has some to drop
    confirmed = run(m, options, sampled_times=times, sampled_embeddings=emb,
                    embeddings_meaningful=True)[1]  # fmt: skip
    assert boundaries(confirmed) == [p for p in boundaries(plain) if p not in weak]
    ignored = run(m, options, sampled_times=times, sampled_embeddings=emb)[1]
    assert ignored == plain


def test_random_embeddings_change_nothing():
    m = mixed_montage(2)
    rng = np.random.default_rng(0)
    times, emb = _samples(m, lambda f: rng.normal(size=64))
    plain = run(m)[1]
    confirmed = run(m, sampled_times=times, sampled_embeddings=emb, embeddings_meaningful=True)
    assert confirmed[1] == plain


def test_unexplained_jump_adds_a_gradual_boundary_between_the_samples():
    m = Montage(h=112, w=200, seed=3).shot(180)
    times, emb = _samples(m, lambda f: _axis(0 if f < 95 else 1))
    scenes = run(m, sampled_times=times, sampled_embeddings=emb, embeddings_meaningful=True)[1]
    assert len(scenes) == 2
    assert 90 < scenes[1].start_frame <= 100 and scenes[1].transition == "gradual"


def test_jump_at_a_pixel_cut_adds_nothing():
    m = Montage(h=112, w=200, seed=4).shot(90).shot(90)
    times, emb = _samples(m, lambda f: _axis(0 if f < 90 else 1))
    scenes = run(m, sampled_times=times, sampled_embeddings=emb, embeddings_meaningful=True)[1]
    assert boundaries(scenes) == [90]


def test_mismatched_embeddings_are_refused():
    m = Montage(h=96, w=160, seed=5).shot(30)
    with pytest.raises(ValueError, match="sampled_embeddings"):
        run(m, sampled_times=np.arange(3.0), sampled_embeddings=np.ones((4, 8)),
            embeddings_meaningful=True)  # fmt: skip
