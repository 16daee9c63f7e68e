"""A CPU encoder leaves cores to the decoder while both run, and gives them back."""

import numpy as np
import torch


def test_sharing_the_cpu_lowers_threads_and_restores_them(tiny_encoder):
    before = torch.get_num_threads()
    frames = np.random.default_rng(0).integers(0, 256, (3, 64, 80, 3), dtype=np.uint8)
    alone = tiny_encoder.encode_images(frames)
    with tiny_encoder.sharing_cpu(1):
        assert torch.get_num_threads() == max(1, before - 1)
        shared = tiny_encoder.encode_images(frames)
    assert torch.get_num_threads() == before
    np.testing.assert_allclose(shared, alone, atol=1e-5)
    with tiny_encoder.sharing_cpu(0):
        assert torch.get_num_threads() == before
