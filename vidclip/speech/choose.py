"""``speech.backend`` -> a recogniser: ``auto`` is faster-whisper when its weights
are on this machine, else the offline pocketsphinx, and says which and why."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from vidclip.config import SpeechOptions
from vidclip.speech.base import Recognizer
from vidclip.speech.registry import get_recognizer


@dataclass(frozen=True)
class RecognizerChoice:
    recognizer: Recognizer | None
    backend: str
    fallback_reason: str | None = None


def choose_recognizer(options: SpeechOptions) -> RecognizerChoice:
    if options.backend == "off":
        return RecognizerChoice(None, "off")
    if options.backend != "auto":
        recognizer = get_recognizer(options)
        recognizer.load()  # a named backend that cannot load is a clear error
        return RecognizerChoice(recognizer, options.backend)
    reason = None
    try:
        from vidclip.speech.whisper_backend import default_model, weights_present

        model = options.model or default_model(options.language)
        if weights_present(model):
            recognizer = get_recognizer(options.model_copy(update={"backend": "whisper"}))
            recognizer.load()
            return RecognizerChoice(recognizer, "whisper")
        reason = f"no faster-whisper weights for {model!r} on this machine"
    except Exception as exc:
        reason = f"faster-whisper could not load: {type(exc).__name__}: {exc}"
    try:
        recognizer = get_recognizer(options.model_copy(update={"backend": "pocketsphinx"}))
        recognizer.load()
    except Exception as exc:  # auto degrades to no transcript, and says why
        why = f"{reason}; pocketsphinx could not load: {type(exc).__name__}: {exc}"
        print(f"vidclip: speech not transcribed ({why})", file=sys.stderr)
        return RecognizerChoice(None, "none", why)
    print(f"vidclip: speech: pocketsphinx (offline; {reason})", file=sys.stderr)
    return RecognizerChoice(recognizer, "pocketsphinx", reason)
