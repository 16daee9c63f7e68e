"""Which backend decodes what, why the fallback was taken, and clean closing."""

import dataclasses
import os

import numpy as np
import pytest

from tests.decode.conftest import BFRAME_TIMES
from vidclip.decode import SamplingSpec, open_video, probe
from vidclip.decode.decord_backend import distrust
from vidclip.decode.probe import probe_facts
from vidclip.errors import ConfigError


def _all(path, **kw):
    with open_video(path, sampling=SamplingSpec("all"), **kw) as reader:
        batches = list(reader)
        info = reader.info
    return (np.concatenate([b.frames for b in batches]),
            np.concatenate([b.times_s for b in batches]), info)


def test_high_bit_depth_goes_to_pyav(decode_clips):
    frames, _, info = _all(decode_clips.ten_bit)
    assert info.decoder == "pyav" and "10-bit" in info.decoder_note
    assert len(frames) == 8


def test_a_codec_decord_cannot_open_goes_to_pyav(decode_clips):
    assert probe(decode_clips.av1).codec == "av1"
    _, _, auto = _all(decode_clips.av1)
    assert auto.decoder == "pyav" and "codec av1" in auto.decoder_note
    frames, _, forced = _all(decode_clips.av1, backend="decord")
    assert forced.decoder == "pyav" and "decord could not open it" in forced.decoder_note
    assert len(frames) == 8


def test_plain_clips_use_decord_without_a_note(clips):
    info = probe(clips.short)
    with open_video(clips.short) as reader:
        assert (reader.info.decoder, reader.info.decoder_note) == ("decord", None)
        assert reader.info.frame_count == info.frame_count == 30


def test_b_frames_in_matroska_with_a_late_start(decode_clips):
    """Presentation order differs from decode order and the clock starts at 0.5 s."""
    a, ta, info_a = _all(decode_clips.bframes, backend="decord")
    b, tb, info_b = _all(decode_clips.bframes, backend="pyav")
    assert (info_a.decoder, info_b.decoder) == ("decord", "pyav")
    np.testing.assert_allclose(ta, BFRAME_TIMES, atol=1e-4)
    np.testing.assert_allclose(tb, BFRAME_TIMES, atol=1e-4)
    assert info_a.start_time_s == info_b.start_time_s == pytest.approx(0.5)
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 2.0
    assert info_a.frame_count == info_b.frame_count == 40


def test_decord_index_is_distrusted_when_it_disagrees(clips):
    facts = probe_facts(clips.short)  # 30 frames at 25 fps from 0
    good = np.arange(30) / 25
    assert distrust(facts, good) is None
    assert "no frames" in distrust(facts, good[:0])
    assert "repeats timestamps" in distrust(facts, np.r_[good[:10], good[9:29]])
    assert "first decodable" in distrust(facts, good + 0.2)
    assert "container says 30" in distrust(facts, good[:20])
    assert "without timestamps" in distrust(facts, np.r_[np.nan, good[1:]])
    estimate = dataclasses.replace(facts, frame_count_exact=False)
    assert distrust(estimate, good[:20]) is None  # Matroska etc.: the header only estimates


def test_a_mid_stream_decord_failure_hands_over_to_pyav(clips, tmp_path):
    from vidclip.testing import synthetic

    path = synthetic.corrupt_middle(clips.montage, tmp_path / "bad.mp4", fraction=0.02)
    _, times, info = _all(path)
    assert info.decoder == "pyav" and "PyAV took over" in info.decoder_note
    assert np.all(np.diff(times) > 0)  # no frame twice across the hand-over


def test_bad_options_are_config_errors(clips):
    with pytest.raises(ConfigError):
        open_video(clips.short, backend="opencv")
    with pytest.raises(ConfigError):
        open_video(clips.short, short_side=0)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_many_readers_leak_no_files(clips, backend):
    before = _open_fds()
    for _ in range(30):
        with open_video(clips.short, backend=backend, chunk_size=8) as reader:
            for _batch in reader:
                break  # leave mid-stream: close() must still release the file
    assert _open_fds() <= before


def test_a_closed_reader_refuses_new_passes_and_ends_open_ones(clips):
    reader = open_video(clips.short, backend="pyav", chunk_size=4)
    chunks = iter(reader)
    next(chunks)
    reader.close()
    assert next(chunks, None) is None
    with pytest.raises(RuntimeError, match="closed"):
        iter(reader)
    reader.close()  # twice is fine
