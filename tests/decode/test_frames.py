"""Frames come out upright, resized, at their true times, from either backend."""

import numpy as np
import pytest

from vidclip.decode import SamplingSpec, open_video, probe


def _all(path, **kw):
    with open_video(path, sampling=SamplingSpec("all"), **kw) as reader:
        batches = list(reader)
        info = reader.info
    return (np.concatenate([b.frames for b in batches]), np.concatenate([b.times_s for b in batches]),
            info)


def test_frames_are_rgb_uint8_resized_by_the_decoder(clips):
    frames, _, info = _all(clips.montage, short_side=64)
    assert frames.dtype == np.uint8 and frames.shape[1:] == (64, 114, 3)
    assert (info.width, info.height, info.decoder) == (320, 180, "decord")


def test_both_backends_agree(clips):
    a, ta, _ = _all(clips.montage, backend="decord", short_side=96)
    b, tb, info = _all(clips.montage, backend="pyav", short_side=96)
    assert info.decoder == "pyav" and a.shape == b.shape
    np.testing.assert_allclose(ta, tb)
    per_frame = np.abs(a.astype(np.int16) - b.astype(np.int16)).mean(axis=(1, 2, 3))
    assert per_frame.max() < 3.0  # same frames in the same order, scalers differ slightly


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_variable_frame_rate_gives_true_times(clips, backend):
    _, times, info = _all(clips.vfr, backend=backend)
    np.testing.assert_allclose(times, clips.vfr_times, atol=1e-3)
    assert info.variable_frame_rate


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_delayed_start_keeps_the_files_own_timeline(clips, backend):
    _, times, info = _all(clips.delayed, backend=backend)
    assert times[0] == pytest.approx(1.5, abs=1e-3)
    assert info.start_time_s == pytest.approx(1.5, abs=1e-3)


def test_probe_reports_metadata(clips):
    info = probe(clips.montage)
    assert info.codec == "h264" and info.frame_count == clips.truth.frames
    assert info.duration_s == pytest.approx(clips.truth.frames / 25, abs=0.05)


def test_chunks_are_bounded_and_consecutive(clips):
    with open_video(clips.montage, chunk_size=16) as reader:
        previous = -1
        for batch in reader:
            assert len(batch) <= 16
            assert batch.indices[0] == previous + 1
            assert np.all(np.diff(batch.indices) == 1)
            previous = batch.indices[-1]
