"""Concurrent image calls of several jobs meet in shared model calls, each caller
getting its own rows back."""

import threading
import time

import numpy as np

from vidclip.encode.coalesce import CoalescingEncoder


def _frames(seed: int, n: int, size=(64, 96)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (n, *size, 3), dtype=np.uint8)


def _call_all(encoder, inputs):
    out = [None] * len(inputs)

    def call(i):
        out[i] = encoder.encode_images(inputs[i])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    return threads, out


def test_waiting_calls_share_one_model_call_and_get_their_own_rows(tiny_encoder):
    shared = CoalescingEncoder(tiny_encoder)
    inputs = [_frames(i, 3 + i) for i in range(3)] + [_frames(9, 2, size=(64, 64))]
    with shared._lock:
        shared._leading = True  # a call of another job is at the model
    threads, out = _call_all(shared, inputs)
    deadline = time.monotonic() + 10
    while len(shared._waiting) < len(inputs) and time.monotonic() < deadline:
        time.sleep(0.01)
    with shared._lock:
        shared._leading = False  # it is done: the waiting calls go in together
    for t in threads:
        t.join(10)
    # Three of one frame size in one call; the square frames in a call of their own.
    assert (shared.calls, shared.merged) == (2, 1)
    for frames, rows in zip(inputs, out):
        assert np.allclose(rows, tiny_encoder.encode_images(frames), atol=1e-5)


def test_a_model_error_fails_only_the_calls_it_held(tiny_encoder):
    shared = CoalescingEncoder(tiny_encoder)
    bad = np.zeros((2, 64, 96, 4), np.uint8)  # four channels: the model refuses them
    try:
        shared.encode_images(bad)
    except Exception:
        pass
    else:
        raise AssertionError("a malformed call should fail")
    good = _frames(1, 4)
    assert np.allclose(shared.encode_images(good), tiny_encoder.encode_images(good), atol=1e-5)
