"""Synthetic videos with known content, written with PyAV (no ffmpeg binary).

Used by the test suite, the benchmarks and the service tests: montages with
hard cuts, dissolves and fades at known frames, a "counter" clip where every
frame differs a little and nothing is a cut, variable-frame-rate and
delayed-start clips, and the bad inputs a real archive holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float = 25.0,
    *,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    times_s: Iterable[float] | None = None,
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode RGB uint8 frames. ``times_s`` gives each frame's own presentation
    time (variable frame rate, delayed start); otherwise frames are 1/fps apart."""
    import av

    path = Path(path)
    frames = iter(frames)
    first = next(frames)
    h, w = first.shape[:2]
    times = iter(times_s) if times_s is not None else None
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), "w", options=container_options or {}) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        if times is not None:
            stream.time_base = Fraction(1, 1000)
            stream.codec_context.time_base = Fraction(1, 1000)
        opts = {"preset": "ultrafast", "tune": "zerolatency"} if codec == "libx264" else {}
        stream.options = {**opts, **(options or {})}
        for i, rgb in enumerate(_chain(first, frames)):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            if times is not None:
                frame.pts = int(round(next(times) * 1000))
                frame.time_base = Fraction(1, 1000)
            else:
                frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _chain(first, rest):
    yield first
    yield from rest


# -- content --------------------------------------------------------------------------


def shot_frames(n: int, size: tuple[int, int] = (320, 180), seed: int = 0) -> np.ndarray:
    """``n`` frames of one moving "shot": a window panning over a canvas of
    coloured blobs on a gradient, plus a little noise.

    Different seeds give shots that differ strongly in colour and layout;
    consecutive frames of one shot differ only a little.
    """
    rng = np.random.default_rng(seed)
    w, h = size
    cw, ch = w + n + 8, h + n // 2 + 8  # room to pan one pixel a frame
    y, x = np.mgrid[0:ch, 0:cw].astype(np.float32)
    canvas = rng.uniform(30, 225, 3) + (rng.uniform(-1, 1, 3) * 70) * (x / cw)[..., None]
    for _ in range(6):
        cx, cy, r = rng.uniform(0, cw), rng.uniform(0, ch), rng.uniform(12, 50)
        mask = np.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r)))[..., None]
        canvas = canvas * (1 - mask) + rng.uniform(0, 255, 3) * mask
    canvas = np.clip(canvas, 0, 255).astype(np.uint8)
    out = np.empty((n, h, w, 3), np.uint8)
    noise = rng.integers(-2, 3, (4, h, w, 3), dtype=np.int16)
    for t in range(n):
        crop = canvas[t // 2 : t // 2 + h, t : t + w].astype(np.int16)
        out[t] = np.clip(crop + noise[t % 4], 0, 255).astype(np.uint8)
    return out


@dataclass
class GroundTruth:
    fps: float
    frames: int
    cuts: list[int] = field(default_factory=list)  # first frame of each new shot
    gradual: list[tuple[int, int]] = field(default_factory=list)  # [first, last] transition frames

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))


def montage_frames(
    shots: list[int],
    transitions: list[tuple[str, int]],
    size: tuple[int, int] = (320, 180),
    fps: float = 25.0,
    seed: int = 0,
) -> tuple[np.ndarray, GroundTruth]:
    """Shots of the given lengths joined by ("cut"|"dissolve"|"fade", frames) transitions.

    A dissolve of n frames blends the end of one shot into the next; a fade
    goes to black over n frames and back up over n frames.
    """
    if len(transitions) != len(shots) - 1:
        raise ValueError("need one transition between each pair of shots")
    parts = [shot_frames(length, size, seed * 100 + i) for i, length in enumerate(shots)]
    out = [parts[0]]
    truth = GroundTruth(fps=fps, frames=0)
    pos = len(parts[0])
    for (kind, n), nxt in zip(transitions, parts[1:]):
        if kind == "cut":
            truth.cuts.append(pos)
            out.append(nxt)
            pos += len(nxt)
        elif kind == "dissolve":
            prev = out[-1]
            alpha = (np.arange(1, n + 1, dtype=np.float32) / (n + 1))[:, None, None, None]
            blend = (prev[-n:] * (1 - alpha) + nxt[:n] * alpha).astype(np.uint8)
            out[-1] = prev[:-n]
            out += [blend, nxt[n:]]
            start = pos - n
            truth.gradual.append((start, start + n - 1))
            pos = start + len(nxt)
        elif kind == "fade":
            prev = out[-1]
            down = (np.arange(n, 0, -1, dtype=np.float32) / (n + 1))[:, None, None, None]
            out[-1] = np.concatenate([prev[:-n], (prev[-n:] * down).astype(np.uint8)])
            up = (np.arange(1, n + 1, dtype=np.float32) / (n + 1))[:, None, None, None]
            out.append(np.concatenate([(nxt[:n] * up).astype(np.uint8), nxt[n:]]))
            truth.gradual.append((pos - n, pos + n - 1))
            pos += len(nxt)
        else:
            raise ValueError(f"unknown transition {kind!r}")
    frames = np.concatenate(out)
    truth.frames = len(frames)
    return frames, truth


def make_montage(path: str | Path, shots: list[int], transitions: list[tuple[str, int]],
                 size: tuple[int, int] = (320, 180), fps: float = 25.0, seed: int = 0,
                 write_truth: bool = True) -> GroundTruth:
    frames, truth = montage_frames(shots, transitions, size, fps, seed)
    path = Path(path)
    write_video(path, frames, fps)
    if write_truth:
        truth.write(path.with_suffix(".truth.json"))
    return truth


def make_counter_clip(path: str | Path, n: int = 60, size: tuple[int, int] = (320, 180),
                      fps: float = 10.0) -> Path:
    """A bar that grows by one step a frame on a fixed background: every frame
    differs a little, nothing is a cut."""
    w, h = size
    frames = np.full((n, h, w, 3), 40, np.uint8)
    frames[:, :, :, 2] = 90
    for t in range(n):
        frames[t, h // 3 : 2 * h // 3, : int((t + 1) / n * w)] = (230, 200, 40)
    return write_video(path, frames, fps)


# -- bad inputs ---------------------------------------------------------------------


def make_audio_only(path: str | Path, seconds: float = 1.0) -> Path:
    import av

    path = Path(path)
    rate = 16000
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=rate)
        samples = (np.sin(np.arange(int(rate * seconds)) * 2 * np.pi * 440 / rate) * 0.3)
        pcm = samples.astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(pcm, format="fltp", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def truncate(src: str | Path, dst: str | Path, keep: float = 0.4) -> Path:
    data = Path(src).read_bytes()
    Path(dst).write_bytes(data[: int(len(data) * keep)])
    return Path(dst)


def corrupt_middle(src: str | Path, dst: str | Path, fraction: float = 0.1, seed: int = 0) -> Path:
    """Overwrite a stretch of bytes in the middle with noise (the header survives)."""
    data = bytearray(Path(src).read_bytes())
    rng = np.random.default_rng(seed)
    n = int(len(data) * fraction)
    start = len(data) // 2 - n // 2
    data[start : start + n] = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    Path(dst).write_bytes(bytes(data))
    return Path(dst)


def make_huge_resolution(path: str | Path, width: int = 20_000, height: int = 2) -> Path:
    """A tiny file that declares an absurd frame size (raw video in Matroska)."""
    frames = np.zeros((2, height, width, 3), np.uint8)
    return write_video(path, frames, 1.0, codec="ffv1", pix_fmt="yuv420p")
