"""A model built for a checkpoint skips its random draw, in the building thread only."""

from __future__ import annotations

import threading

import torch
from torch import nn

from vidclip.encode.skip_init import weights_from_checkpoint


def test_constructors_draw_nothing_inside_the_block():
    torch.manual_seed(0)
    before = torch.get_rng_state()
    with weights_from_checkpoint():
        nn.Linear(64, 64)
        nn.MultiheadAttention(32, 4)
    assert torch.equal(torch.get_rng_state(), before)  # no random number was drawn
    nn.Linear(64, 64)
    assert not torch.equal(torch.get_rng_state(), before)  # outside it, as always


def test_another_thread_still_initialises_while_one_builds_for_a_checkpoint():
    inside, built = threading.Event(), threading.Event()
    norms: list[nn.LayerNorm] = []

    def other_thread():
        inside.wait(5)
        norms.append(nn.LayerNorm(16))  # LayerNorm starts at weight 1, bias 0
        built.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    with weights_from_checkpoint():
        inside.set()
        assert built.wait(5)
    worker.join()
    assert torch.equal(norms[0].weight, torch.ones(16))
    assert torch.equal(norms[0].bias, torch.zeros(16))


def test_blocks_nest_and_initialisers_work_again_after():
    with weights_from_checkpoint(), weights_from_checkpoint():
        pass
    norm = nn.LayerNorm(8)
    assert torch.equal(norm.weight, torch.ones(8))
    t = torch.empty(4)
    assert torch.nn.init.constant_(t, 3.0) is t and torch.equal(t, torch.full((4,), 3.0))
