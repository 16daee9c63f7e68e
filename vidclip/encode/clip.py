"""open_clip as a vidclip :class:`Encoder`.

Frames arrive as uint8 with their shorter side already at the model's input
size (the decoder resized them), so preprocessing is a centre crop and a
normalisation, done on the device: uint8 crosses the bus (4x fewer bytes
than float32) and the CPU does no per-pixel work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from vidclip.config import CLIP_MODEL, ModelOptions
from vidclip.encode.base import Encoder
from vidclip.encode.clip_text import TrimmedTextTower, encode_padded
from vidclip.encode.skip_init import weights_from_checkpoint
from vidclip.encode.threads import leaving_cores
from vidclip.errors import ModelError
from vidclip.schema import ModelInfo

log = logging.getLogger(__name__)

#: A tiny randomly initialised CLIP built in code: same code paths as a real
#: model, no download, runs the whole pipeline in seconds on a CPU. Its
#: embeddings carry no meaning; tests that need meaning use real weights.
TINY_TEST_MODEL = "tiny-test"
_TINY_CFG: dict[str, Any] = {
    "embed_dim": 64,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "patch_size": 16, "head_width": 32},
    "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested != "auto":
        if requested.startswith("cuda") and not torch.cuda.is_available():
            raise ModelError(f"device {requested!r} was requested but CUDA is not available here.")
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: do not guess
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _pick_dtype(precision: str, device: str):
    import torch

    if precision == "auto":
        # The fastest precision the hardware runs natively, as CLIP is usually
        # served: fp16 on a GPU; bf16 on CPUs with AVX512-BF16 or AMX (about
        # twice fp32's speed, image embeddings within ~1e-3 cosine of fp32's;
        # docs/performance.md); fp32 elsewhere. --precision fp32 pins it.
        if device.startswith("cuda"):
            precision = "fp16"
        else:
            precision = "bf16" if _cpu_has_bf16() else "fp32"
    if precision != "fp32" and not device.startswith("cuda"):
        # fp16 on a CPU is emulated, and so is bf16 without AVX512-BF16/AMX:
        # slower than fp32 and less accurate.
        if precision == "bf16" and _cpu_has_bf16():
            return precision, torch.bfloat16
        log.warning("precision %s is not native on this CPU; using fp32", precision)
        precision = "fp32"
    return precision, {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[
        precision
    ]


class ClipEncoder(Encoder):
    """Loads lazily (``load()``, idempotent, thread-safe) and keeps the model."""

    #: CLIP puts a matching caption ~0.05-0.1 above a generic "a photo." and
    #: loosely related ones within ~0.02 of it; 0.02 keeps the latter below 0.5.
    score_margin = 0.02

    def __init__(self, options: ModelOptions | None = None):
        self.options = options or ModelOptions(name=CLIP_MODEL)
        self.batch_size = self.options.batch_size
        self._lock = threading.Lock()
        # Set by load(); torch and open_clip objects, typed loosely on purpose.
        self._model: Any = None
        self._tokenizer: Any = None
        self._device = ""
        self._dtype: Any = None
        self._precision = "fp32"
        self._mean: Any = None
        self._std: Any = None
        self._text_tower: TrimmedTextTower | None = None
        self._text_ready = False
        self._text_precision = "fp32"
        self.input_size = _TINY_CFG["vision_cfg"]["image_size"] if self._is_tiny else 224

    @property
    def _is_tiny(self) -> bool:
        return self.options.name == TINY_TEST_MODEL

    def load(self) -> None:
        with self._lock:
            if self._model is None:
                self._load()

    def _load(self) -> None:
        import torch

        from vidclip.encode.open_clip_import import import_open_clip

        open_clip = import_open_clip()

        opts = self.options
        device = pick_device(opts.device)
        if device.startswith("cpu") and opts.tune_malloc:
            from vidclip.encode.allocator import tune_for_inference

            tune_for_inference()
        self._precision, self._dtype = _pick_dtype(opts.precision, device)
        # Random weights (the test model, or no checkpoint) are seeded: the same
        # in every process, so cached text embeddings stay valid and runs repeat.
        # fork_rng leaves the caller's random state as it was.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model, tokenizer, mean, std = self._build(open_clip, opts)
        self.logit_scale = float(model.logit_scale.exp().item()) if not self._is_tiny else 100.0
        model = model.to(device=device).eval()
        # The image tower runs at the precision picked above: it does the
        # per-frame work. The text tower runs once per vocabulary and is
        # cached. On a CPU with native bf16 it runs bf16 too: the first run's
        # vocabulary is compute-bound there, bf16 is several times faster and
        # the label embeddings stay within the tolerance docs/cli.md states. Text
        # runs fp32 everywhere else (on a GPU it costs nothing), and the text
        # cache key names the text precision, so fp32 embeddings are the same
        # on every machine and never mix with bf16 ones.
        cpu_bf16 = self._dtype == torch.bfloat16 and device.startswith("cpu")
        self._text_precision = "bf16" if cpu_bf16 else "fp32"
        model.visual.to(dtype=self._dtype)
        # The text side (the trimmed tower, its self-check and the bf16 cast)
        # is prepared on the first text to embed, not here: with the text
        # cache filled, a run never embeds text, and the self-check alone is
        # two padded passes of the text tower on every start-up.
        self._text_tower, self._text_ready = None, False
        if device.startswith("cuda"):
            model.visual.to(memory_format=torch.channels_last)
        shape = (1, 3, 1, 1)
        self._mean = torch.tensor(mean, device=device, dtype=torch.float32).view(shape) * 255.0
        self._std = torch.tensor(std, device=device, dtype=torch.float32).view(shape) * 255.0
        self._device, self._model, self._tokenizer = device, model, tokenizer

    def _build(self, open_clip, opts):
        """(model, tokenizer, mean, std) for ``opts``; weights resolved offline-safely."""
        from vidclip.encode import weights
        from vidclip.encode.open_clip_import import ensure_transformers, needs_transformers

        if self._is_tiny:
            model = open_clip.model.CLIP(**_TINY_CFG)
            tokenizer = open_clip.SimpleTokenizer(
                context_length=_TINY_CFG["text_cfg"]["context_length"])
            return model, tokenizer, open_clip.OPENAI_DATASET_MEAN, open_clip.OPENAI_DATASET_STD
        if needs_transformers(open_clip, opts.name):
            ensure_transformers()  # a Hugging Face text tower, CoCa, or not known yet
        resolved = weights.resolve(opts.name, opts.pretrained, opts.cache_dir)
        # A checkpoint file overwrites every weight (open_clip loads it
        # strictly), so the random draw before it is skipped. Not for numpy
        # (big_vision) weights, which a converter loads part by part.
        ckpt = resolved.checkpoint
        numpy_weights = bool(ckpt) and str(ckpt).endswith((".npz", ".npy"))
        skip = weights_from_checkpoint() if ckpt and not numpy_weights else nullcontext()
        try:
            with skip:
                model = open_clip.create_model(
                    opts.name,
                    pretrained=resolved.checkpoint,
                    force_quick_gelu=bool(resolved.tag_cfg.get("quick_gelu", False)),
                    cache_dir=opts.cache_dir,
                    weights_only=True,
                )
        except Exception as exc:  # a corrupt or mismatched checkpoint
            raise ModelError(f"could not load {opts.name} weights: {exc}") from exc
        tokenizer = open_clip.get_tokenizer(opts.name, cache_dir=opts.cache_dir)
        cfg = open_clip.get_model_preprocess_cfg(model)
        mean = resolved.tag_cfg.get("mean") or cfg.get("mean", open_clip.OPENAI_DATASET_MEAN)
        std = resolved.tag_cfg.get("std") or cfg.get("std", open_clip.OPENAI_DATASET_STD)
        size = cfg.get("size", 224)
        self.input_size = int(size if isinstance(size, int) else size[0])
        return model, tokenizer, mean, std

    @property
    def info(self) -> ModelInfo:
        self.load()
        return ModelInfo(
            name=self.options.name,
            pretrained=None if self._is_tiny else self.options.pretrained,
            embedding_dim=int(self._model.text_projection.shape[1])
            if getattr(self._model, "text_projection", None) is not None
            else int(self._model.visual.output_dim),
            device=self._device,
            kind="custom" if self._is_tiny else "clip",
            precision=self._precision,
        )

    @property
    def cache_key(self) -> str:
        key = super().cache_key
        return key if self._text_precision == "fp32" else f"{key}:text-{self._text_precision}"

    @property
    def text_precision(self) -> str:
        """The text tower's precision: bf16 where the image tower runs it on a CPU, else fp32."""
        self.load()
        return self._text_precision

    def _to_pixels(self, frames: np.ndarray):
        import torch

        _, h, w, _ = frames.shape
        side = self.input_size
        if isinstance(frames, torch.Tensor):  # decoded on the GPU (torchcodec): already there
            x = frames.to(self._device, non_blocking=True)
        else:
            x = torch.from_numpy(np.ascontiguousarray(frames)).to(self._device, non_blocking=True)
        x = x.permute(0, 3, 1, 2)
        if min(h, w) != side:
            # The decoder normally resized already; this keeps odd callers correct.
            scale = side / min(h, w)
            size = (max(side, round(h * scale)), max(side, round(w * scale)))
            x = torch.nn.functional.interpolate(
                x.float(), size=size, mode="bicubic", align_corners=False, antialias=True
            ).clamp_(0, 255)
            h, w = size
        top, left = (h - side) // 2, (w - side) // 2
        x = x[:, :, top : top + side, left : left + side].float()
        x = (x - self._mean) / self._std
        x = x.to(self._dtype)
        if self._device.startswith("cuda"):
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def encode_images(self, frames: np.ndarray) -> np.ndarray:
        import torch

        self.load()
        if len(frames) == 0:
            return np.zeros((0, self.info.embedding_dim), dtype=np.float32)
        out = []
        with torch.inference_mode():
            for start in range(0, len(frames), self.batch_size):
                pixels = self._to_pixels(frames[start : start + self.batch_size])
                # Normalised in fp32: a bf16 norm is only good to ~1e-2.
                emb = self._model.encode_image(pixels).float()
                emb = torch.nn.functional.normalize(emb, dim=-1)
                out.append(emb.cpu().numpy())
        return np.concatenate(out)

    def sharing_cpu(self, cores: int) -> AbstractContextManager:
        """Fewer torch threads while another stage's thread runs beside the model
        (:func:`vidclip.encode.threads.leaving_cores`)."""
        self.load()
        return leaving_cores(self._device, cores)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        self.load()
        if not texts:
            return np.zeros((0, self.info.embedding_dim), np.float32)
        self._prepare_text()
        with torch.inference_mode():
            tokens = self._tokenizer(list(texts)).to(self._device)
            if self._text_tower is not None:
                emb = self._text_tower.encode(tokens)
            else:
                emb = encode_padded(self._model, tokens)
        return emb.cpu().numpy()

    def _prepare_text(self) -> None:
        """Ready the text side once: the trimmed tower, then the text precision.

        Prompts run at their real length where the text tower allows it (see
        vidclip.encode.clip_text): the first run's vocabulary in seconds
        rather than minutes, with the same embeddings. The tower is built,
        and checked against open_clip's own path, while the text side is
        still fp32; only then is it cast to bf16 where that was picked (the
        image tower already is, so the cast leaves it as it is).
        """
        with self._lock:
            if self._text_ready:
                return
            self._text_tower = TrimmedTextTower.build(self._model, self._tokenizer)
            if self._text_precision == "bf16":
                self._model.to(dtype=self._dtype)
            self._text_ready = True

    def close(self) -> None:
        with self._lock:
            self._model = None
            self._text_ready = False
            if self._device and self._device.startswith("cuda"):
                import torch

                torch.cuda.empty_cache()
