"""Frames fetched by number after the main pass are the main pass's frames."""

import numpy as np
import pytest

from vidclip.decode import SamplingSpec, open_video
from vidclip.decode.seek import iter_frames, read_frames


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_frames_by_number_match_the_main_pass(clips, backend):
    with open_video(clips.montage, sampling=SamplingSpec("all"), short_side=64,
                    backend=backend) as reader:
        batches = list(reader)
    frames = np.concatenate([b.frames for b in batches]).astype(int)
    times = np.concatenate([b.times_s for b in batches])
    wanted = [200, 7, 131, 7]
    got = read_frames(clips.montage, wanted, short_side=64, backend=backend)
    assert got.indices.tolist() == [7, 131, 200]
    np.testing.assert_allclose(got.times_s, times[[7, 131, 200]], atol=1e-4)
    assert np.abs(got.frames.astype(int) - frames[[7, 131, 200]]).mean() < 1.0


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_frames_by_number_are_upright_and_sized(decode_clips, backend):
    got = read_frames(decode_clips.rotated[90], [1], short_side=64, backend=backend)
    assert got.frames.shape == (1, 64, 106, 3)


def test_nothing_asked_nothing_read(clips):
    got = read_frames(clips.short, [], short_side=32)
    assert len(got) == 0 and got.frames.shape[1:] == (32, 56, 3)
    assert read_frames(clips.short, [10_000], short_side=32).indices.tolist() == []


def test_frames_a_chunk_at_a_time_skipping_unreferenced_frames_are_the_same_frames(clips):
    # exact=False lets PyAV skip frames no other refers to between the wanted ones;
    # on a constant-rate clip the frames it returns are still the frames asked for.
    wanted = [3, 60, 61, 131, 200]
    exact = read_frames(clips.montage, wanted, short_side=64, backend="pyav")
    chunks = list(iter_frames(clips.montage, wanted, short_side=64, backend="pyav",
                              chunk=2, exact=False))
    assert [len(c.indices) for c in chunks] == [2, 2, 1]
    indices = np.concatenate([c.indices for c in chunks])
    assert indices.tolist() == wanted
    np.testing.assert_allclose(np.concatenate([c.times_s for c in chunks]), exact.times_s,
                               atol=1e-4)
    frames = np.concatenate([c.frames for c in chunks]).astype(int)
    assert np.abs(frames - exact.frames.astype(int)).mean() < 1.0
