"""Synthetic videos with known content, written with PyAV (no ffmpeg binary).

Used by the test suite, the benchmarks and the service tests: montages with
hard cuts, dissolves and fades at known frames, a "counter" clip where every
frame differs a little and nothing is a cut, variable-frame-rate and
delayed-start clips, and the bad inputs a real archive holds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
    rotation: int = 0,
    sample_aspect_ratio: Fraction | None = None,
    gop: int | None = None,
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode RGB uint8 frames ``(H, W, 3)``; the container follows the suffix.

    - ``times_s``: each frame's own presentation time in seconds (variable
      frame rate, a delayed start); otherwise frames are ``1/fps`` apart from 0.
      Times are stored in milliseconds.
    - ``rotation``: clockwise degrees a player turns the stored frames to show
      them upright (0/90/180/270), written as a display matrix -- what phones do.
    - ``sample_aspect_ratio``: pixel aspect (e.g. ``Fraction(16, 11)``) for
      anamorphic video; the display width is ``width * sar``.
    - ``gop``: at most this many frames between key frames.
    """
    import av

    path = Path(path)
    frames = iter(frames)
    first = next(frames)
    h, w = first.shape[:2]
    times = iter(times_s) if times_s is not None else None
    rate = Fraction(fps).limit_denominator(1001)
    with same_scheduling(), av.open(str(path), "w", options=container_options or {}) as out:
        stream = out.add_stream(codec, rate=rate)
        if not isinstance(stream, av.VideoStream):
            raise ValueError(f"{codec!r} is not a video codec")
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        if times is not None:
            stream.time_base = Fraction(1, 1000)
            stream.codec_context.time_base = Fraction(1, 1000)
        if rotation % 360:
            # FFmpeg's display matrix angle is counter-clockwise.
            stream.set_display_rotation(-(rotation % 360))
        if sample_aspect_ratio is not None:
            stream.codec_context.sample_aspect_ratio = Fraction(sample_aspect_ratio)
        if gop is not None:
            stream.codec_context.gop_size = gop
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


@contextmanager
def same_scheduling() -> Iterator[None]:
    """Give the calling thread back the CPU scheduling it had before an encoder ran.

    SVT-AV1 (PyAV's ``libsvtav1``), run as root, switches the thread that opens it to
    real-time ``SCHED_FIFO`` at priority 99 and never switches it back. Every thread
    and process started from that thread afterwards inherits it, and two such threads
    busy-waiting for a third on a 2-core machine never let it run: a test process
    that had written an AV1 clip hung for over an hour at full CPU, its timeout
    thread starved with it.
    """
    if not hasattr(os, "sched_getscheduler"):  # not Linux: nothing to keep
        yield
        return
    policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    try:
        yield
    finally:
        if (os.sched_getscheduler(0), os.sched_getparam(0)) != (policy, param):
            os.sched_setscheduler(0, policy, param)


def _chain(first, rest):
    yield first
    yield from rest


# -- content --------------------------------------------------------------------------


def shot_frames(n: int, size: tuple[int, int] = (320, 180), seed: int = 0,
                motion: str = "pan") -> np.ndarray:
    """``n`` frames ``(n, H, W, 3)`` of one moving "shot": a window over a
    canvas of coloured blobs on a gradient, plus a little noise.

    ``motion`` is ``"pan"`` (one pixel a frame sideways, half a pixel down),
    ``"zoom"`` (a slow push-in, about 0.4 % a frame) or ``"still"`` (noise only).
    Different seeds give shots that differ strongly in colour and layout;
    consecutive frames of one shot differ only a little.
    """
    if motion not in ("pan", "zoom", "still"):
        raise ValueError(f"unknown motion {motion!r}: choose pan, zoom or still")
    rng = np.random.default_rng(seed)
    w, h = size
    pan = motion == "pan"
    cw, ch = (w + n + 8, h + n // 2 + 8) if pan else (w, h)  # room to pan a pixel a frame
    y, x = np.mgrid[0:ch, 0:cw].astype(np.float32)
    canvas = rng.uniform(30, 225, 3) + (rng.uniform(-1, 1, 3) * 70) * (x / cw)[..., None]
    for _ in range(6):
        cx, cy, r = rng.uniform(0, cw), rng.uniform(0, ch), rng.uniform(12, 50) * w / 320
        mask = np.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r)))[..., None]
        canvas = canvas * (1 - mask) + rng.uniform(0, 255, 3) * mask
    canvas = np.clip(canvas, 0, 255).astype(np.uint8)
    out = np.empty((n, h, w, 3), np.uint8)
    noise = rng.integers(-2, 3, (4, h, w, 3), dtype=np.int16)
    for t in range(n):
        if pan:
            view = canvas[t // 2 : t // 2 + h, t : t + w]
        elif motion == "zoom":
            view = _zoom(canvas, 1.0 + 0.004 * t)
        else:
            view = canvas
        out[t] = np.clip(view.astype(np.int16) + noise[t % 4], 0, 255).astype(np.uint8)
    return out


def _zoom(image: np.ndarray, factor: float) -> np.ndarray:
    """The centre ``1/factor`` of ``image`` blown up to full size (nearest neighbour)."""
    h, w = image.shape[:2]
    rows = ((np.arange(h) - h / 2) / factor + h / 2).astype(int).clip(0, h - 1)
    cols = ((np.arange(w) - w / 2) / factor + w / 2).astype(int).clip(0, w - 1)
    return image[rows][:, cols]


@dataclass
class GroundTruth:
    """Where a montage's shots change; frame numbers are 0-based."""

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

    Frame numbers in the truth are 0-based. A cut's number is the first frame
    of the new shot. A dissolve of n frames blends the last n frames of one
    shot with the first n of the next (the shots overlap, so the video is n
    frames shorter than ``sum(shots)``); a fade darkens the last n frames of
    one shot towards black and brightens the first n of the next. ``gradual``
    holds each transition's first and last frame, inclusive.
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
                 write_truth: bool = True, **write_options) -> GroundTruth:
    """Write a montage (see :func:`montage_frames`) and return its ground truth.

    With ``write_truth`` the truth is also saved beside the video as
    ``<name>.truth.json``; ``write_options`` go to :func:`write_video`.
    """
    frames, truth = montage_frames(shots, transitions, size, fps, seed)
    path = Path(path)
    write_video(path, frames, fps, **write_options)
    if write_truth:
        truth.write(path.with_suffix(".truth.json"))
    return truth


# 3x5 bitmaps of the digits 0-9, one string of 15 cells per digit, row by row.
_DIGITS = ["111101101101111", "010110010010111", "111001111100111", "111001111001111",
           "101101111001001", "111100111001111", "111100111101111", "111001010010010",
           "111101111101111", "111101111001111"]


def draw_number(frame: np.ndarray, number: int, x: int, y: int, scale: int = 6,
                colour: tuple[int, int, int] = (255, 255, 255)) -> None:
    """Draw ``number`` into ``frame`` in place, top-left corner at (x, y)."""
    for k, ch in enumerate(str(number)):
        cells = np.array([c == "1" for c in _DIGITS[int(ch)]]).reshape(5, 3)
        glyph = np.kron(cells, np.ones((scale, scale), bool))
        x0 = x + k * 4 * scale
        region = frame[y : y + 5 * scale, x0 : x0 + 3 * scale]
        region[glyph[: region.shape[0], : region.shape[1]]] = colour


def counter_frames(n: int = 60, size: tuple[int, int] = (320, 180)) -> np.ndarray:
    """Frame ``t`` shows the number ``t`` and a bar ``(t+1)/n`` of the width long
    on a fixed background: every frame differs a little, nothing is a cut."""
    w, h = size
    frames = np.full((n, h, w, 3), 40, np.uint8)
    frames[:, :, :, 2] = 90
    scale = max(1, h // 18)
    for t in range(n):
        frames[t, 2 * h // 3 : 5 * h // 6, : int((t + 1) / n * w)] = (230, 200, 40)
        draw_number(frames[t], t, w // 20, h // 10, scale)
    return frames


def make_counter_clip(path: str | Path, n: int = 60, size: tuple[int, int] = (320, 180),
                      fps: float = 10.0, **write_options) -> Path:
    """A counter clip (see :func:`counter_frames`); options go to :func:`write_video`."""
    return write_video(path, counter_frames(n, size), fps, **write_options)


#: Colours of the quadrants of :func:`orientation_frames`, in reading order.
QUADRANTS = {"top_left": (230, 30, 30), "top_right": (30, 200, 30),
             "bottom_left": (30, 30, 230), "bottom_right": (240, 240, 240)}


def orientation_frames(n: int = 10, size: tuple[int, int] = (160, 96)) -> np.ndarray:
    """Four flat coloured quadrants (red, green / blue, white): any turn or
    mirror of a frame shows in which colour lands where."""
    w, h = size
    frames = np.empty((n, h, w, 3), np.uint8)
    frames[:, : h // 2, : w // 2] = QUADRANTS["top_left"]
    frames[:, : h // 2, w // 2 :] = QUADRANTS["top_right"]
    frames[:, h // 2 :, : w // 2] = QUADRANTS["bottom_left"]
    frames[:, h // 2 :, w // 2 :] = QUADRANTS["bottom_right"]
    return frames


# -- bad inputs ---------------------------------------------------------------------


def make_empty(path: str | Path) -> Path:
    """A zero-byte file."""
    Path(path).write_bytes(b"")
    return Path(path)


def make_text_file(path: str | Path) -> Path:
    """Plain text under a video's name (e.g. ``notes.mp4``)."""
    Path(path).write_text("meeting notes, not a video\n" * 50)
    return Path(path)


def make_audio_only(path: str | Path, seconds: float = 1.0) -> Path:
    """A sine tone in AAC with no video stream; use a suffix such as ``.m4a``."""
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
    """The first ``keep`` fraction of ``src``'s bytes, as a download cut short.

    An MP4 written by :func:`write_video` keeps its index (moov) at the end, so
    cutting it loses the index; pass ``container_options={"movflags":
    "faststart"}`` when writing to get one whose cut tail is still readable.
    """
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
    """A tiny file that declares an absurd frame size (FFV1; use ``.mkv``)."""
    frames = np.zeros((2, height, width, 3), np.uint8)
    return write_video(path, frames, 1.0, codec="ffv1", pix_fmt="yuv420p")
