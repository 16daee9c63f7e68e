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
