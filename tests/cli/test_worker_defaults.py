"""`vidclip worker` picks shared encoder batches by itself where they are the
fast path and safe: a GPU worker's one process; never a CPU worker's."""

from __future__ import annotations

import pytest

from vidclip._cli.service import GPU_SHARED_BATCH, _with_shared_batch_default
from vidclip.config import ModelOptions
from vidclip.jobs.settings import Settings


def settings(**values) -> Settings:
    return Settings(database_url="sqlite://", **values)


@pytest.mark.parametrize("device, queues, expected", [
    ("cuda:0", "analyze,caption", GPU_SHARED_BATCH),
    ("cuda", "analyze", GPU_SHARED_BATCH),
    ("cpu", "analyze,caption", 0),
    ("cuda:0", "caption", 0),  # no model work to share
    ("cuda:0", "index,query", 0),
])
def test_unset_shares_batches_only_on_a_gpu_analyze_worker(device, queues, expected):
    resolved = _with_shared_batch_default(settings(model=ModelOptions(device=device)), queues)
    assert resolved.worker_shared_batch == expected
    assert resolved.shares_batches is (expected > 1)


def test_auto_device_asks_torch(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert _with_shared_batch_default(settings(), "analyze").worker_shared_batch == 0
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert _with_shared_batch_default(settings(), "analyze").worker_shared_batch == 4


@pytest.mark.parametrize("chosen", [0, 1, 3])
def test_a_chosen_value_is_kept(chosen):
    s = settings(model=ModelOptions(device="cuda:0"), worker_shared_batch=chosen)
    assert _with_shared_batch_default(s, "analyze").worker_shared_batch == chosen
