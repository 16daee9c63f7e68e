import numpy as np
import pytest

from vidclip.decode import SamplingSpec, open_video
from vidclip.decode.sampling import Sampler
from vidclip.errors import ConfigError


def _sampled(path, spec, **kw):
    times, indices = [], []
    with open_video(path, sampling=spec, **kw) as reader:
        for batch in reader:
            assert len(batch) <= kw.get("chunk_size", 32)
            times += batch.times_s[batch.sampled].tolist()
            indices += batch.indices[batch.sampled].tolist()
    return np.array(times), np.array(indices)


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_fps_sampling_is_one_frame_per_second(clips, backend):
    times, indices = _sampled(clips.montage, SamplingSpec("fps", fps=1.0), backend=backend)
    assert times.tolist() == pytest.approx([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert indices.tolist() == [i * 25 for i in range(11)]


def test_count_all_and_cap(clips):
    n = clips.truth.frames
    times, _ = _sampled(clips.montage, SamplingSpec("count", count=4))
    assert len(times) == 4 and np.all(np.diff(times) > 2.0)
    _, idx = _sampled(clips.montage, SamplingSpec("all"))
    assert idx.tolist() == list(range(n))
    _, capped = _sampled(clips.montage, SamplingSpec("all", max_frames=20))
    assert len(capped) <= 20 and capped[-1] > n * 0.8  # spread over the video, not cut short
    times, _ = _sampled(clips.montage, SamplingSpec("fps", fps=5.0, max_frames=6))
    assert len(times) == 6 and times[-1] > 8.0


def test_keyframes_only_decodes_key_frames(clips):
    _, idx = _sampled(clips.montage, SamplingSpec("keyframes"), full_rate=False)
    assert idx[0] == 0 and 1 <= len(idx) < 20


def test_sampling_spec_validates():
    with pytest.raises(ConfigError):
        SamplingSpec("fps", fps=0)
    with pytest.raises(ConfigError):
        SamplingSpec("sometimes")


def test_sampler_low_frame_rate_never_takes_a_frame_twice():
    sampler = Sampler(SamplingSpec("fps", fps=4.0), 0.0, 3.0, 3)
    assert sampler.mask(np.array([0.0, 1.0, 2.0])).tolist() == [True, True, True]


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_fps_picks_the_first_frame_at_or_after_each_target_on_real_times(clips, backend):
    times, indices = _sampled(clips.vfr, SamplingSpec("fps", fps=2.0), backend=backend)
    # targets 0, 0.5, 1, ... 4.0; 2.5 has no frame before 3.0, which then also stands for 3.0
    assert times.tolist() == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 3.5, 4.0], abs=1e-4)
    assert indices.tolist() == [0, 3, 5, 8, 9, 14, 15, 17]


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_fps_targets_count_from_the_first_frame(clips, backend):
    times, _ = _sampled(clips.delayed, SamplingSpec("fps", fps=5.0), backend=backend)
    assert times.tolist() == pytest.approx([1.5, 1.7, 1.9, 2.1, 2.3], abs=1e-4)


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_sampled_only_delivers_just_the_sampled_frames(clips, backend):
    spec = SamplingSpec("count", count=7)
    full_times, full_idx = _sampled(clips.montage, spec, backend=backend)
    with open_video(clips.montage, sampling=spec, backend=backend, full_rate=False,
                    chunk_size=3) as reader:
        batches = list(reader)
    assert all(len(b) <= 3 and b.sampled.all() for b in batches)
    assert np.concatenate([b.indices for b in batches]).tolist() == full_idx.tolist()
    assert np.concatenate([b.times_s for b in batches]) == pytest.approx(full_times)
    assert batches[0].frames.shape[1:] == (224, 398, 3)


def test_count_is_even_and_capped(clips):
    times, _ = _sampled(clips.montage, SamplingSpec("count", count=10, max_frames=5))
    assert len(times) == 5
    gaps = np.diff(times)
    assert gaps.max() - gaps.min() <= 0.04 + 1e-6  # even up to one frame


@pytest.mark.parametrize("backend,full_rate", [("decord", True), ("pyav", True),
                                               ("auto", False), ("decord", False)])
def test_keyframes_are_numbered_in_presentation_order(decode_clips, backend, full_rate):
    times, indices = _sampled(decode_clips.gop10, SamplingSpec("keyframes"), backend=backend,
                              full_rate=full_rate)
    assert indices.tolist() == [0, 10, 20, 30, 40, 50]
    assert times.tolist() == pytest.approx([0, 1, 2, 3, 4, 5], abs=1e-4)


def test_sampler_fps_cap_widens_the_spacing():
    sampler = Sampler(SamplingSpec("fps", fps=10.0, max_frames=4), 0.0, 8.0, 80)
    taken = np.flatnonzero(sampler.mask(np.arange(80) / 10))
    assert taken.tolist() == [0, 20, 40, 60]


def test_sampler_tolerates_decords_float32_times_late_in_long_videos():
    """30 fps for two hours, 3 samples a second: every 10th frame, not the 11th."""
    times = (np.arange(30 * 7200) / 30).astype(np.float32).astype(np.float64)
    sampler = Sampler(SamplingSpec("fps", fps=3.0), 0.0, 7200.0, len(times))
    assert np.array_equal(np.flatnonzero(sampler.mask(times)), np.arange(3 * 7200) * 10)
