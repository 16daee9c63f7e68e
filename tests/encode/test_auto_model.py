"""``--model auto``: CLIP where its weights can be had, else the offline encoder, saying why."""

from __future__ import annotations

import pytest

from vidclip.config import ModelOptions
from vidclip.encode.auto import choose_model
from vidclip.errors import WeightsMissingError

REPO = "models--laion--CLIP-ViT-B-32-DataComp.XL-s13B-b90K"


def _cache_with_default_weights(root):
    """A Hugging Face cache holding the default weights' file, as a download leaves it."""
    snapshot = root / REPO / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (snapshot / "open_clip_model.safetensors").write_bytes(b"not read by the choice")
    (root / REPO / "refs").mkdir()
    (root / REPO / "refs" / "main").write_text("0123abcd")
    return root


def test_without_weights_or_hub_auto_falls_back_and_says_why(tmp_path):
    # The suite runs with HF_HUB_OFFLINE=1 (tests/conftest.py).
    choice = choose_model(ModelOptions(cache_dir=str(tmp_path)))
    assert choice.options.name == "offline" and choice.options.pretrained is None
    assert "not cached and HF_HUB_OFFLINE is set" in choice.fallback_reason
    note = choice.note()
    assert note.startswith("model: the offline encoder") and "--pretrained" in note


def test_cached_default_weights_mean_clip(tmp_path):
    choice = choose_model(ModelOptions(cache_dir=str(_cache_with_default_weights(tmp_path))))
    assert (choice.options.name, choice.fallback_reason) == ("ViT-B-32", None)
    assert choice.note() == "model: CLIP ViT-B-32 (datacomp_xl_s13b_b90k)"


def test_the_hub_answering_means_clip_downloaded_on_first_load(tmp_path, monkeypatch):
    from vidclip.encode import weights

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(weights, "_hub_reachable", lambda host="": True)  # no network here
    choice = choose_model(ModelOptions(cache_dir=str(tmp_path)))
    assert (choice.options.name, choice.fallback_reason) == ("ViT-B-32", None)


@pytest.mark.parametrize("options", [
    ModelOptions(name="ViT-B-32"),  # named by the user
    ModelOptions(pretrained="laion2b_s34b_b79k"),  # auto, but other weights than the default
], ids=["named-model", "other-weights"])
def test_a_model_the_user_chose_never_falls_back(options, tmp_path):
    from vidclip.encode import build_encoder

    encoder = build_encoder(options.model_copy(update={"cache_dir": str(tmp_path)}))
    assert encoder.fallback_reason is None
    with pytest.raises(WeightsMissingError, match="HF_HUB_OFFLINE is set"):
        encoder.load()


@pytest.mark.slow
def test_the_result_records_the_fallback(tmp_path, clips):
    import vidclip

    result = vidclip.analyze(clips.short, model={"cache_dir": str(tmp_path)},
                             tags={"labels": ["cat", "dog"]}, moderation={"enabled": False})
    assert result.model.kind == "offline"
    assert "HF_HUB_OFFLINE is set" in result.model.fallback_reason


def test_the_default_hub_id_is_open_clips():
    # choose_model looks the default weights up without importing open_clip.
    open_clip = pytest.importorskip("open_clip")
    from vidclip.config import CLIP_MODEL, DEFAULT_PRETRAINED
    from vidclip.encode.auto import DEFAULT_HUB_ID

    assert open_clip.get_pretrained_cfg(CLIP_MODEL, DEFAULT_PRETRAINED)["hf_hub"] == DEFAULT_HUB_ID


def test_cached_default_weights_found_as_hf_hub_download_finds_them(tmp_path):
    pytest.importorskip("huggingface_hub")
    from huggingface_hub import hf_hub_download

    from vidclip.encode.auto import DEFAULT_HUB_ID
    from vidclip.encode.weights import cached_hub_file

    root = _cache_with_default_weights(tmp_path)
    found = cached_hub_file(DEFAULT_HUB_ID, str(root))
    repo_id = DEFAULT_HUB_ID.rstrip("/")
    assert found == hf_hub_download(repo_id, "open_clip_model.safetensors", cache_dir=str(root),
                                    local_files_only=True)
    assert cached_hub_file(DEFAULT_HUB_ID, str(tmp_path / "empty")) is None


def test_the_offline_choice_imports_no_open_clip(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from vidclip.config import ModelOptions; "
            "from vidclip.encode.auto import choose_model; "
            f"c = choose_model(ModelOptions(cache_dir={str(tmp_path)!r})); "
            "print(c.options.name, 'open_clip' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["offline", "False", "False"]
