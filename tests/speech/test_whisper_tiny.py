"""faster-whisper round trip through vidclip's whisper backend with a tiny
CTranslate2 model built here (tests/speech/tiny_whisper.py): no download, no
weights. The words are garbage; the code path is real: the model directory
is found and loaded, ``auto`` picks it, regions go in, segments and words
come out on the video's timeline, inside the audio and in time order."""

from __future__ import annotations

import numpy as np
import pytest

from vidclip.config import SpeechOptions
from vidclip.speech.base import RecognisedSegment, RecognisedWord, Region
from vidclip.speech.choose import choose_recognizer

pytestmark = pytest.mark.slow

#: Greedy and one temperature: the same audio gives the same (garbage) words.
STEADY = {"beam_size": 1, "temperature": 0}


@pytest.fixture(scope="session")
def tiny_whisper(tmp_path_factory):
    for name in ("faster_whisper", "ctranslate2", "transformers", "tokenizers"):
        pytest.importorskip(name)
    from tests.speech.tiny_whisper import build_tiny_whisper

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")  # everything is local; never reach for a hub
        return build_tiny_whisper(tmp_path_factory.mktemp("tiny-whisper"))


def _options(model, **kw) -> SpeechOptions:
    return SpeechOptions(backend="whisper", model=str(model), device="cpu", language="en",
                         options=STEADY, **kw)


def _in_order(segments, start_s: float, end_s: float) -> None:
    """Times inside [start_s, end_s], each segment after the one before, words too."""
    done = start_s
    for seg in segments:
        assert done <= seg.start_s <= seg.end_s <= end_s, (done, seg)
        for word in seg.words:
            assert seg.start_s <= word.start_s <= word.end_s <= seg.end_s, (seg, word)
        starts = [w.start_s for w in seg.words]
        assert starts == sorted(starts)
        done = seg.end_s


def test_auto_picks_a_local_whisper_model_directory(tiny_whisper):
    from vidclip.speech.whisper_backend import weights_present

    assert weights_present(str(tiny_whisper))
    choice = choose_recognizer(SpeechOptions(model=str(tiny_whisper), device="cpu"))
    assert (choice.backend, choice.fallback_reason) == ("whisper", None)
    assert choice.recognizer.model == str(tiny_whisper)
    assert choice.recognizer.device == "cpu" and choice.recognizer.name == "whisper"


def test_a_region_comes_back_as_segments_and_words_on_the_timeline(media, tiny_whisper):
    """33 s of speech at 10 s on the timeline: two 30 s windows, the first all audio,
    so whatever the model writes there lies inside it."""
    from vidclip.speech.audio import AudioSource

    said = np.concatenate([s for _, s in AudioSource(str(media / "said.wav")).chunks()])
    samples = np.tile(said, int(np.ceil(33 * 16000 / said.size)))
    region = Region(10.0, samples)
    recognizer = choose_recognizer(_options(tiny_whisper)).recognizer
    out = recognizer.transcribe([region], "en")
    assert out.language == "en"
    assert out.segments, "the tiny model wrote nothing in a window full of audio"
    assert all(isinstance(s, RecognisedSegment) and s.text for s in out.segments)
    words = [w for s in out.segments for w in s.words]
    assert all(isinstance(w, RecognisedWord) and w.text for w in words)
    assert all(type(t) is float for w in words for t in (w.start_s, w.end_s))
    assert all(w.confidence is not None and 0 <= w.confidence <= 1 for w in words)
    _in_order(out.segments, region.start_s, region.end_s)
    again = recognizer.transcribe([region], "en")
    assert [(s.start_s, s.end_s, s.text) for s in again.segments] == \
        [(s.start_s, s.end_s, s.text) for s in out.segments]


def test_a_file_is_transcribed_through_voice_activity_and_whisper(media, tiny_whisper):
    """The whole path a job takes: the file's audio, its speech regions, the model;
    a 4 s region is padded to a 30 s window, and nothing written in the padding
    (after the audio) comes back."""
    from vidclip.speech.transcribe import transcribe_file

    options = _options(tiny_whisper)
    choice = choose_recognizer(options)
    transcript = transcribe_file(str(media / "mix.wav"), options, choice.recognizer,
                                 choice.backend, choice.fallback_reason)
    assert (transcript.backend, transcript.model) == ("whisper", str(tiny_whisper))
    assert transcript.language == "en" and transcript.fallback_reason is None
    assert transcript.speech_s > 0 and transcript.note is None
    _in_order(transcript.segments, 0.0, transcript.audio.duration_s)
