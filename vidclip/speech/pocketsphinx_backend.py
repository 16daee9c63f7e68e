"""The offline recogniser: pocketsphinx 5 with the US-English model its wheel ships.

Runs per speech region; word times from the decoder's segmentation, confidence
from the word posterior where the lattice gives one (else None). Fillers and
noise tokens (<s>, </s>, <sil>, [NOISE], ...) are dropped and alternate
pronunciations ("word(2)") folded to the word.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from vidclip.speech.base import (
    Recognised,
    RecognisedSegment,
    RecognisedWord,
    Recognizer,
    Region,
)

FRAME_S = 0.01  # pocketsphinx's default frame rate: 100 frames/s
_VARIANT = re.compile(r"\(\d+\)$")


def _is_filler(word: str) -> bool:
    return word.startswith(("<", "[", "+")) or not word.strip()


class PocketsphinxRecognizer(Recognizer):
    name = "pocketsphinx"
    model = "en-us (bundled with pocketsphinx)"

    def __init__(self, options=None) -> None:
        self.options = dict(options or {})
        self._decoder: Any = None

    def load(self) -> None:
        if self._decoder is None:
            from pocketsphinx import Config, Decoder

            config = Config(loglevel="FATAL", bestpath=True)
            self._decoder = Decoder(config)

    def transcribe(self, regions: list[Region], language: str | None) -> Recognised:
        if language and not language.lower().startswith("en"):
            raise ValueError(f"pocketsphinx's bundled model is US English; {language!r} asked for")
        self.load()
        segments = [seg for r in regions if (seg := self._region(r)) is not None]
        return Recognised(segments, language="en")

    def _region(self, region: Region) -> RecognisedSegment | None:
        decoder = self._decoder
        pcm = (np.clip(region.samples, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return None
        logmath = decoder.get_logmath()
        words = []
        for seg in decoder.seg():
            token = _VARIANT.sub("", seg.word)
            if _is_filler(token):
                continue
            try:
                confidence = float(min(1.0, max(0.0, logmath.exp(seg.prob))))
            except Exception:
                confidence = None
            words.append(RecognisedWord(
                start_s=round(region.start_s + seg.start_frame * FRAME_S, 3),
                end_s=round(region.start_s + (seg.end_frame + 1) * FRAME_S, 3),
                text=token, confidence=confidence))
        if not words:
            return None
        return RecognisedSegment(words[0].start_s, words[-1].end_s,
                                 " ".join(w.text for w in words), words)

    def close(self) -> None:
        self._decoder = None
