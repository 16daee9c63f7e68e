"""CLIP's text tower at each prompt's real length, for towers where that is exact.

open_clip pads every prompt to the context length (77 tokens) and runs all
77 positions through the text transformer, although a prompt such as
"a photo of a dog." holds 7 tokens and almost no vocabulary prompt needs
more than 20. Where the tower is *causal* (each position attends only to
itself and earlier ones) and the pooled output is taken at the end-of-text
token (``argmax`` of the token ids for OpenAI-style tokenizers, or the first
``eos`` id), nothing after that token can change the pooled result: running
only the first ``L`` positions (``L`` = the pooled position + 1, the longest
in the batch) gives the same embedding with a fraction of the work. Sorting
prompts by length first keeps each batch's ``L`` close to its prompts' own.

That argument holds only for some towers, so :func:`trimmable` checks the
structure and everything else runs padded, as open_clip runs it:

- ``open_clip.CLIP`` and ``CustomTextCLIP`` with open_clip's own
  ``TextTransformer``, a causal mask, no class token and ``argmax``/``eos``
  pooling: trimmed (most OpenAI, LAION, DataComp and EVA models);
- bidirectional towers (SigLIP, MobileCLIP-S1/S2, CLIPA: ``no_causal_mask``,
  often ``last``-token pooling): every position sees the padding, so the
  result depends on it -- padded;
- CoCa (a class token appended after the padding), Hugging Face text towers
  (their own attention and pooling): padded.

On top of the structural check, :class:`TrimmedTextTower` compares itself
with the model's own ``encode_text`` on a few prompts when it is built and
stands down if they differ, so a future open_clip that changes the tower
cannot silently change the embeddings (tests/encode/test_clip_text.py
proves equality for the families enabled here).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

#: Prompts per forward pass. Sorted by length, a batch's padding is small,
#: so bigger batches only buy larger matrix products.
BATCH = 256
#: What the self-check feeds both paths: short, long, and a truncated one.
_CHECK_PROMPTS = (
    "a photo.",
    "a photo of a dog.",
    "a blurry low-resolution still from a home video of a person walking a dog in a park.",
    " ".join(["a very long prompt"] * 30),
)
#: Largest |cos| difference the self-check accepts: fp32 rounding of matrix
#: products of another shape is ~1e-7; anything structural is >= 1e-3.
SELF_CHECK_TOL = 1e-5


@dataclass(frozen=True)
class _Parts:
    """Where a causal text tower keeps its pieces (the model, or its ``.text``).

    The pieces are looked up on ``owner`` at every call, so casting the model
    to another dtype afterwards (which replaces its buffers) is seen.
    """

    owner: Any  # open_clip's CLIP or TextTransformer
    pool_type: str
    eos_id: int | None


def _is_causal(mask) -> bool:
    import torch

    if mask is None or mask.dim() != 2 or mask.shape[0] != mask.shape[1]:
        return False
    n = mask.shape[0]
    causal = torch.full((n, n), float("-inf"), dtype=mask.dtype, device=mask.device).triu_(1)
    return bool(torch.equal(mask, causal))


def _parts(model) -> tuple[_Parts | None, str]:
    """The tower's parts when trimming it is exact, else ``(None, why not)``."""
    from open_clip.coca_model import CoCa
    from open_clip.model import CLIP, CustomTextCLIP
    from open_clip.transformer import TextTransformer

    if type(model) is CLIP:
        owner, pool, eos = model, model.text_pool_type, getattr(model, "text_eos_id", None)
    elif type(model) is CustomTextCLIP and type(model.text) is TextTransformer:
        owner, pool, eos = model.text, model.text.pool_type, model.text.eos_id
        if owner.cls_emb is not None or owner.use_pad_mask:
            return None, "its text tower adds a class token or a padding mask"
    elif isinstance(model, CoCa):
        return None, "CoCa appends a class token after the padding"
    else:
        return None, f"{type(model).__name__} with a {type(getattr(model, 'text', model)).__name__}"
    if pool not in ("argmax", "eos"):
        return None, f"the text tower pools its {pool!r} token"
    if not _is_causal(getattr(owner, "attn_mask", None)):
        return None, "the text tower is not causal (every position sees the padding)"
    return _Parts(owner, pool, eos), ""


def pooled_positions(tokens, pool_type: str, eos_id: int | None):
    """Where the tower takes its pooled output in each row, exactly as open_clip does."""
    if pool_type == "argmax":
        return tokens.argmax(dim=-1)
    return (tokens == eos_id).int().argmax(dim=-1)


class TrimmedTextTower:
    """``encode(tokens)`` = ``model.encode_text(tokens, normalize=True)``, run at real lengths."""

    def __init__(self, parts: _Parts):
        self._p = parts

    @classmethod
    def build(cls, model, tokenizer) -> TrimmedTextTower | None:
        """The trimmed tower for ``model``, or None where padding must stay."""
        import torch

        parts, why = _parts(model)
        if parts is None:
            log.debug("text prompts run padded: %s", why)
            return None
        tower = cls(parts)
        tokens = tokenizer(list(_CHECK_PROMPTS)).to(parts.owner.positional_embedding.device)
        with torch.inference_mode():
            want = model.encode_text(tokens, normalize=True).float()
            got = tower.encode(tokens)
        diff = float((want - got).abs().max())
        if diff > SELF_CHECK_TOL:
            log.warning("text prompts run padded: the trimmed text tower differs from "
                        "open_clip's by %.2g on its self-check", diff)
            return None
        return tower

    def encode(self, tokens, batch: int = BATCH):
        """``(N, context)`` token ids -> ``(N, D)`` float32 unit vectors, in input order."""
        import torch

        p = self._p
        ends = pooled_positions(tokens, p.pool_type, p.eos_id)
        order = torch.argsort(ends, stable=True)
        out = torch.empty((len(tokens), self._width_out()), dtype=torch.float32,
                          device=tokens.device)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            length = int(ends[rows].max()) + 1
            out[rows] = self._forward(tokens[rows, :length], ends[rows])
        return out

    def _width_out(self) -> int:
        proj = self._p.owner.text_projection
        if proj is None:
            return int(self._p.owner.positional_embedding.shape[1])
        return int(proj.out_features if hasattr(proj, "out_features") else proj.shape[1])

    def _forward(self, tokens, ends):
        # open_clip's CLIP.encode_text / TextTransformer.forward, with the
        # positional embedding and causal mask cut to the batch's length.
        import torch

        t = self._p.owner
        length = tokens.shape[1]
        cast_dtype = t.transformer.get_cast_dtype()
        x = t.token_embedding(tokens).to(cast_dtype)
        x = x + t.positional_embedding[:length].to(cast_dtype)
        x = t.transformer(x, attn_mask=t.attn_mask[:length, :length])
        x = t.ln_final(x)
        x = x[torch.arange(x.shape[0], device=x.device), ends]
        proj = t.text_projection
        if proj is not None:
            x = proj(x) if isinstance(proj, torch.nn.Linear) else x @ proj
        return torch.nn.functional.normalize(x.float(), dim=-1)


def encode_padded(model, tokens, batch: int = BATCH):
    """open_clip's own path: every prompt at the full context length."""
    import torch

    return torch.cat([model.encode_text(tokens[i : i + batch], normalize=True).float()
                      for i in range(0, len(tokens), batch)])

