"""Looking at frames in time order and reading only those that changed.

A *look* is one frame at the reader's size with its time and number. The
:class:`Looker` compares each look with the last frame it read
(:func:`vidclip.ocr.change.changed`): an unchanged look reuses that frame's
lines, a changed one is read again, the reader recognising only its new lines
(:meth:`TextReader.read_again`). What comes out is one :class:`Look` per
frame looked at, in order, for :func:`settle` and the tracker.

:class:`Watcher` runs a Looker in a thread of its own, fed by the decoder
of the main pass (:class:`vidclip.stream.FrameProducer`): the text is read
while the other frames are decoded and embedded, from the same decoding, and
a bounded queue makes the decoder wait when the reader falls behind.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vidclip.decode.types import FrameBatch
from vidclip.ocr import change
from vidclip.ocr.base import Line, TextReader
from vidclip.ocr.sampling import SETTLE_S
from vidclip.segment import SceneSpan, scenes_holding

#: Looks waiting for the reader (a 720p look is 2.7 MB): enough to ride out one
#: slow read while the decoder goes on, few enough to keep memory flat.
QUEUE_LOOKS = 8
_END = object()


@dataclass(frozen=True)
class Look:
    """What one looked-at frame showed."""

    time_s: float
    index: int
    lines: list[Line]


@dataclass(frozen=True)
class _Read:
    """The last frame read: what the next look is compared with."""

    thumbnail: np.ndarray
    frame: np.ndarray
    lines: list[Line]


class Looker:
    """Looks at frames in time order; reads a frame only when it changed."""

    def __init__(self, reader: TextReader) -> None:
        self.reader = reader
        self.looks: list[Look] = []
        #: Frames the reader ran on.
        self.reads = 0
        self._last: _Read | None = None

    def look(self, frame: np.ndarray, time_s: float, index: int, fresh: bool = False) -> None:
        """One frame; ``fresh`` reads it whole, as after a cut the caller knows of."""
        small = change.thumbnail(frame)
        last = self._last
        if last is not None and not fresh and not change.changed(last.thumbnail, small):
            self.looks.append(Look(time_s, index, last.lines))
            return
        with _lock_for(self.reader):
            if last is None or fresh:
                lines = self.reader.read([frame])[0]
            else:
                lines = self.reader.read_again(frame, last.frame, last.lines)
        # A copy: the frame may be a view into the decoder's whole batch.
        self._last = _Read(small, frame.copy(), lines)
        self.reads += 1
        self.looks.append(Look(time_s, index, lines))


class Watcher:
    """A :class:`Looker` in its own thread, fed batches of looks from the decoder's.

    :meth:`observe` (the decoder thread) queues a batch's frames and waits
    while the queue is full; :meth:`finish` waits for the reader to catch up
    and returns the looks, raising what the reader raised. :meth:`abort`
    (the video failed or was cancelled) drops what is queued.
    """

    def __init__(self, reader: TextReader, depth: int = QUEUE_LOOKS) -> None:
        self._looker = Looker(reader)
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._error: BaseException | None = None
        self._dropping = False
        self._ended = False
        self._looking = False
        self._thread = threading.Thread(target=self._run, name="vidclip-text", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """Looking at a frame, or frames waiting: a CPU model should leave it a core."""
        return self._looking or not self._queue.empty()

    def observe(self, batch: FrameBatch) -> None:
        for i in range(len(batch)):
            if self._error is not None or self._dropping:
                return  # nothing more is read; finish() says why
            self._put((batch.frames[i], float(batch.times_s[i]), int(batch.indices[i])))

    def _put(self, item) -> None:
        while True:
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    return

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if self._error is not None or self._dropping:
                continue  # drained, so a decoder waiting to put is never stuck
            self._looking = True
            try:
                self._looker.look(*item)
            except BaseException as exc:  # surfaced by finish(), in the video's own thread
                self._error = exc
            finally:
                self._looking = False

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._put(_END)
        self._thread.join()

    def finish(self) -> tuple[list[Look], int]:
        """Every look read, and how many frames the reader ran on."""
        self._end()
        if self._error is not None:
            raise self._error
        return self._looker.looks, self._looker.reads

    def abort(self) -> None:
        self._dropping = True
        self._end()


def settled(time_s: float, scene: SceneSpan) -> bool:
    """Whether a look at ``time_s`` is past the scene's cut and any short dissolve
    or fade into it (``SETTLE_S``, or half of a scene shorter than twice that)."""
    wait = min(SETTLE_S, (scene.end_s - scene.start_s) / 2)
    return time_s >= scene.start_s + wait - 1e-6


def settle(looks: Sequence[Look], scenes: Sequence[SceneSpan]) -> list[tuple[float, list[Line]]]:
    """``(time_s, lines)`` per look for the tracker, in order.

    A scene's first settled look (:func:`settled`) is moved to the scene's
    start: text on a card appears with the cut, and goes with the next one,
    not at whichever moment a look happened to fall after it. Looks still
    inside the cut's transition are left out when the scene has a settled one
    (a fade-in's black first frame would end an item, or delay it).
    """
    where = scenes_holding(list(scenes), [look.index for look in looks]).tolist()
    has_settled = {at for look, at in zip(looks, where)
                   if at >= 0 and settled(look.time_s, scenes[at])}
    out: list[tuple[float, list[Line]]] = []
    first_done: set[int] = set()
    for look, at in zip(looks, where):
        time_s = look.time_s
        if at >= 0:
            if at in has_settled and not settled(time_s, scenes[at]):
                continue
            if at not in first_done:
                time_s = scenes[at].start_s
                first_done.add(at)
        out.append((time_s, look.lines))
    return out


_LOCKS: "weakref.WeakKeyDictionary[TextReader, threading.Lock]" = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _lock_for(reader: TextReader):
    """One video at a time per reader unless it says it takes several
    (``TextReader.reentrant``): a CPU model's threads are the machine's cores."""
    if reader.reentrant:
        return contextlib.nullcontext()
    with _LOCKS_GUARD:
        lock = _LOCKS.get(reader)
        if lock is None:
            lock = _LOCKS[reader] = threading.Lock()
        return lock
