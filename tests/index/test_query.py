"""Queries: a text query's score is a tag's score; bad queries are refused clearly."""

from __future__ import annotations

import numpy as np
import pytest

from vidclip.calibration import Calibration
from vidclip.errors import QueryError
from vidclip.index.query import QueryEmbedder, check_text, parse_like, parse_time, read_image
from vidclip.vocabulary import embed_vocabulary, load_vocabulary, neutral_anchor


@pytest.fixture(scope="module")
def embedder(tiny_encoder):
    return QueryEmbedder(tiny_encoder, None)


def test_a_text_query_scores_a_moment_exactly_as_the_tag_would(embedder, tiny_encoder):
    query = embedder.text("dog")
    vocabulary = load_vocabulary(labels=["dog"])
    label = embed_vocabulary(tiny_encoder, vocabulary, None, bar=False)
    calibration = Calibration(neutral_anchor(tiny_encoder, None, bar=False),
                              tiny_encoder.logit_scale, tiny_encoder.score_margin)
    rng = np.random.default_rng(3)
    moments = rng.normal(size=(20, label.shape[1])).astype(np.float32)
    moments /= np.linalg.norm(moments, axis=1, keepdims=True)
    as_tag = calibration.scores(moments, label)[:, 0]
    as_query = query.score(moments @ query.vector)
    assert np.allclose(as_query, as_tag, atol=1e-5)
    assert query.identity.name == "tiny-test"


def test_an_image_query_is_a_unit_vector_of_the_model(embedder, tmp_path):
    from PIL import Image

    path = tmp_path / "red.png"
    Image.new("RGB", (90, 50), (200, 20, 20)).save(path)
    query = embedder.image(path.read_bytes())
    assert query.calibration is None and query.vector.shape == (embedder.identity.dim,)
    assert np.linalg.norm(query.vector) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("   \n\t ", "empty"), ("a" * 10_000, "10,000 characters"),
], ids=["empty", "blank", "10k-chars"])
def test_bad_text_is_refused(text, message):
    with pytest.raises(QueryError, match=message):
        check_text(text)


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 not a picture", b"\x89PNG\r\n\x1a\n" + b"0" * 40],
                         ids=["empty", "pdf", "torn-png"])
def test_what_is_not_an_image_is_refused(data):
    with pytest.raises(QueryError, match=r"empty|not an image"):
        read_image(data, "upload")


def test_times_and_like_specs():
    assert parse_time("83") == 83 and parse_time("1:23") == 83
    assert parse_time("1:02:03.5") == 3723.5
    assert parse_like("a@b.mp4@0:05") == (parse_like("a@b.mp4@5")[0], 5.0)
    for bad in ("clip.mp4", "clip.mp4@soon", "@1:00"):
        with pytest.raises(QueryError):
            parse_like(bad)
