"""torchcodec backend: PyTorch's own decoder, on the CPU or on an NVIDIA GPU (NVDEC).

torchcodec (an optional extra: ``pip install 'vidclip[torchcodec]'``) links
against the system's FFmpeg shared libraries (``apt-get install ffmpeg`` on
Debian); :func:`unavailable` says why it cannot run here, so a missing
extra or library is a clear message rather than an ImportError.

Frames come out as uint8 tensors on the decoder's device, upright, indexed
in presentation order with exact timestamps (``seek_mode="exact"`` scans
the file once, as decord does). They are resized to the model's size (by
the decoder on the CPU, by torch on CUDA) and the cut detector's previews
are cut from those same frames on the same device: on CUDA the sampled
frames stay on the GPU for the encoder (``FrameBatch.sampled_frames`` is a
CUDA tensor) and only the previews -- a few bytes a frame -- are copied to
the host. On the CPU everything is numpy, as from the other backends.

The resize is an antialiased bilinear filter rather than PyAV's area
scaler, so pixels differ from decord's or PyAV's by a few levels; times,
frame numbers and the resulting boundaries are the same.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

from vidclip.decode.probe import StreamFacts
from vidclip.decode.sampling import Sampler
from vidclip.decode.types import FrameBatch, PassReport
from vidclip.errors import ConfigError

_unavailable: str | None = None
_checked = False


def unavailable() -> str | None:
    """Why torchcodec cannot decode here (not installed, FFmpeg's libraries
    missing), or None; checked once per process."""
    global _unavailable, _checked
    if not _checked:
        try:
            from torchcodec.decoders import VideoDecoder  # noqa: F401
        except ImportError:
            _unavailable = ("torchcodec is not installed (pip install 'vidclip[torchcodec]', "
                            "and FFmpeg's shared libraries: apt-get install ffmpeg)")
        except (OSError, RuntimeError) as exc:  # it loads libavcodec & co. on import
            first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
            _unavailable = ("torchcodec cannot load FFmpeg's shared libraries (install them: "
                            f"apt-get install ffmpeg){': ' + first if first else ''}")
        _checked = True
    return _unavailable


def require() -> None:
    reason = unavailable()
    if reason:
        raise ConfigError(f"--decoder torchcodec: {reason}.")


class TorchcodecSource:
    """An opened torchcodec decoder; raises if torchcodec cannot open the file.

    On the CPU the decoder resizes (its ``Resize`` runs in FFmpeg, before the
    frame becomes a tensor); on CUDA frames are resized by torch on the GPU.
    torchcodec turns rotated streams upright itself (its metadata's width and
    height are the upright ones).
    """

    def __init__(self, facts: StreamFacts, size: tuple[int, int], device: str = "cpu",
                 threads: int = 0):
        from torchcodec.decoders import VideoDecoder
        from torchcodec.transforms import Resize

        self.facts = facts
        self.size = size
        self.device = device if device.startswith("cuda") else "cpu"
        width, height = size
        transforms = [Resize(size=(height, width))] if self.device == "cpu" else None
        self.decoder: Any = VideoDecoder(facts.path, device=self.device, seek_mode="exact",
                                         num_ffmpeg_threads=threads, transforms=transforms)
        self.num_frames = int(self.decoder.metadata.num_frames or 0)

    def keyframes(self) -> np.ndarray:
        keys = np.zeros(self.num_frames, dtype=bool)
        keys[np.asarray(self.decoder._get_key_frame_indices(), dtype=np.int64)] = True
        return keys

    def close(self) -> None:
        self.decoder = None


def _resized(frames: Any, size: tuple[int, int], area: bool = False) -> Any:
    """(N, C, H, W) uint8 -> (N, C, h, w) uint8 at ``size`` = (w, h), on their device."""
    import torch

    width, height = size
    if tuple(frames.shape[2:]) == (height, width):
        return frames
    x = frames.float()
    if area:  # previews: the mean of each cell, as the other backends' AREA scaler gives
        x = torch.nn.functional.interpolate(x, size=(height, width), mode="area")
    else:
        x = torch.nn.functional.interpolate(x, size=(height, width), mode="bilinear",
                                            antialias=True, align_corners=False)
    return x.round_().clamp_(0, 255).to(torch.uint8)


def _hwc(frames: Any) -> Any:
    return frames.permute(0, 2, 3, 1).contiguous()


def _host(frames: Any) -> np.ndarray:
    return _hwc(frames).cpu().numpy()


def iter_torchcodec(
    source: TorchcodecSource,
    sampler: Sampler,
    chunk_size: int,
    full_rate: bool,
    preview: tuple[int, int] | None = None,
) -> Generator[FrameBatch, None, PassReport]:
    """Yield chunks of consecutive frames, as :func:`~.pyav_backend.iter_pyav` does.

    With ``preview`` (full rate), every frame comes at the preview size --
    cut from the same decoded frames -- and the sampled ones at
    ``source.size`` in ``sampled_frames``; on CUDA those stay on the GPU.
    Without, every frame is at ``source.size`` (on the host).
    """
    import torch

    n = source.num_frames
    keys = source.keyframes() if sampler.spec.strategy == "keyframes" else None
    report = PassReport()
    on_gpu = source.device != "cpu"
    for start in range(0, n, chunk_size):
        stop = min(n, start + chunk_size)
        # Frame by frame: torchcodec decodes consecutive frames forward, where a
        # range call seeks back to the key frame before its first frame each time.
        got = [source.decoder.get_frame_at(i) for i in range(start, stop)]
        times = np.array([float(f.pts_seconds) for f in got], np.float64)
        stacked = torch.stack([f.data for f in got])
        indices = np.arange(start, stop, dtype=np.int64)
        take = np.array([sampler.take(float(t), int(i), True if keys is None else bool(keys[i]))
                         for t, i in zip(times, indices)], dtype=bool)
        report.times.extend(times.tolist())
        keep = np.ones(len(take), bool) if full_rate else take
        if not keep.any():
            if sampler.full and not full_rate:
                break
            continue
        data = _resized(stacked if keep.all() else
                        stacked[torch.from_numpy(np.flatnonzero(keep)).to(stacked.device)],
                        source.size)
        chosen = take[keep]
        if preview is not None and full_rate:
            big = data[torch.from_numpy(np.flatnonzero(chosen)).to(data.device)]
            small = _host(_resized(data, preview, area=True))
            yield FrameBatch(small, times[keep], indices[keep], chosen,
                             _hwc(big) if on_gpu else _host(big))
        else:
            yield FrameBatch(_host(data), times[keep], indices[keep], chosen)
    report.frames = len(report.times)
    report.complete = report.frames == n
    return report
