"""Voice activity: speech regions only where speech is; tones are a sound, silence nothing."""

from __future__ import annotations

import numpy as np

from vidclip.speech.audio import AudioSource
from vidclip.speech.vad import RATE, StreamingVAD, detect


def test_speech_found_and_tone_is_music_not_speech(media):
    src = AudioSource(str(media / "mix.wav"), chunk_s=5.0)
    regions, act = detect(src.chunks())
    said = AudioSource(str(media / "said.wav")).probe().duration_s
    assert regions, "the espeak sentence is speech"
    assert all(2.5 <= r.start_s and r.end_s <= 3.0 + said + 0.5 for r in regions)
    assert 0.5 * said < act.speech_s < said + 1.0
    assert [label for _, _, label in act.sounds] == ["music"]
    start, end, _ = act.sounds[0]
    assert start >= 3.0 + said - 0.3 and end <= 3.0 + said + 4.3


def test_silence_and_tone_give_no_speech(media):
    for name in ("silence.wav", "tone.wav"):
        regions, act = detect(AudioSource(str(media / name)).chunks())
        assert regions == [] and act.speech_s == 0
    _, act = detect(AudioSource(str(media / "silence.wav")).chunks())
    assert act.sounds == []


def test_streaming_keeps_memory_bounded():
    vad = StreamingVAD()
    quiet = np.zeros(30 * RATE, np.float32)
    for i in range(6):  # three minutes of silence
        assert vad.feed(i * 30.0, quiet) == []
        assert vad._buf.size <= 2 * 30 * RATE
    assert vad.finish() == []
