"""The offline recogniser: pocketsphinx 5 with the US-English model its wheel ships.

Decoders run in child processes (:mod:`vidclip.speech.sphinx_process` says
why); regions are spread over them and their words come back in time order.
``speech.options.processes`` sets how many (default 1: beside the visual stages
one keeps up, and each holds its own language model). Word times come from the
decoder's segmentation, confidence from the word posterior where the lattice
gives one (else None).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from vidclip.speech.base import (
    Recognised,
    RecognisedSegment,
    RecognisedWord,
    Recognizer,
    Region,
)
from vidclip.speech.sphinx_process import FRAME_S, DecoderDied, DecoderProcess, Word

#: The decoder's settings: its defaults (two search passes) plus a best-path
#: lattice search, which gives the word posteriors used as confidence, and at
#: most 3,000 active HMMs a frame (default 30,000): on benchmarks/speech.py's
#: voices that cuts the decoding time by a third to a half at the same word
#: error rate.
DECODER_CONFIG: dict[str, Any] = {"bestpath": True, "maxhmmpf": 3000}


class PocketsphinxRecognizer(Recognizer):
    name = "pocketsphinx"
    model = "en-us (bundled with pocketsphinx)"
    reentrant = True  # regions from any thread queue for the next free decoder

    def __init__(self, options=None) -> None:
        self.options = dict(options or {})
        processes = self.options.get("processes", 1)
        if not isinstance(processes, int) or isinstance(processes, bool) or processes < 1:
            raise ValueError(f"speech option processes must be a whole number >= 1, "
                             f"not {processes!r}")
        self.processes = processes
        self._free: queue.Queue[DecoderProcess] = queue.Queue()
        self._started: list[DecoderProcess] = []
        self._lock = threading.Lock()

    def load(self) -> None:
        """Start every decoder now, so a model that cannot load fails here (where
        ``auto`` decides), not in the middle of a video."""
        with self._lock:
            while len(self._started) < self.processes:
                decoder = DecoderProcess(DECODER_CONFIG)
                self._started.append(decoder)
                self._free.put(decoder)

    def transcribe(self, regions: list[Region], language: str | None) -> Recognised:
        if language and not language.lower().startswith("en"):
            raise ValueError(f"pocketsphinx's bundled model is US English; {language!r} asked for")
        self.load()
        if self.processes == 1 or len(regions) < 2:
            heard = [self._decode(r) for r in regions]
        else:
            # Threads only wait on pipes here; the decoding runs in the children.
            with ThreadPoolExecutor(self.processes, thread_name_prefix="vidclip-sphinx") as pool:
                heard = list(pool.map(self._decode, regions))
        segments = [seg for region, words in zip(regions, heard)
                    if (seg := _segment(region, words)) is not None]
        return Recognised(segments, language="en")

    def _decode(self, region: Region) -> list[Word]:
        pcm = (np.clip(region.samples, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
        decoder = self._next_free()
        try:
            return decoder.decode(pcm)
        except DecoderDied:
            with self._lock:  # the next load() starts a fresh one in its place
                self._started.remove(decoder)
            decoder.close()
            raise
        finally:
            if decoder.alive:
                self._free.put(decoder)

    def _next_free(self) -> DecoderProcess:
        """A free decoder; if every one has died, say so rather than wait for ever."""
        while True:
            try:
                return self._free.get(timeout=1.0)
            except queue.Empty:
                with self._lock:
                    if not self._started:
                        raise DecoderDied("no pocketsphinx decoder process is left") from None

    def close(self) -> None:
        with self._lock:
            started, self._started = self._started, []
            self._free = queue.Queue()
        for decoder in started:
            decoder.close()


def _segment(region: Region, heard: list[Word]) -> RecognisedSegment | None:
    if not heard:
        return None
    words = [RecognisedWord(start_s=round(region.start_s + start * FRAME_S, 3),
                            end_s=round(region.start_s + (end + 1) * FRAME_S, 3),
                            text=token, confidence=confidence)
             for token, start, end, confidence in heard]
    return RecognisedSegment(words[0].start_s, words[-1].end_s,
                             " ".join(w.text for w in words), words)
