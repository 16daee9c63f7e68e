"""Fewer torch threads for a while: a CPU model leaving cores to another stage.

With the model's threads on every core, torch's threads wait on each other at
every operation whenever another thread (the decoder, the text reader) holds
one of their cores (:mod:`vidclip.stream.batch_encoder` has the policy).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def leaving_cores(device: str, cores: int) -> Iterator[None]:
    """Inside the block, torch runs on ``cores`` fewer threads (at least one),
    when the model is on the CPU; elsewhere nothing changes."""
    if cores <= 0 or not device.startswith("cpu"):
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, before - cores))
    try:
        yield
    finally:
        torch.set_num_threads(before)
