import numpy as np
import pytest

from tests.segment.shots import Montage
from vidclip.decode.types import FrameBatch
from vidclip.segment.signals import (
    SHORT_LAGS,
    SignalTracker,
    downscale,
    gradual_lags,
    gradual_scales,
    grid_distance,
    hist_distance,
    signature,
)


def _reference_grid(frames: np.ndarray) -> np.ndarray:
    """Plain reshape-and-mean of every other pixel, then YCbCr."""
    x = frames[:, ::2, ::2].astype(np.float64)
    n, h, w, _ = x.shape
    b = min(h, w) // 28
    x = x[:, : h // b * b, : w // b * b].reshape(n, h // b, b, w // b, b, 3).mean(axis=(2, 4))
    r, g, bl = x[..., 0], x[..., 1], x[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * bl
    return np.stack([y, 128 - 0.168736 * r - 0.331264 * g + 0.5 * bl,
                     128 + 0.5 * r - 0.418688 * g - 0.081312 * bl], -1)  # fmt: skip


@pytest.mark.parametrize("shape", [(224, 398), (398, 224), (180, 320), (225, 401)],
                         ids=["landscape", "portrait", "16x9-small", "odd"])  # fmt: skip
def test_downscale_is_an_exact_area_mean(shape):
    frames = np.random.default_rng(0).integers(0, 256, (3, *shape, 3), dtype=np.uint8)
    grid = downscale(frames)
    assert 28 <= min(grid.shape[1:3]) < 56
    np.testing.assert_allclose(grid, _reference_grid(frames), atol=1e-3)


def test_tiny_frames_still_give_a_grid():
    frames = np.zeros((2, 20, 30, 3), np.uint8)
    assert downscale(frames).shape[0] == 2


def test_distances_span_zero_to_one():
    black = np.zeros((1, 112, 200, 3), np.uint8)
    white = np.full((1, 112, 200, 3), 255, np.uint8)
    a, b = signature(downscale(black)), signature(downscale(white))
    assert hist_distance(a.hist, a.hist)[0] == 0
    assert grid_distance(a.fine, a.fine)[0] == 0
    assert hist_distance(a.hist, b.hist)[0] == pytest.approx(0.5)  # luma moved, chroma did not
    assert grid_distance(a.fine, b.fine)[0] == 1.0


def _signals(video: np.ndarray, chunk: int):
    tracker = SignalTracker(fps_hint=30.0)
    times = np.arange(len(video)) / 30.0
    for i in range(0, len(video), chunk):
        tracker.observe(FrameBatch(video[i : i + chunk], times[i : i + chunk],
                                   np.arange(len(video))[i : i + chunk]))  # fmt: skip
    return tracker


@pytest.mark.parametrize("chunk", [1, 5, 64], ids=lambda c: f"chunk-{c}")
def test_chunking_does_not_change_the_signals(chunk):
    video = Montage(h=96, w=160, seed=2).shot(50).shot(50, how="dissolve", length=10).array()
    ref, got = _signals(video, 100).signals(), _signals(video, chunk).signals()
    for name in ("short_hist", "short_grid", "long_hist", "long_grid", "colour", "time"):
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), atol=1e-6)


def test_memory_is_a_ring_buffer_plus_scalars():
    video = Montage(h=96, w=160, seed=1).shot(300).array()
    tracker = _signals(video, 32)
    signals = tracker.signals()
    assert tracker.buffered == max(signals.lags)
    kept = ("short_hist", "short_grid", "long_hist", "long_grid", "long_spread", "colour")
    per_frame = sum(getattr(signals, k).shape[1] for k in kept)
    assert per_frame <= 48  # float32 each: under 200 bytes a frame with index and time
    assert np.isnan(signals.short[0]).all()
    assert not np.isnan(signals.short[len(SHORT_LAGS):]).any()


def test_lags_follow_the_frame_rate():
    assert gradual_scales(30.0) == (8, 12, 16, 24, 32, 48, 64)
    assert gradual_lags(30.0) == (4, 6, 8, 12, 16, 24, 32, 48, 64)
    for fps in (10.0, 23.976, 60.0):
        lags = gradual_lags(fps)
        assert all(s // 2 in lags for s in gradual_scales(fps))


def test_fps_is_estimated_from_timestamps_without_a_hint():
    tracker = SignalTracker()
    frames = np.zeros((8, 96, 160, 3), np.uint8)
    tracker.observe(FrameBatch(frames, np.arange(8) / 60.0, np.arange(8)))
    assert tracker.lags == gradual_lags(60.0)


@pytest.mark.parametrize(
    "frames, indices, message",
    [
        (np.zeros((2, 32, 32), np.uint8), [0, 1], "uint8"),
        (np.zeros((2, 32, 32, 3), np.float32), [0, 1], "uint8"),
        (np.zeros((2, 32, 32, 3), np.uint8), [1, 0], "increasing"),
    ],
    ids=["no-channels", "float", "out-of-order"],
)
def test_bad_batches_are_refused(frames, indices, message):
    with pytest.raises(ValueError, match=message):
        SignalTracker().observe(FrameBatch(frames, np.zeros(2), np.array(indices)))
