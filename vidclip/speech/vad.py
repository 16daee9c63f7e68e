"""Speech regions (silero VAD v6 as shipped in faster-whisper, onnxruntime) and
non-speech sounds where the audio has evidence of them.

Streamed: the VAD runs per chunk (30 s) with a little overlap carried from the
previous chunk, and regions that touch are merged. Alongside, the RMS per
100 ms frame gives a noise floor; a stretch of at least 2 s that the VAD calls
non-speech and whose energy is well above the floor becomes a sound: ``music``
when its spectrum is steady and tonal, else ``sound``. Silence gives nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from vidclip.speech.base import Region

RATE = 16000
OVERLAP_S = 1.0
FRAME = 1600  # 100 ms energy frames
MIN_SOUND_S = 2.0
#: Max seconds per region handed to a recogniser (long speech is split at quiet points).
MAX_REGION_S = 30.0


@dataclass
class Activity:
    sounds: list[tuple[float, float, str]] = field(default_factory=list)
    speech_s: float = 0.0
    audio_s: float = 0.0


def _vad(samples: np.ndarray) -> list[tuple[int, int]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(min_silence_duration_ms=500, speech_pad_ms=200,
                      min_speech_duration_ms=250, max_speech_duration_s=MAX_REGION_S)
    return [(d["start"], d["end"]) for d in get_speech_timestamps(samples, opts)]


def _frame_features(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMS and spectral flatness per 100 ms frame (flatness low = tonal)."""
    n = samples.size // FRAME
    if n == 0:
        return np.zeros(0), np.zeros(0)
    frames = samples[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    spec = np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) + 1e-10
    flat = np.exp(np.mean(np.log(spec), axis=1)) / np.mean(spec, axis=1)
    return rms, flat


class StreamingVAD:
    """Feed chunks in order; get speech regions as soon as they are complete.

    Only the samples since the oldest open region (or the overlap) are kept, so a
    two-hour file is bounded by the longest region plus one chunk.
    """

    def __init__(self) -> None:
        self.activity = Activity()
        self._spans: list[list[float]] = []
        self._done = 0  # spans already emitted
        self._buf = np.zeros(0, np.float32)
        self._buf_start = 0.0
        self._tail = np.zeros(0, np.float32)
        self._tail_start = 0.0
        self._rms: list[np.ndarray] = []
        self._flat: list[np.ndarray] = []
        self._t0: float | None = None

    def feed(self, start_s: float, samples: np.ndarray) -> list[Region]:
        if self._t0 is None:
            self._t0 = self._buf_start = start_s
        self.activity.audio_s += samples.size / RATE
        r, f = _frame_features(samples)
        self._rms.append(r)
        self._flat.append(f)
        window = np.concatenate([self._tail, samples])
        w_start = self._tail_start if self._tail.size else start_s
        for a, b in _vad(window):
            s, e = w_start + a / RATE, w_start + b / RATE
            if len(self._spans) > self._done and s <= self._spans[-1][1] + 0.05:
                self._spans[-1][1] = max(self._spans[-1][1], e)
            elif self._spans and s <= self._spans[-1][1]:
                continue  # already emitted: the overlap saw it again
            else:
                self._spans.append([s, e])
        keep = int(OVERLAP_S * RATE)
        self._tail = samples[-keep:] if samples.size > keep else samples
        self._tail_start = start_s + (samples.size - self._tail.size) / RATE
        self._buf = np.concatenate([self._buf, samples])
        chunk_end = start_s + samples.size / RATE
        return self._emit(chunk_end - OVERLAP_S - 0.1)

    def finish(self) -> list[Region]:
        regions = self._emit(float("inf"))
        act = self.activity
        act.speech_s = round(sum(e - s for s, e in self._spans), 3)
        if self._t0 is not None:
            rms = np.concatenate(self._rms)
            flat = np.concatenate(self._flat)
            act.sounds = _sounds(rms, flat, self._spans, self._t0)
        return regions

    def _emit(self, before: float) -> list[Region]:
        out = []
        while self._done < len(self._spans) and self._spans[self._done][1] < before:
            s, e = self._spans[self._done]
            a = max(0, int(round((s - self._buf_start) * RATE)))
            b = min(self._buf.size, int(round((e - self._buf_start) * RATE)))
            if b > a:
                out.append(Region(s, self._buf[a:b].copy()))
            self._done += 1
        keep_from = (self._spans[self._done][0] if self._done < len(self._spans)
                     else before)
        keep_from = min(keep_from, self._tail_start)
        drop = int((keep_from - self._buf_start) * RATE)
        if drop > 0:
            self._buf = self._buf[drop:]
            self._buf_start += drop / RATE
        return out


def detect(chunks: Iterable[tuple[float, np.ndarray]]) -> tuple[list[Region], Activity]:
    """All regions at once (tests, short files); :class:`StreamingVAD` for long ones."""
    vad = StreamingVAD()
    regions: list[Region] = []
    for start_s, samples in chunks:
        regions += vad.feed(start_s, samples)
    regions += vad.finish()
    return regions, vad.activity


def _sounds(rms: np.ndarray, flat: np.ndarray, spans: list[list[float]],
            t0: float) -> list[tuple[float, float, str]]:
    if rms.size == 0:
        return []
    floor = max(float(np.percentile(rms, 10)), 1e-4)
    loud = rms > max(floor * 8.0, 0.01)  # ~18 dB above the floor, and audible at all
    times = t0 + np.arange(rms.size) * FRAME / RATE
    for s, e in spans:  # nothing where speech is
        loud[(times + FRAME / RATE > s) & (times < e)] = False
    out: list[tuple[float, float, str]] = []
    i = 0
    while i < loud.size:
        if not loud[i]:
            i += 1
            continue
        j = i
        while j < loud.size and loud[j]:
            j += 1
        start, end = float(times[i]), float(times[j - 1] + FRAME / RATE)
        if end - start >= MIN_SOUND_S:
            steady = float(np.std(np.log(rms[i:j] + 1e-9)))
            tonal = float(np.median(flat[i:j])) < 0.1
            label = "music" if tonal and steady < 1.0 else "sound"
            out.append((round(start, 3), round(end, 3), label))
        i = j
    return out
