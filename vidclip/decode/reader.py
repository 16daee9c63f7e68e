"""``open_video``: one reader over decord or PyAV, chosen per file.

Rules for ``backend="auto"``: decord first (fast, resizes in FFmpeg); PyAV
when decord's bundled FFmpeg is not trusted with the codec or bit depth,
when decord cannot open the file, when its frames come out at the wrong
size, and -- from the failing frame on -- when it fails part-way. The
backend used and the reason for a fallback are in ``info.decoder`` and
``info.decoder_note``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from vidclip.decode import decord_backend, pyav_backend
from vidclip.decode.probe import StreamFacts, output_size, probe_facts, to_info
from vidclip.decode.sampling import Sampler
from vidclip.decode.types import FrameBatch, SamplingSpec
from vidclip.errors import ConfigError, DecodeError
from vidclip.schema import VideoInfo

log = logging.getLogger(__name__)
Backend = Literal["auto", "decord", "pyav"]


def _plain(exc: Exception) -> str:
    """decord's messages carry timestamps and C++ source paths; keep the words."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"\[\d{2}:\d{2}:\d{2}\] \S+:\d+: ", "", text)
    return text[:160]


class VideoReader:
    """Iterate to get :class:`FrameBatch` chunks; use as a context manager."""

    def __init__(self, facts: StreamFacts, sampling: SamplingSpec, short_side: int,
                 chunk_size: int, backend: Backend, full_rate: bool):
        if backend not in ("auto", "decord", "pyav"):
            raise ConfigError(f"unknown decoder {backend!r}: choose auto, decord or pyav.")
        self.facts = facts
        self.sampling = sampling
        self.size = output_size(facts, short_side)
        self.chunk_size = max(1, chunk_size)
        self.full_rate = full_rate
        self._decord = None
        self._notes: list[str] = []
        self._stats: dict = {}
        self.decoder = "pyav"
        if backend == "auto" and sampling.strategy == "keyframes" and not full_rate:
            self._notes.append("key frames only: PyAV skips the frames in between")
        elif backend in ("auto", "decord"):
            reason = decord_backend.unsuitable(facts) if backend == "auto" else None
            if reason:
                self._notes.append(reason)
            else:
                self._open_decord()
        self.info = self._info()

    def _open_decord(self) -> None:
        try:
            self._decord = decord_backend.DecordSource(self.facts, self.size)
            self.decoder = "decord"
        except Exception as exc:  # decord raises its own error types, or plain RuntimeError
            self._notes.append(f"decord could not open it ({_plain(exc)})")

    def _info(self) -> VideoInfo:
        info = to_info(self.facts, self.decoder, "; ".join(self._notes) or None)
        if self._decord is not None:
            times = self._decord.times_s
            updates = {"frame_count": len(times)}
            if len(times) > 2:
                gaps = times[1:] - times[:-1]
                updates["variable_frame_rate"] = bool(
                    self.facts.variable_frame_rate or gaps.std() > 0.1 * max(gaps.mean(), 1e-9)
                )
            info = info.model_copy(update=updates)
        return info

    def _sampler(self) -> Sampler:
        return Sampler(self.sampling, self.facts.start_time_s, self.facts.duration_s,
                       self.info.frame_count)

    def __iter__(self) -> Iterator[FrameBatch]:
        if self._decord is not None:
            progress = {"next": 0}
            sampler = self._sampler()
            try:
                yield from decord_backend.iter_decord(self._decord, sampler, self.chunk_size,
                                                      self.full_rate, progress)
                return
            except Exception as exc:  # fall back to PyAV from the failing frame on
                if isinstance(exc, GeneratorExit):
                    raise
                log.warning("decord failed at frame %d of %s: %s; continuing with PyAV",
                            progress["next"], self.facts.path, exc)
                self._notes.append(f"decord failed at frame {progress['next']} ({_plain(exc)}); "
                                   f"PyAV took over")
                self.decoder = "pyav"
                self.info = self._info()
                skip = progress["next"]
        else:
            skip = 0
        yield from pyav_backend.iter_pyav(self.facts, self._sampler(), self.size,
                                          self.chunk_size, self.full_rate, skip, self._stats)
        corrupt = self._stats.get("corrupt_packets", 0)
        if corrupt:
            self._notes.append(f"{corrupt} corrupt packet(s) skipped")
        decoded = self._stats.get("frames", 0)
        if decoded == 0:
            raise DecodeError(f"{self.facts.path}: no frame could be decoded.")
        updates = {"frame_count": decoded} if self.full_rate else {}
        if self.facts.frame_count_exact and decoded < 0.98 * self.facts.frame_count:
            # A cut-off file: its header promises more than the data holds.
            why = "damaged data" if corrupt else "the file ends early (truncated?)"
            self._notes.append(f"{decoded} of {self.facts.frame_count} frames decoded: {why}")
            last = self._stats.get("last_time")
            if last is not None:
                step = 1.0 / self.facts.avg_fps if self.facts.avg_fps else 0.0
                updates["duration_s"] = round(last + step - self.facts.start_time_s, 6)
        self.info = self._info().model_copy(update=updates)

    def close(self) -> None:
        if self._decord is not None:
            self._decord.close()
            self._decord = None

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_video(
    source: str | Path,
    *,
    sampling: SamplingSpec | None = None,
    short_side: int = 224,
    chunk_size: int = 32,
    backend: Backend = "auto",
    full_rate: bool = True,
) -> VideoReader:
    """Probe ``source`` and open a reader; raises a clear InputError for bad input."""
    facts = probe_facts(source)
    return VideoReader(facts, sampling or SamplingSpec(), short_side, chunk_size, backend,
                       full_rate)
