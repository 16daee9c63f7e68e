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
