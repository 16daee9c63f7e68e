"""One model for several jobs at once: concurrent image calls merged into shared batches.

A service worker that takes N jobs at once (a thread each:
``VIDCLIP_WORKER_SHARED_BATCH=N``) wraps its one encoder in a
:class:`CoalescingEncoder`. Every job runs its own pipeline -- its own
decoder thread, cut detector and stages, its own lease and late
acknowledgement -- and only the model calls meet here: a call that arrives
while another is being embedded waits, then the waiting calls go to the
model together, up to ``batch_size`` frames, so several short videos fill
one GPU batch. Each caller gets its own rows back, the same as alone (to
float rounding); a model error fails the calls it was embedding and no
others. Frames of another size than the batch's (aspect ratios differ) go
in a call of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import numpy as np

from vidclip.encode.base import Encoder
from vidclip.schema import ModelInfo


@dataclass(eq=False)
class _Call:
    frames: np.ndarray
    rows: np.ndarray | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class CoalescingEncoder(Encoder):
    """Wraps ``inner``; thread-safe; :attr:`calls` and :attr:`merged` count the
    model calls made and how many of them held frames of several callers."""

    def __init__(self, inner: Encoder):
        self.inner = inner
        self.input_size = inner.input_size
        self.logit_scale = inner.logit_scale
        self.score_margin = inner.score_margin
        self.batch_size = inner.batch_size
        self.scene_agreement = inner.scene_agreement
        self.fallback_reason = inner.fallback_reason
        self._lock = threading.Lock()
        self._waiting: list[_Call] = []
        self._leading = False
        self.calls = 0
        self.merged = 0

    # -- delegated -----------------------------------------------------------------
    def load(self) -> None:
        self.inner.load()

    @property
    def info(self) -> ModelInfo:
        return self.inner.info

    def describe(self) -> ModelInfo:
        return self.inner.describe()

    @property
    def cache_key(self) -> str:
        return self.inner.cache_key

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_texts(texts)

    def label_mask(self, frame_emb: np.ndarray, labels: Sequence[str],
                   label_emb: np.ndarray) -> np.ndarray | None:
        return self.inner.label_mask(frame_emb, labels, label_emb)

    def close(self) -> None:
        self.inner.close()

    def sharing_cpu(self, cores: int) -> AbstractContextManager:
        return self.inner.sharing_cpu(cores)

    # -- merged --------------------------------------------------------------------
    def encode_images(self, frames: np.ndarray) -> np.ndarray:
        if len(frames) == 0:
            return self.inner.encode_images(frames)
        call = _Call(frames)
        with self._lock:
            self._waiting.append(call)
        while not call.done.is_set():
            with self._lock:
                lead = not self._leading
                if lead:
                    self._leading = True
            if not lead:  # another caller is at the model: ours goes in its next round
                call.done.wait(0.005)
                continue
            try:
                while not call.done.is_set():
                    self._round()
            finally:
                with self._lock:
                    self._leading = False
        if call.error is not None:
            raise call.error
        if call.rows is None:
            raise RuntimeError("an image call ended without rows")  # a bug in _round
        return call.rows

    def _round(self) -> None:
        """Embed the calls waiting now: the first's frame size, up to a batch."""
        with self._lock:
            if not self._waiting:
                return
            shape = self._waiting[0].frames.shape[1:]
            taken: list[_Call] = []
            frames = 0
            for call in self._waiting:
                if call.frames.shape[1:] == shape and (not taken
                                                       or frames + len(call.frames)
                                                       <= self.batch_size):
                    taken.append(call)
                    frames += len(call.frames)
            self._waiting = [c for c in self._waiting if c not in taken]
        self.calls += 1
        self.merged += len(taken) > 1
        try:
            rows = self.inner.encode_images(np.concatenate([c.frames for c in taken]))
        except Exception as exc:  # the callers of this call fail; the others go on
            for call in taken:
                call.error = exc
                call.done.set()
            return
        start = 0
        for call in taken:
            call.rows = rows[start : start + len(call.frames)]
            start += len(call.frames)
            call.done.set()
