"""faster-whisper (CTranslate2): int8 on CPU, float16 on CUDA, word timestamps,
language detection; run over the VAD's regions only (one call per region)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vidclip.speech.base import (
    Recognised,
    RecognisedSegment,
    RecognisedWord,
    Recognizer,
    Region,
)


def default_model(language: str | None) -> str:
    return "small.en" if (language or "").lower().startswith("en") else "small"


def weights_present(model: str) -> bool:
    """A CTranslate2 model directory, or the model already in the Hugging Face cache."""
    if Path(model).is_dir():
        return (Path(model) / "model.bin").is_file()
    try:
        from faster_whisper.utils import download_model

        download_model(model, local_files_only=True)
        return True
    except Exception:
        return False


def _device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:
        return "cpu"


class WhisperRecognizer(Recognizer):
    name = "whisper"

    def __init__(self, model: str | None, language: str | None = None, device: str = "auto",
                 options=None) -> None:
        self.options = dict(options or {})
        self.model = model or default_model(language)
        self.device = _device(device)
        self._model: Any = None

    def load(self) -> None:
        if self._model is None:
            from faster_whisper import WhisperModel

            compute = self.options.get("compute_type") or (
                "float16" if self.device == "cuda" else "int8")
            self._model = WhisperModel(
                self.model, device=self.device, compute_type=str(compute),
                cpu_threads=int(self.options.get("threads", 0) or 0),
                local_files_only=bool(os.environ.get("HF_HUB_OFFLINE")) or Path(
                    str(self.model)).is_dir())

    def transcribe(self, regions: list[Region], language: str | None) -> Recognised:
        self.load()
        segments: list[RecognisedSegment] = []
        lang, prob = language, None
        extra = {}
        if self.options.get("temperature") is not None:
            # One temperature: no fallback to sampling, so the same audio gives the same words.
            extra["temperature"] = float(self.options["temperature"])
        for region in regions:
            found, info = self._model.transcribe(
                region.samples, language=lang, word_timestamps=True, vad_filter=False,
                beam_size=int(self.options.get("beam_size", 5) or 5),
                condition_on_previous_text=False, **extra)
            if lang is None:  # detected on the first region, kept for the others
                lang, prob = info.language, float(info.language_probability)
            done_s = region.start_s  # where the last segment kept ends
            for found_seg in found:
                seg = to_segment(found_seg, region.start_s)
                kept = clip(seg, done_s, region.end_s) if seg is not None else None
                if kept is not None:
                    segments.append(kept)
                    done_s = kept.end_s
        return Recognised(segments, language=lang, language_probability=prob)

    def close(self) -> None:
        self._model = None


def to_segment(seg, offset: float) -> RecognisedSegment | None:
    """faster_whisper.transcribe.Segment (with .words) -> ours, offset onto the timeline."""
    words = [RecognisedWord(round(float(offset + w.start), 3),
                            round(float(offset + max(w.end, w.start)), 3),
                            w.word.strip(), round(float(w.probability), 4))
             for w in (seg.words or []) if w.word.strip()]
    text = seg.text.strip()
    if not text:
        return None
    start = words[0].start_s if words else round(float(offset + seg.start), 3)
    end = words[-1].end_s if words else round(float(offset + seg.end), 3)
    return RecognisedSegment(start, end, text, words)


def clip(seg: RecognisedSegment, start_s: float, end_s: float) -> RecognisedSegment | None:
    """``seg`` inside ``[start_s, end_s)``; None when nothing of it is.

    Whisper pads a short region to its 30 s window and may write text into the
    padding (a model hallucinating past the end does; a random one always
    does), and a later window may start inside what an earlier one already
    transcribed. So what starts after the audio, or before the end of the
    segment before it, is dropped (words written twice would be invented
    ones), and a word running past the audio is cut at its end.
    """
    words = [RecognisedWord(w.start_s, min(w.end_s, end_s), w.text, w.confidence)
             for w in seg.words if start_s <= w.start_s < end_s]
    text = seg.text if len(words) == len(seg.words) else " ".join(w.text for w in words)
    start, end = max(seg.start_s, start_s), min(seg.end_s, end_s)
    if words:
        start, end = words[0].start_s, words[-1].end_s
    if not text or start >= end_s or end < start:
        return None
    return RecognisedSegment(start, end, text, words)
