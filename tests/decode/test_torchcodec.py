"""torchcodec's CPU side gives the frames, times and scene boundaries the other backends give.

It needs torchcodec and FFmpeg's shared libraries (``apt-get install ffmpeg``);
without them the comparisons skip and say why, and the error test still runs.
"""

import sys

import numpy as np
import pytest

from vidclip.config import AnalysisConfig
from vidclip.decode import SamplingSpec, open_video
from vidclip.decode import torchcodec_backend as tc
from vidclip.errors import ConfigError

#: Rotation, pixel aspect, a late first frame, 1080p, mpeg4 (testvideo and the
#: anamorphic clip are left to the other backends' tests: torchcodec's CPU side
#: is the slow one, and their streams add nothing new here).
REAL = ("fades.mp4", "counter.mp4", "issue-134-rotate.mp4", "delayed_start.mp4")


@pytest.fixture(scope="module")
def torchcodec_here():
    reason = tc.unavailable()
    if reason:
        pytest.skip(reason)


def _read(path, backend, preview=None, chunks=3):
    """The first ``chunks`` chunks (torchcodec's CPU side is the slow one here)."""
    with open_video(path, sampling=SamplingSpec("fps", fps=2.0), backend=backend,
                    preview_side=preview) as reader:
        batches = [b for _, b in zip(range(chunks), reader)]
        return batches, reader.info


def _stack(batches, field="frames"):
    return np.concatenate([getattr(b, field) for b in batches])


@pytest.mark.parametrize("name", REAL)
def test_same_frames_and_times_as_pyav_on_real_clips(torchcodec_here, shared_media, name):
    ours, info = _read(shared_media / name, "torchcodec")
    theirs, other = _read(shared_media / name, "pyav")
    assert info.decoder == "torchcodec", info.decoder_note
    assert (info.width, info.height) == (other.width, other.height)
    assert np.array_equal(_stack(ours, "indices"), _stack(theirs, "indices"))
    assert np.allclose(_stack(ours, "times_s"), _stack(theirs, "times_s"), atol=1e-3)
    assert np.array_equal(_stack(ours, "sampled"), _stack(theirs, "sampled"))
    a, b = _stack(ours).astype(np.int16), _stack(theirs).astype(np.int16)
    assert a.shape == b.shape
    # Another scaler (torch's antialiased bilinear, FFmpeg's area): a few levels apart.
    assert np.abs(a - b).mean() < 4.0, np.abs(a - b).mean()


def test_previews_come_from_the_same_frames(torchcodec_here, clips):
    ours, _ = _read(clips.montage, "torchcodec", preview=28)
    full, _ = _read(clips.montage, "torchcodec")
    small = _stack(ours)
    assert small.shape[1:3] != _stack(full).shape[1:3] and min(small.shape[1:3]) == 28
    sampled = np.concatenate([b.only_sampled().frames for b in ours])
    assert np.array_equal(sampled, np.concatenate([b.only_sampled().frames for b in full]))


@pytest.mark.parametrize("name", ["counter.mp4", "montage"])
def test_same_scene_boundaries_as_the_default_decoder(torchcodec_here, shared_media, clips, name,
                                                      tiny_model_options, tiny_encoder):
    from vidclip.pipeline import Pipeline

    path = clips.montage if name == "montage" else shared_media / name
    scenes = {}
    for decoder in ("auto", "torchcodec"):
        cfg = AnalysisConfig(model=tiny_model_options, decoder=decoder)
        run = Pipeline(cfg, encoder=tiny_encoder).run(path, caption=False)
        scenes[decoder] = [(s.start_frame, s.end_frame) for s in run.analysis.scenes]
        assert run.analysis.video.decoder == ("torchcodec" if decoder == "torchcodec"
                                              else run.analysis.video.decoder)
    assert scenes["torchcodec"] == scenes["auto"]


def test_auto_keeps_the_pip_only_decoders_beside_a_cpu_model(clips):
    with open_video(clips.short, backend="auto", device="cpu") as reader:
        assert reader.decoder in ("decord", "pyav")


def test_missing_torchcodec_is_a_clear_error(monkeypatch, clips):
    monkeypatch.setitem(sys.modules, "torchcodec.decoders", None)  # import fails as if absent
    monkeypatch.setattr(tc, "_checked", False)
    monkeypatch.setattr(tc, "_unavailable", None)
    with pytest.raises(ConfigError, match=r"torchcodec is not installed.*apt-get install ffmpeg"):
        open_video(clips.short, backend="torchcodec")
    # auto on a GPU falls back to the pip-only decoders instead of failing.
    with open_video(clips.short, backend="auto", device="cuda") as reader:
        assert reader.decoder in ("decord", "pyav")
