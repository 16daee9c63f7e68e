"""The audio stream in chunks: resampled, offset, many channels, empty, absent, damaged."""

from __future__ import annotations

import numpy as np
import pytest

from tests.speech.conftest import run
from vidclip.speech.audio import RATE, AudioSource, NoAudio


def _all(src: AudioSource):
    return list(src.chunks())


def test_chunks_are_16k_mono_float_and_bounded(media):
    src = AudioSource(str(media / "mix.wav"), chunk_s=2.0)
    info = src.probe()
    assert info.sample_rate == 22050 and info.channels == 1
    chunks = _all(src)
    assert len(chunks) > 3
    assert all(c.dtype == np.float32 and c.ndim == 1 for _, c in chunks)
    assert max(c.size for _, c in chunks) <= 2 * RATE
    starts = [s for s, _ in chunks]
    assert starts == sorted(starts) and starts[1] == pytest.approx(2.0)
    assert src.decoded_s == pytest.approx(info.duration_s, abs=0.05)


def test_eight_channels_96k(media, tmp_path):
    out = tmp_path / "wide.wav"
    run("sox", "-n", "-r", "96000", "-c", "8", str(out), "synth", "1.5", "sine", "300")
    src = AudioSource(str(out))
    info = src.probe()
    assert (info.channels, info.sample_rate) == (8, 96000)
    total = sum(c.size for _, c in _all(src))
    assert total == pytest.approx(1.5 * RATE, abs=200)


def test_audio_start_offset_is_on_the_video_timeline(media, tmp_path):
    out = tmp_path / "late.mp4"
    run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=4",
        "-itsoffset", "1.5", "-i", str(media / "said.wav"), "-map", "0:v", "-map", "1:a",
        "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(out))
    src = AudioSource(str(out))
    assert src.probe().start_time_s == pytest.approx(1.5, abs=0.1)
    assert _all(src)[0][0] == pytest.approx(1.5, abs=0.1)


def test_zero_length_audio(tmp_path):
    out = tmp_path / "empty.wav"
    run("sox", "-n", "-r", "16000", "-c", "1", str(out), "trim", "0", "0")
    src = AudioSource(str(out))
    src.probe()
    assert _all(src) == [] and src.decoded_s == 0


def test_no_audio_is_a_reason(media, tmp_path):
    out = tmp_path / "mute.mp4"
    run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1",
        "-c:v", "mpeg4", str(out))
    with pytest.raises(NoAudio, match="no audio"):
        AudioSource(str(out)).probe()
    with pytest.raises(NoAudio, match="track 3"):
        AudioSource(str(media / "said.wav"), track=3).probe()


def test_truncated_file_keeps_what_was_decoded(media, tmp_path):
    whole = tmp_path / "said.mp3"
    run("ffmpeg", "-v", "error", "-i", str(media / "mix.wav"), "-c:a", "libmp3lame", str(whole))
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 2] + b"\x00\xff" * 500)
    src = AudioSource(str(cut))
    src.probe()
    got = sum(c.size for _, c in _all(src)) / RATE
    assert 3.0 < got  # the first half is kept
