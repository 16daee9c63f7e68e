"""Previews: every frame small for the cut detector, the sampled ones at full size."""

import numpy as np
import pytest

from tests.decode.conftest import ROTATIONS
from tests.decode.test_orientation import UPRIGHT, quadrant_layout
from vidclip.decode import SamplingSpec, open_video
from vidclip.segment import SceneDetector


def _read(path, **kw):
    with open_video(path, sampling=SamplingSpec("fps", fps=1.0), short_side=64, **kw) as reader:
        return list(reader), reader.info


def test_previews_come_for_every_frame_and_full_frames_for_the_sampled(clips):
    plain, _ = _read(clips.montage, backend="pyav")
    small, info = _read(clips.montage, preview_side=28)
    assert info.decoder == "pyav" and info.decoder_note is None  # auto prefers PyAV here
    assert all(b.frames.shape[1:] == (28, 50, 3) for b in small)
    assert sum(len(b) for b in small) == sum(len(b) for b in plain) == clips.truth.frames
    full = np.concatenate([b.only_sampled().frames for b in plain]).astype(int)
    picked = [b.only_sampled() for b in small]
    assert all(p.frames.shape[1:] == (64, 114, 3) for p in picked)
    assert np.concatenate([p.indices for p in picked]).tolist() == \
        np.concatenate([b.only_sampled().indices for b in plain]).tolist()
    # The same pictures: deblocking skipped on unreferenced frames changes next to nothing.
    assert np.abs(np.concatenate([p.frames for p in picked]).astype(int) - full).mean() < 1.0


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_previews_are_upright(decode_clips, rotation):
    batches, info = _read(decode_clips.rotated[rotation], preview_side=28)
    assert info.rotation == rotation
    preview, full = batches[0].frames[0], batches[0].only_sampled().frames[0]
    assert preview.shape == (28, 46, 3) and full.shape == (64, 106, 3)  # shown 160x96
    assert quadrant_layout(preview) == quadrant_layout(full) == UPRIGHT


def test_decord_and_no_full_rate_ignore_previews(clips):
    with open_video(clips.montage, sampling=SamplingSpec("fps", fps=1.0), short_side=64,
                    preview_side=28, backend="decord") as reader:
        # decord keeps one size for the whole pass, PyAV's take-over included
        assert reader.preview_size is None
        batches, info = list(reader), reader.info
    assert info.decoder == "decord" and batches[0].frames.shape[1:] == (64, 114, 3)
    assert all(b.sampled_frames is None for b in batches)
    with open_video(clips.montage, sampling=SamplingSpec("fps", fps=1.0), short_side=64,
                    full_rate=False, preview_side=28) as reader:
        assert reader.preview_size is None and reader.info.decoder == "decord"


@pytest.mark.parametrize("preview_side", [None, 28])
def test_the_cut_detector_finds_the_same_boundaries_on_previews(clips, preview_side):
    batches, info = _read(clips.montage, preview_side=preview_side, backend="pyav")
    detector = SceneDetector(fps_hint=info.fps)
    for batch in batches:
        detector.observe(batch)
    scenes = detector.finish(total_frames=detector.frames_seen, duration_s=info.duration_s)
    starts = [s.start_frame for s in scenes[1:]]
    for cut in clips.truth.cuts:
        assert any(abs(s - cut) <= 1 for s in starts), (cut, starts)
    assert len(starts) == len(clips.truth.cuts) + len(clips.truth.gradual)


def test_a_batch_must_hold_exactly_its_sampled_frames():
    from vidclip.decode.types import FrameBatch

    with pytest.raises(ValueError):
        FrameBatch(np.zeros((2, 4, 4, 3), np.uint8), np.zeros(2), np.arange(2),
                   np.array([True, False]), np.zeros((2, 8, 8, 3), np.uint8))


def test_looks_come_in_the_same_pass_at_their_own_size_and_rate(clips):
    from vidclip.decode.types import LookSpec

    with open_video(clips.montage, sampling=SamplingSpec("fps", fps=1.0), short_side=64,
                    preview_side=28, looks=LookSpec(every_s=0.5, short_side=96)) as reader:
        assert reader.delivers_looks
        batches = list(reader)
    looks = [b.looks() for b in batches]
    frames = np.concatenate([x.frames for x in looks])
    times = np.concatenate([x.times_s for x in looks])
    assert frames.shape[1:] == (96, 170, 3)
    assert len(times) == int(np.ceil(clips.truth.frames / clips.truth.fps / 0.5))
    assert np.allclose(np.diff(times), 0.5, atol=1.0 / clips.truth.fps)
    # The same pictures as the sampled frames where both took one.
    sampled = [b.only_sampled() for b in batches]
    assert np.concatenate([s.indices for s in sampled]).tolist() == \
        np.concatenate([x.indices for x in looks]).tolist()[::2]


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_looks_are_upright_and_never_upscaled(decode_clips, rotation):
    from vidclip.decode.types import LookSpec

    with open_video(decode_clips.rotated[rotation], short_side=64, preview_side=28,
                    looks=LookSpec(every_s=1.0, short_side=720)) as reader:
        look = next(iter(reader)).looks().frames[0]
    assert look.shape == (96, 160, 3)  # the clip's own size, shown 160x96
    assert quadrant_layout(look) == UPRIGHT


def test_only_a_pass_with_previews_delivers_looks(clips):
    from vidclip.decode.types import LookSpec

    spec = LookSpec(every_s=1.0, short_side=96)
    with open_video(clips.montage, short_side=64, looks=spec) as reader:
        assert not reader.delivers_looks
        assert all(b.looks() is None for b in reader)
