"""Prompts at their real length give open_clip's own text embeddings, where allowed.

vidclip.encode.clip_text runs each batch of prompts only up to its longest
prompt's end token. These tests prove that equals open_clip's padded
``encode_text`` for the towers it is enabled for (the tiny test CLIP,
ViT-B-32's real architecture, open_clip's CustomTextCLIP with a causal
tower), that it is refused where padding changes the result (bidirectional
towers, last-token pooling, CoCa), and that a tower disagreeing with
open_clip on its self-check stands down.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vidclip.config import ModelOptions
from vidclip.encode import clip_text
from vidclip.encode.clip import ClipEncoder
from vidclip.vocabulary import load_vocabulary

open_clip = pytest.importorskip("open_clip")

_VISION = {"image_size": 32, "layers": 1, "width": 32, "patch_size": 16, "head_width": 16}
_TEXT = {"context_length": 32, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2}


def _vocabulary_prompts(n: int, seed: int = 0) -> list[str]:
    """``n`` prompts of the default vocabulary, every length represented, plus one truncated."""
    vocab = load_vocabulary()
    flat = [p for label in vocab.labels for p in vocab.prompts(label)]
    picked = np.random.default_rng(seed).choice(len(flat), n - 1, replace=False)
    return [flat[i] for i in picked] + [" ".join(["much too long a prompt"] * 30)]


def _padded(encoder: ClipEncoder, texts: list[str]) -> np.ndarray:
    with torch.inference_mode():
        tokens = encoder._tokenizer(texts)
        return clip_text.encode_padded(encoder._model, tokens).numpy()


def _max_cos_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(1.0 - (a.astype(np.float64) * b).sum(axis=1)).max())


def test_tiny_model_trimmed_equals_padded():
    encoder = ClipEncoder(ModelOptions(name="tiny-test", device="cpu", precision="fp32"))
    texts = _vocabulary_prompts(400)
    trimmed = encoder.encode_texts(texts)
    assert encoder._text_tower is not None  # the trimmed path is the one under test
    padded = _padded(encoder, texts)
    assert _max_cos_diff(trimmed, padded) < 1e-6
    np.testing.assert_allclose(trimmed, padded, atol=1e-6)


@pytest.mark.slow
def test_vit_b_32_trimmed_equals_padded():
    # Random weights: the architecture (12 layers, width 512, 77 positions) is
    # what decides whether trimming is exact, not the trained values.
    encoder = ClipEncoder(ModelOptions(name="ViT-B-32", pretrained=None, device="cpu",
                                       precision="fp32"))
    texts = _vocabulary_prompts(120, seed=1)
    trimmed = encoder.encode_texts(texts)
    assert encoder._text_tower is not None
    padded = _padded(encoder, texts)
    assert _max_cos_diff(trimmed, padded) < 1e-6
    np.testing.assert_allclose(trimmed, padded, atol=1e-5)


def _tiny(cls, **text):
    torch.manual_seed(0)
    return cls(16, _VISION, {**_TEXT, **text}).eval()


def _tokens(texts=("a photo.", "a photo of a dog.", "a photo of a red car on a road at night.")):
    return open_clip.SimpleTokenizer(context_length=_TEXT["context_length"])(list(texts))


@pytest.mark.parametrize("make", [
    pytest.param(lambda: _tiny(open_clip.CLIP, pool_type="eos", eos_id=49407), id="clip-eos-pool"),
    pytest.param(lambda: _tiny(open_clip.CustomTextCLIP), id="custom-text-causal"),
])
def test_other_causal_towers_trim_exactly(make):
    model = make()
    tower = clip_text.TrimmedTextTower.build(model, open_clip.SimpleTokenizer(context_length=32))
    assert tower is not None
    tokens = _tokens()
    with torch.inference_mode():
        np.testing.assert_allclose(tower.encode(tokens).numpy(),
                                   model.encode_text(tokens, normalize=True).numpy(), atol=1e-6)


@pytest.mark.parametrize("make, why", [
    pytest.param(lambda: _tiny(open_clip.CustomTextCLIP, no_causal_mask=True, pool_type="last"),
                 "pools its 'last' token", id="siglip-like"),
    pytest.param(lambda: _tiny(open_clip.CustomTextCLIP, no_causal_mask=True),
                 "not causal", id="mobileclip-like-bidirectional"),
    pytest.param(lambda: _tiny(open_clip.CLIP, no_causal_mask=True, pool_type="last"),
                 "pools its 'last' token", id="clipa-like"),
])
def test_towers_that_see_the_padding_stay_padded(make, why):
    model = make()
    parts, reason = clip_text._parts(model)
    assert parts is None and why in reason
    tokenizer = open_clip.SimpleTokenizer(context_length=32)
    assert clip_text.TrimmedTextTower.build(model, tokenizer) is None


def test_trimming_a_bidirectional_tower_would_change_its_embeddings():
    """Why the guard exists: without a causal mask, the padding is part of every result."""
    model = _tiny(open_clip.CustomTextCLIP, no_causal_mask=True)
    text = model.text
    n = text.positional_embedding.shape[0]
    text.attn_mask = torch.zeros(n, n)  # what trimming would assume: "nothing looks ahead"
    forced = clip_text._Parts(text, text.pool_type, text.eos_id)
    tokens = _tokens()
    with torch.inference_mode():
        got = clip_text.TrimmedTextTower(forced).encode(tokens).numpy()
        text.attn_mask = None
        want = model.encode_text(tokens, normalize=True).numpy()
    assert _max_cos_diff(got, want) > 1e-3


def test_coca_is_never_trimmed():
    torch.manual_seed(0)
    coca = open_clip.CoCa(16, {"width": 32, "heads": 2, "layers": 1, "context_length": 32,
                               "vocab_size": 49408}, {**_TEXT, "embed_cls": True}, _VISION)
    parts, reason = clip_text._parts(coca)
    assert parts is None and "CoCa" in reason


def test_a_tower_that_disagrees_with_open_clip_stands_down(monkeypatch, caplog):
    model = _tiny(open_clip.CLIP)
    real = clip_text.TrimmedTextTower._forward
    monkeypatch.setattr(clip_text.TrimmedTextTower, "_forward",
                        lambda self, tokens, ends: real(self, tokens, ends) * 0.9
                        + 0.1 * torch.ones(1))
    tokenizer = open_clip.SimpleTokenizer(context_length=32)
    assert clip_text.TrimmedTextTower.build(model, tokenizer) is None
    assert "run padded" in caplog.text


def test_empty_text_list(tiny_encoder):
    assert tiny_encoder.encode_texts([]).shape == (0, tiny_encoder.info.embedding_dim)
