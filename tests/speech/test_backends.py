"""The openai backend against a local server speaking the real verbose_json wire
format; the whisper adapter with faster-whisper's own types; the auto choice."""

from __future__ import annotations

import threading
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import ClassVar

import numpy as np
import pytest

from tests.stub_http import reply_json
from vidclip.config import SpeechOptions
from vidclip.speech.base import Region
from vidclip.speech.choose import choose_recognizer


class _Transcriptions(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict]] = []

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        assert self.path == "/v1/audio/transcriptions"
        assert b'name="response_format"' in body and b"verbose_json" in body
        assert b'name="timestamp_granularities[]"' in body
        wav = body[body.index(b"RIFF"):]
        with wave.open(BytesIO(wav)) as w:
            seconds = w.getnframes() / w.getframerate()
        type(self).seen.append({"seconds": seconds})
        reply = {
            "task": "transcribe", "language": "english", "duration": seconds,
            "text": "the harbour master opened the gate",
            "segments": [{"id": 0, "seek": 0, "start": 0.1, "end": 1.9, "temperature": 0.0,
                          "text": " the harbour master opened the gate", "tokens": [1, 2],
                          "avg_logprob": -0.2, "compression_ratio": 1.0,
                          "no_speech_prob": 0.01}],
            "words": [{"word": w, "start": 0.1 + 0.3 * i, "end": 0.35 + 0.3 * i}
                      for i, w in enumerate("the harbour master opened the gate".split())],
        }
        reply_json(self, reply)


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Transcriptions)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_openai_round_trip_offsets_words(server):
    pytest.importorskip("openai")
    from vidclip.speech.openai_backend import OpenAIRecognizer

    rec = OpenAIRecognizer(None, {"base_url": server})
    regions = [Region(10.0, np.zeros(32000, np.float32)), Region(40.0, np.zeros(16000,
                                                                                 np.float32))]
    out = rec.transcribe(regions, None)
    rec.close()
    assert out.language == "en"
    assert [s["seconds"] for s in _Transcriptions.seen[-2:]] == [2.0, 1.0]
    first, second = out.segments
    assert first.start_s == pytest.approx(10.1) and second.start_s == pytest.approx(40.1)
    assert [w.text for w in first.words] == "the harbour master opened the gate".split()
    assert first.words[1].start_s == pytest.approx(10.4)


def test_whisper_adapter_maps_faster_whisper_types():
    from faster_whisper.transcribe import Segment, Word

    from vidclip.speech.whisper_backend import to_segment

    seg = Segment(id=0, seek=0, start=0.0, end=1.2, text=" Open the gate.", tokens=[1],
                  avg_logprob=-0.1, compression_ratio=1.0, no_speech_prob=0.0,
                  temperature=0.0, words=[Word(0.1, 0.4, " Open", 0.9),
                                          Word(0.4, 0.6, " the", 0.8),
                                          Word(0.6, 1.1, " gate.", 0.95)])
    out = to_segment(seg, 5.0)
    assert out.text == "Open the gate."
    assert [(w.text, w.start_s) for w in out.words] == [("Open", 5.1), ("the", 5.4),
                                                        ("gate.", 5.6)]
    assert (out.start_s, out.end_s) == (5.1, 6.1) and out.words[2].confidence == 0.95


def test_whisper_text_outside_its_audio_or_written_twice_is_dropped():
    """A region padded to whisper's 30 s window: text in the padding is not the audio's;
    a later window starting inside an earlier one's text would write it twice."""
    from vidclip.speech.base import RecognisedSegment, RecognisedWord
    from vidclip.speech.whisper_backend import clip

    def seg(*words):
        ws = [RecognisedWord(a, b, t, 0.9) for a, b, t in words]
        return RecognisedSegment(ws[0].start_s, ws[-1].end_s, " ".join(w.text for w in ws), ws)

    inside = seg((1.0, 1.4, "open"), (1.4, 2.0, "gate"))
    assert clip(inside, 0.0, 4.0) == inside
    runs_past = clip(seg((3.0, 3.5, "the"), (3.6, 4.4, "ships"), (4.5, 5.0, "came")), 0.0, 4.0)
    assert runs_past.text == "the ships" and (runs_past.start_s, runs_past.end_s) == (3.0, 4.0)
    assert clip(seg((12.0, 12.5, "padding")), 0.0, 4.0) is None
    assert clip(seg((1.2, 1.8, "again")), 2.0, 4.0) is None  # before the segment kept last
    no_words = RecognisedSegment(1.5, 3.0, "unaligned", [])
    assert (clip(no_words, 2.0, 4.0).start_s, clip(no_words, 2.0, 2.5).end_s) == (2.0, 2.5)
    assert clip(RecognisedSegment(5.0, 6.0, "late", []), 0.0, 4.0) is None


def test_auto_without_whisper_weights_is_pocketsphinx_and_says_why(capsys, tmp_path):
    choice = choose_recognizer(SpeechOptions(model=str(tmp_path / "no-such-model")))
    assert choice.backend == "pocketsphinx"
    assert "no faster-whisper weights" in choice.fallback_reason
    assert "pocketsphinx" in capsys.readouterr().err
    assert choose_recognizer(SpeechOptions(backend="off")).recognizer is None


def test_a_named_backend_that_cannot_load_is_an_error(tmp_path):
    with pytest.raises((RuntimeError, OSError, ValueError)):
        choose_recognizer(SpeechOptions(backend="whisper", model=str(tmp_path / "none")))
    with pytest.raises(ValueError, match="unknown speech backend"):
        choose_recognizer(SpeechOptions(backend="nope"))
