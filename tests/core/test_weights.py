"""Loading real CLIP exactly as users will, and failing clearly offline."""

import numpy as np
import pytest

from vidclip.config import ModelOptions
from vidclip.encode.clip import ClipEncoder
from vidclip.errors import ModelError, WeightsMissingError


def test_missing_weights_offline_is_one_clear_sentence_without_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("tried to reach the network with HF_HUB_OFFLINE=1")

    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(WeightsMissingError) as info:
        ClipEncoder(ModelOptions(name="ViT-B-32")).load()
    message = info.value.message
    assert "ViT-B-32" in message and "datacomp_xl_s13b_b90k" in message
    assert "--pretrained" in message and "HF_HUB_OFFLINE" in message
    assert "\n" not in message


def test_missing_checkpoint_file(tmp_path):
    with pytest.raises(WeightsMissingError, match="does not exist"):
        ClipEncoder(ModelOptions(name="ViT-B-32", pretrained=str(tmp_path / "nope.safetensors"))).load()


def test_unknown_model_and_tag_are_config_errors():
    with pytest.raises(ModelError, match="unknown open_clip model"):
        ClipEncoder(ModelOptions(name="ViT-Q-99")).load()
    with pytest.raises(ModelError, match="known tags"):
        ClipEncoder(ModelOptions(name="ViT-B-32", pretrained="not-a-tag")).load()


def test_local_checkpoint_file_loads_like_a_user_checkpoint(tmp_path):
    """Save a real open_clip state dict and load it through --pretrained FILE."""
    import open_clip
    import torch

    model = open_clip.create_model("RN50", pretrained=None)
    path = tmp_path / "rn50.pt"
    torch.save(model.state_dict(), path)
    encoder = ClipEncoder(ModelOptions(name="RN50", pretrained=str(path), precision="fp32"))
    encoder.load()
    assert encoder.info.name == "RN50" and encoder.info.embedding_dim == 1024
    # Built without its random draw (vidclip.encode.skip_init), every weight
    # and buffer is the checkpoint's, and the model computes what it computed.
    loaded = encoder._model.state_dict()
    assert loaded.keys() == model.state_dict().keys()
    assert all(torch.equal(loaded[k], v) for k, v in model.state_dict().items())
    got = encoder.encode_texts(["a dog"])
    assert got.shape == (1, 1024)
    with torch.inference_mode():
        want = model.eval().encode_text(open_clip.get_tokenizer("RN50")(["a dog"]), normalize=True)
    np.testing.assert_allclose(got, want.numpy(), atol=1e-5)


def test_corrupt_checkpoint_is_a_model_error(tmp_path):
    path = tmp_path / "broken.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="could not load"):
        ClipEncoder(ModelOptions(name="ViT-B-32", pretrained=str(path))).load()


def test_no_network_without_offline_flag_fails_fast_with_the_same_sentence(monkeypatch):
    import socket

    def unreachable(*args, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(WeightsMissingError, match="cannot be reached"):
        ClipEncoder(ModelOptions(name="ViT-B-32")).load()
