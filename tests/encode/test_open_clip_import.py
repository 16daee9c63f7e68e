"""vidclip imports open_clip without Hugging Face ``transformers`` unless a model needs it.

Each check runs in a fresh interpreter: what a process has imported is the
thing under test, and the test process itself has imported plenty.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("transformers") is None,
    reason="transformers is not installed: nothing for open_clip to import eagerly",
)


def _run(code: str, tmp_path, **env) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line, returned here."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], check=False, cwd=REPO,
        capture_output=True, text=True,
        timeout=300, env={**os.environ, "VIDCLIP_CACHE_DIR": str(tmp_path / "cache"),
                          "HF_HUB_OFFLINE": "1", **env},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_clip_pipeline_never_imports_transformers(tmp_path):
    out = _run("""
        import json, sys
        import vidclip.pipeline
        from vidclip.config import AnalysisConfig, ModelOptions
        before = "transformers" in sys.modules
        pipe = vidclip.pipeline.Pipeline(AnalysisConfig(model=ModelOptions(name="tiny-test")))
        pipe.setup()
        print(json.dumps({"before": before, "after": "transformers" in sys.modules,
                          "open_clip": "open_clip" in sys.modules}))
    """, tmp_path)
    assert out == {"before": False, "after": False, "open_clip": True}


_STATE = """
        print(json.dumps({"transformers": "transformers" in sys.modules,
                          "hf": oc.hf_model.transformers is not None,
                          "coca": oc.coca_model._has_transformers,
                          "class_sees_it": oc.model.HFTextEncoder.__init__.__globals__[
                              "transformers"] is not None}))
"""

def test_ensure_transformers_gives_open_clip_what_its_own_import_would(tmp_path):
    """The switch imports open_clip as open_clip does; ensure_transformers() catches up to it."""
    plain = _run("""
        import json, sys
        from vidclip.encode.open_clip_import import import_open_clip
        oc = import_open_clip()
    """ + _STATE, tmp_path, VIDCLIP_OPEN_CLIP_TRANSFORMERS="1")
    assert plain["transformers"] and plain["hf"]
    deferred = _run("""
        import json, sys
        from vidclip.encode.open_clip_import import ensure_transformers, import_open_clip
        oc = import_open_clip()
        assert oc.hf_model.transformers is None and "transformers" not in sys.modules
        ensure_transformers()
    """ + _STATE, tmp_path)
    assert deferred == plain


def _tiny_hf_text_model(root):
    """An open_clip model config whose text tower is a tiny local BERT: no hub, no download."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    hf_dir = root / "tiny-bert"
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "dog", "cat", "photo", "of"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                            cls_token="[CLS]", sep_token="[SEP]",
                            mask_token="[MASK]").save_pretrained(hf_dir)
    config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=32)
    BertModel(config).save_pretrained(hf_dir)
    cfg_dir = root / "configs"
    cfg_dir.mkdir()
    (cfg_dir / "tiny-hf-text.json").write_text(json.dumps({
        "embed_dim": 16,
        "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 16,
                       "head_width": 16},
        "text_cfg": {"hf_model_name": str(hf_dir), "hf_tokenizer_name": str(hf_dir),
                     "hf_pooler_type": "mean_pooler", "hf_proj_type": "linear",
                     "context_length": 16},
    }))
    return cfg_dir


@pytest.mark.slow
def test_a_hugging_face_text_tower_still_loads_and_runs_padded(tmp_path):
    cfg_dir = _tiny_hf_text_model(tmp_path)
    out = _run(f"""
        import json, sys
        import vidclip.pipeline
        from vidclip.config import ModelOptions
        from vidclip.encode.clip import ClipEncoder
        from vidclip.encode.open_clip_import import import_open_clip
        import_open_clip().add_model_config({str(cfg_dir)!r})
        hidden = "transformers" not in sys.modules
        encoder = ClipEncoder(ModelOptions(name="tiny-hf-text", pretrained=None, device="cpu"))
        emb = encoder.encode_texts(["a photo of a dog", "a cat"])
        print(json.dumps({{"hidden": hidden, "shape": list(emb.shape),
                          "trimmed": encoder._text_tower is not None,
                          "transformers": "transformers" in sys.modules}}))
    """, tmp_path)
    assert out == {"hidden": True, "shape": [2, 16], "trimmed": False, "transformers": True}
