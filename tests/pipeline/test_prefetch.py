"""The background producer: bounded by what its items weigh, errors reach the consumer."""

import threading
import time

import pytest

from vidclip.prefetch import Prefetcher


def _wait_for(condition, timeout=5.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.005)


def test_the_bound_counts_item_sizes_and_an_oversized_item_passes_alone():
    made = []

    def produce():
        for n in (3, 3, 3, 10, 1):
            made.append(n)
            yield [0] * n

    with Prefetcher(produce, depth=7, size=len) as items:
        _wait_for(lambda: items.producer_idle)
        assert made == [3, 3, 3] and items.queued == 6  # the third waits: 9 > 7
        got = [len(x) for x in items]
    assert got == [3, 3, 3, 10, 1]
    assert items.producer_idle


def test_errors_in_the_producer_reach_the_consumer():
    def produce():
        yield 1
        raise RuntimeError("decoder broke")

    with Prefetcher(produce) as items, pytest.raises(RuntimeError, match="decoder broke"):
        list(items)


def test_close_stops_a_blocked_producer():
    stopped = threading.Event()

    def produce():
        try:
            while True:
                yield 1
        finally:
            stopped.set()

    items = Prefetcher(produce, depth=2)
    _wait_for(lambda: items.producer_idle)
    items.close()
    assert stopped.wait(5) and not items._thread.is_alive()
