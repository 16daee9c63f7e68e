"""Recognisers by name; optional ones are imported when asked for, so a missing
extra is a clear message instead of an ImportError at startup."""

from __future__ import annotations

from collections.abc import Callable

from vidclip.config import SpeechOptions
from vidclip.speech.base import Recognizer


def _pocketsphinx(o: SpeechOptions) -> Recognizer:
    from vidclip.speech.pocketsphinx_backend import PocketsphinxRecognizer

    return PocketsphinxRecognizer(o.options)


def _whisper(o: SpeechOptions) -> Recognizer:
    from vidclip.speech.whisper_backend import WhisperRecognizer

    return WhisperRecognizer(o.model, o.language, o.device, o.options)


def _openai(o: SpeechOptions) -> Recognizer:
    from vidclip.speech.openai_backend import OpenAIRecognizer

    return OpenAIRecognizer(o.model, o.options)


RECOGNIZERS: dict[str, Callable[[SpeechOptions], Recognizer]] = {
    "whisper": _whisper, "openai": _openai, "pocketsphinx": _pocketsphinx}


def get_recognizer(options: SpeechOptions) -> Recognizer:
    name = options.backend
    if name not in RECOGNIZERS:
        raise ValueError(f"unknown speech backend {name!r}; known: auto, off, "
                         f"{', '.join(RECOGNIZERS)}")
    return RECOGNIZERS[name](options)
