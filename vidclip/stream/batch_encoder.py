"""The encoder side of a stream: sampled frames into encoder calls.

On a GPU (or any device that is not the decoder's CPU) frames go in full
``batch_size`` calls. A model on the CPU is the slow stage and shares the
cores with the decoder thread: while the decoder still runs, the model
leaves it one core (``Encoder.sharing_cpu``) and works in small calls, so
the cores are shared out again often -- a long call on fewer threads would
run on after the decoder had finished; once the decoder is idle (waiting on
a full buffer, or done) the model takes every core in full batches. Threads
of both on every core waited on each other at every operation. For the same
reason a CPU model encodes whatever has arrived when nothing more is queued,
rather than wait for a full batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from vidclip.decode.types import FrameBatch
from vidclip.encode.base import Encoder
from vidclip.stream.frames import EncodedFrames
from vidclip.stream.stats import EncodeStats

#: Frames per call while the decoder runs beside a CPU model: short enough
#: for the cores to change hands often, long enough to keep per-call overhead small.
SHARED_CALL_FRAMES = 4


class BatchEncoder:
    """Collects sampled frames (:meth:`add`) and embeds them (:meth:`flush`).

    ``shares_cpu`` says the model runs on the CPU beside a decoder thread;
    ``decoder_busy()`` says whether that thread is decoding right now.
    """

    def __init__(self, encoder: Encoder, *, shares_cpu: bool = False,
                 decoder_busy: Callable[[], bool] = lambda: False):
        self.encoder = encoder
        self.shares_cpu = shares_cpu
        self.decoder_busy = decoder_busy
        self.stats = EncodeStats()
        self._pending: list[FrameBatch] = []

    @property
    def pending(self) -> int:
        """Frames waiting to be encoded."""
        return sum(len(b) for b in self._pending)

    def add(self, batch: FrameBatch) -> None:
        self._pending.append(batch)

    def should_flush(self, queued: int) -> bool:
        """A full batch is waiting; or, for a CPU model, nothing more is queued."""
        pending = self.pending
        return pending >= self.encoder.batch_size or (self.shares_cpu and pending > 0
                                                      and queued == 0)

    def flush(self) -> EncodedFrames:
        """Embed every pending frame, in frame order."""
        batches, self._pending = self._pending, []
        if not batches:
            return EncodedFrames.concat([], 0)
        frames = np.concatenate([b.frames for b in batches])
        started = time.perf_counter()
        parts = []
        start = 0
        while start < len(frames):
            sharing = self.shares_cpu and self.decoder_busy()
            step = min(self.encoder.batch_size, SHARED_CALL_FRAMES) if sharing \
                else self.encoder.batch_size
            with self.encoder.sharing_cpu(1 if sharing else 0):
                parts.append(self.encoder.encode_images(frames[start : start + step]))
            self.stats.calls += 1
            start += step
        self.stats.seconds += time.perf_counter() - started
        self.stats.frames += len(frames)
        return EncodedFrames(np.concatenate(parts),
                             np.concatenate([b.times_s for b in batches]).astype(np.float64),
                             np.concatenate([b.indices for b in batches]).astype(np.int64))
