"""Run a producer in a background thread, feeding a bounded buffer.

Decoding (C code that releases the GIL) overlaps with the encoder this way;
the bound keeps memory flat however long the video is. Errors raised in the
producer re-raise in the consumer; ``close()`` stops the producer early.

The bound counts what ``size(item)`` says (1 per item by default), so a
caller can bound frames rather than batches of varying length. An item
larger than the whole bound still passes, alone.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class Prefetcher(Generic[T]):
    def __init__(self, produce: Callable[[], Iterator[T]], depth: int = 4, name: str = "decode",
                 size: Callable[[T], int] | None = None):
        self._produce = produce
        self._depth = max(1, depth)
        self._size = size or (lambda item: 1)
        self._items: deque = deque()
        self._held = 0
        self._cond = threading.Condition()
        self._stop = False
        self._idle = False  # the producer waits on a full buffer, or is done
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"vidclip-{name}", daemon=True)
        self._thread.start()

    def _put(self, item, n: int) -> bool:
        with self._cond:
            while not self._stop and self._held and self._held + n > self._depth:
                self._idle = True
                self._cond.wait()
            self._idle = item is _DONE
            if self._stop:
                return False
            self._items.append((item, n))
            self._held += n
            self._cond.notify_all()
            return True

    def _run(self) -> None:
        try:
            for item in self._produce():
                if not self._put(item, self._size(item)):
                    return
        except BaseException as exc:  # handed to the consumer, never lost
            self._error = exc
        finally:
            self._put(_DONE, 0)

    def __iter__(self) -> Iterator[T]:
        while True:
            with self._cond:
                while not self._items:
                    self._cond.wait()
                item, n = self._items.popleft()
                self._held -= n
                self._cond.notify_all()
            if item is _DONE:
                if self._error is not None:
                    raise self._error
                return
            yield item

    @property
    def queued(self) -> int:
        """What the buffer holds now, as counted by ``size``."""
        return self._held

    @property
    def producer_idle(self) -> bool:
        """True while the producer waits on a full buffer or has finished."""
        return self._idle or not self._thread.is_alive()

    def close(self) -> None:
        with self._cond:  # unblock a producer waiting on a full buffer
            self._stop = True
            self._items.clear()
            self._held = 0
            self._cond.notify_all()
        self._thread.join(timeout=10)

    def __enter__(self) -> "Prefetcher[T]":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
