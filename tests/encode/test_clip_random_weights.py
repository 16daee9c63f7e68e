"""Random weights are the same in every process and leave the caller's RNG alone."""

from __future__ import annotations

import numpy as np
import torch

from vidclip.config import ModelOptions
from vidclip.encode.clip import ClipEncoder


def test_random_weights_are_repeatable_and_the_global_rng_is_untouched():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    first = ClipEncoder(ModelOptions(name="tiny-test"))
    first.load()
    assert torch.equal(torch.rand(3), expected)  # loading did not reseed the caller
    second = ClipEncoder(ModelOptions(name="tiny-test"))
    texts = ["a dog", "a cat"]
    np.testing.assert_array_equal(first.encode_texts(texts), second.encode_texts(texts))


def test_an_empty_pretrained_setting_means_random_weights():
    assert ModelOptions(pretrained="").pretrained is None


def test_cpu_precision_bf16_only_where_native_fp16_never():
    from vidclip.encode.clip import _cpu_has_bf16

    frames = np.random.default_rng(0).integers(0, 256, (4, 64, 64, 3), dtype=np.uint8)
    fp32 = ClipEncoder(ModelOptions(name="tiny-test", device="cpu", precision="fp32"))
    bf16 = ClipEncoder(ModelOptions(name="tiny-test", device="cpu", precision="bf16"))
    fp16 = ClipEncoder(ModelOptions(name="tiny-test", device="cpu", precision="fp16"))
    assert fp16.info.precision == "fp32"  # emulated on CPUs: slower and less accurate
    assert bf16.info.precision == ("bf16" if _cpu_has_bf16() else "fp32")
    a, b = fp32.encode_images(frames), bf16.encode_images(frames)
    assert b.dtype == np.float32
    assert float((a * b).sum(axis=1).min()) > 0.99  # same directions, bf16 rounding aside


def test_auto_precision_is_bf16_only_on_cpus_that_run_it_natively(monkeypatch):
    from vidclip.encode import clip

    monkeypatch.setattr(clip, "_cpu_has_bf16", lambda: True)
    assert clip._pick_dtype("auto", "cpu") == ("bf16", torch.bfloat16)
    assert clip._pick_dtype("fp32", "cpu") == ("fp32", torch.float32)
    assert clip._pick_dtype("auto", "cuda:0") == ("fp16", torch.float16)
    monkeypatch.setattr(clip, "_cpu_has_bf16", lambda: False)
    assert clip._pick_dtype("auto", "cpu") == ("fp32", torch.float32)
    assert clip._pick_dtype("bf16", "cpu") == ("fp32", torch.float32)


def test_cpu_bf16_runs_text_in_bf16_under_its_own_cache_key(monkeypatch):
    from vidclip.encode import clip

    monkeypatch.setattr(clip, "_cpu_has_bf16", lambda: True)  # emulated if not: still correct
    frames = np.random.default_rng(1).integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    bf16 = ClipEncoder(ModelOptions(name="tiny-test", device="cpu", precision="bf16"))
    fp32 = ClipEncoder(ModelOptions(name="tiny-test", device="cpu", precision="fp32"))
    assert bf16.info.precision == "bf16" and bf16.text_precision == "bf16"
    assert fp32.text_precision == "fp32"
    assert {p.dtype for p in bf16._model.visual.parameters()} == {torch.bfloat16}
    assert {p.dtype for p in fp32._model.parameters()} == {torch.float32}
    # The text side stays fp32 until there is text to embed (none when the
    # text cache is filled): its trimmed tower is checked in fp32, then cast.
    assert bf16._model.token_embedding.weight.dtype == torch.float32
    bf16.encode_texts(["a dog"])
    assert {p.dtype for p in bf16._model.parameters()} == {torch.bfloat16}
    # bf16 label embeddings are cached apart: the fp32 cache stays what every
    # machine computes, and the two never mix
    assert bf16.cache_key == fp32.cache_key + ":text-bf16"
    texts = ["a dog", "a red car", "a photo of a cat sleeping on a sofa."]
    a, b = fp32.encode_texts(texts), bf16.encode_texts(texts)
    assert b.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)  # normalised in fp32
    assert float((a * b).sum(axis=1).min()) > 0.999
    emb = bf16.encode_images(frames)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
