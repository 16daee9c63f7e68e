"""An OpenAI-compatible ``/v1/audio/transcriptions`` endpoint (OpenAI, or a
self-hosted faster-whisper / whisper.cpp / vLLM server), through the ``openai``
package: one request per speech region (WAV bytes), verbose_json with word and
segment timestamps, times offset onto the video's timeline."""

from __future__ import annotations

import io
import os
import wave
from typing import Any

import numpy as np

from vidclip.speech.base import (
    Recognised,
    RecognisedSegment,
    RecognisedWord,
    Recognizer,
    Region,
)


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return buf.getvalue()


def _get(obj, key, default=None):
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


class OpenAIRecognizer(Recognizer):
    name = "openai"
    reentrant = True  # one HTTP request per call; the client is thread-safe

    def __init__(self, model: str | None, options=None) -> None:
        options = dict(options or {})
        self.model = model or "whisper-1"
        self.base_url = options.get("base_url") or os.environ.get("OPENAI_BASE_URL")
        key_env = str(options.get("api_key_env") or "OPENAI_API_KEY")
        self.api_key = os.environ.get(key_env) or "not-needed"
        self.timeout = float(options.get("timeout", 120) or 120)
        self._client: Any = None

    def load(self) -> None:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.base_url, api_key=self.api_key,
                                  timeout=self.timeout, max_retries=1)

    def transcribe(self, regions: list[Region], language: str | None) -> Recognised:
        self.load()
        segments: list[RecognisedSegment] = []
        lang = language
        for i, region in enumerate(regions):
            kwargs = {"language": language} if language else {}
            resp = self._client.audio.transcriptions.create(
                model=self.model, file=(f"region{i}.wav", wav_bytes(region.samples), "audio/wav"),
                response_format="verbose_json",
                timestamp_granularities=["word", "segment"], **kwargs)
            lang = lang or _get(resp, "language")
            segments += from_verbose(resp, region.start_s)
        return Recognised(segments, language=_iso(lang))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None


_NAMES = {"english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it",
          "dutch": "nl", "portuguese": "pt", "japanese": "ja", "chinese": "zh"}


def _iso(lang: str | None) -> str | None:
    if not lang:
        return None
    return _NAMES.get(lang.lower(), lang.lower()) if len(lang) > 3 else lang.lower()


def from_verbose(resp, offset: float) -> list[RecognisedSegment]:
    """verbose_json: segments [{start, end, text}], words [{word, start, end}] (top level)."""
    words = [RecognisedWord(round(offset + float(_get(w, "start")), 3),
                            round(offset + float(_get(w, "end")), 3),
                            str(_get(w, "word")).strip(), None)
             for w in (_get(resp, "words") or []) if str(_get(w, "word") or "").strip()]
    segs = _get(resp, "segments") or []
    if not segs:
        text = str(_get(resp, "text") or "").strip()
        if not text or not words:
            return []
        return [RecognisedSegment(words[0].start_s, words[-1].end_s, text, words)]
    out = []
    for seg in segs:
        s, e = offset + float(_get(seg, "start")), offset + float(_get(seg, "end"))
        mine = [w for w in words if s - 0.05 <= (w.start_s + w.end_s) / 2 <= e + 0.05]
        text = str(_get(seg, "text") or "").strip()
        if text:
            out.append(RecognisedSegment(round(s, 3), round(e, 3), text, mine))
    return out
