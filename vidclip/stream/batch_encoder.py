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

Frames may come from several videos at once (:mod:`vidclip.stages.encode_many`):
each added batch carries an ``owner``, and :meth:`BatchEncoder.flush_parts`
hands every owner back its own rows, in the order they were added.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

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
        self._pending: list[tuple[Hashable, FrameBatch]] = []

    @property
    def pending(self) -> int:
        """Frames waiting to be encoded."""
        return sum(len(b) for _, b in self._pending)

    def add(self, batch: FrameBatch, owner: Hashable = None) -> None:
        self._pending.append((owner, batch))

    def owners(self) -> list[Hashable]:
        """Whose frames are waiting, each once, in the order they came."""
        return list(dict.fromkeys(o for o, _ in self._pending))

    def discard(self, owner: Hashable) -> int:
        """Drop the frames of ``owner`` still waiting (its video failed); returns how many."""
        dropped = sum(len(b) for o, b in self._pending if o == owner)
        self._pending = [(o, b) for o, b in self._pending if o != owner]
        return dropped

    def should_flush(self, queued: int) -> bool:
        """A full batch is waiting; or, for a CPU model, nothing more is queued."""
        pending = self.pending
        return pending >= self.encoder.batch_size or (self.shares_cpu and pending > 0
                                                      and queued == 0)

    def flush(self) -> EncodedFrames:
        """Embed every pending frame, in frame order (one owner)."""
        parts = [frames for _, frames in self.flush_parts()]
        return EncodedFrames.concat(parts, parts[0].embeddings.shape[1] if parts else 0)

    def flush_parts(self) -> list[tuple[Hashable, EncodedFrames]]:
        """Embed every pending frame; each added batch comes back with its owner.

        Frames of one size share calls; videos of another aspect ratio (the
        decoder keeps it, the encoder crops) are embedded in calls of their own.
        """
        owned, self._pending = self._pending, []
        sizes: dict[tuple[int, ...], list[int]] = {}
        for i, (_, batch) in enumerate(owned):
            sizes.setdefault(batch.frames.shape[1:], []).append(i)
        embedded: list[np.ndarray | None] = [None] * len(owned)
        for members in sizes.values():
            rows = self._embed(_concat([owned[i][1].frames for i in members]))
            start = 0
            for i in members:
                embedded[i] = rows[start : start + len(owned[i][1])]
                start += len(owned[i][1])
        return [(owner, EncodedFrames(rows, np.asarray(batch.times_s, np.float64),
                                      np.asarray(batch.indices, np.int64)))
                for (owner, batch), rows in zip(owned, embedded) if rows is not None]

    def _embed(self, frames) -> np.ndarray:
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
        return np.concatenate(parts)


def _concat(frames: list):
    """numpy frames, or torch tensors where the decoder left them on the GPU."""
    if all(isinstance(f, np.ndarray) for f in frames):
        return np.concatenate(frames)
    import torch

    device = next(f.device for f in frames if isinstance(f, torch.Tensor))
    return torch.cat([torch.as_tensor(f).to(device) for f in frames])
