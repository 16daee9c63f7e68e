"""Synthetic frame sequences with known shot boundaries (no video encoding).

Every shot is a seamless (periodic) colour texture -- a sum of random
sinusoids mapped through its own palette -- seen through a window that pans
and zooms, plus a little sensor noise, so no two frames are identical.
:class:`Montage` strings shots together with cuts, dissolves and fades and
records the ground truth in the terms of :mod:`vidclip.segment.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vidclip.config import SceneOptions
from vidclip.decode.types import FrameBatch
from vidclip.segment import SceneDetector, SceneSpan

TEX_H, TEX_W = 256, 512


def palette(rng: np.random.Generator, similar_to: np.ndarray | None = None) -> np.ndarray:
    """Four RGB colours; with ``similar_to``, a slight variation of that palette."""
    if similar_to is not None:
        return np.clip(similar_to + rng.normal(0, 12, similar_to.shape), 0, 255)
    hue = rng.uniform(0, 2 * np.pi)
    base = 128 + 90 * np.cos(hue + np.array([0, 2.1, 4.2]))
    lights = rng.permutation(np.linspace(0.35, 1.2, 4))
    jitter = rng.normal(0, 25, (4, 3))
    return np.clip(base[None, :] * lights[:, None] + jitter, 0, 255)


def texture(rng: np.random.Generator, colours: np.ndarray, size: int = 1) -> np.ndarray:
    """A (size * TEX_H, size * TEX_W, 3) float32 periodic texture coloured by ``colours``."""
    th, tw = size * TEX_H, size * TEX_W
    y = np.arange(th, dtype=np.float32)[:, None] / th
    x = np.arange(tw, dtype=np.float32)[None, :] / tw
    values = np.zeros((th, tw), np.float32)
    for _ in range(10):
        fy, fx = rng.integers(size, 9 * size), rng.integers(size, 15 * size)
        amp = 1.0 / np.hypot(fy, fx)
        values += amp * np.sin(2 * np.pi * (fy * y + fx * x) + rng.uniform(0, 2 * np.pi))
    values = (values - values.min()) / (np.ptp(values) + 1e-6) * (len(colours) - 1)
    levels = np.arange(len(colours))
    return np.stack([np.interp(values, levels, colours[:, c]) for c in range(3)], -1).astype(
        np.float32
    )


@dataclass
class Shot:
    """A moving view of one texture: ``pan`` in pixels per frame, ``zoom`` per frame."""

    tex: np.ndarray
    colours: np.ndarray
    pan: tuple[float, float] = (0.7, 0.4)
    zoom: float = 0.0
    start: tuple[float, float] = (0.0, 0.0)

    def moved(self, dy: float, dx: float) -> "Shot":
        """The same scene seen from elsewhere (for jump cuts)."""
        return Shot(self.tex, self.colours, self.pan, self.zoom,
                    (self.start[0] + dy, self.start[1] + dx))  # fmt: skip

    def render(self, first: int, count: int, h: int, w: int) -> np.ndarray:
        t = np.arange(first, first + count, dtype=np.float32)[:, None]
        scale = (1.0 + self.zoom) ** t  # > 1 zooms in
        ys = np.arange(h, dtype=np.float32)[None, :] - h / 2
        xs = np.arange(w, dtype=np.float32)[None, :] - w / 2
        th, tw = self.tex.shape[:2]
        yy = np.round(self.start[0] + self.pan[1] * t + ys / scale).astype(np.int64) % th
        xx = np.round(self.start[1] + self.pan[0] * t + xs / scale).astype(np.int64) % tw
        return self.tex[yy[:, :, None], xx[:, None, :]]


def random_shot(
    rng: np.random.Generator, speed: float = 1.0, colours: np.ndarray | None = None
) -> Shot:
    angle = rng.uniform(0, 2 * np.pi)
    # Fast pans get a larger texture so that they do not wrap round to a
    # view seen a second earlier.
    size = 1 if speed < 4 else 3
    colours = palette(rng) if colours is None else colours
    return Shot(
        texture(rng, colours, size),
        colours,
        pan=(speed * np.cos(angle), speed * np.sin(angle)),
        zoom=float(rng.choice([0.0, 0.002, -0.002])),
        start=(float(rng.uniform(0, TEX_H)), float(rng.uniform(0, TEX_W))),
    )


@dataclass
class Montage:
    """Frames plus ground truth: ``cuts`` (first frame of the new shot) and
    ``gradual`` transitions as ``[start, end)`` frame ranges."""

    h: int = 224
    w: int = 398
    fps: float = 30.0
    seed: int = 0
    frames: list[np.ndarray] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    gradual: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self._noise = self.rng.normal(0, 2.0, (7, self.h, self.w, 3)).astype(np.float32)
        self._shot: Shot | None = None
        self._age = 0

    def __len__(self) -> int:
        return sum(len(f) for f in self.frames)

    def _emit(self, frames: np.ndarray) -> None:
        start = len(self)
        noise = self._noise[(np.arange(len(frames)) + start) % len(self._noise)]
        self.frames.append(np.clip(frames + noise, 0, 255).astype(np.uint8))

    def shot(self, count: int, shot: Shot | None = None, how: str = "cut", **kw) -> "Montage":
        """Append ``count`` frames of a new shot, joined by ``how``:
        ``cut``, ``dissolve`` (``length``) or ``fade`` (``out``, ``hold``, ``into``)."""
        new = shot or random_shot(self.rng)
        if self._shot is None:
            self._emit(new.render(0, count, self.h, self.w))
        elif how == "cut":
            self.cuts.append(len(self))
            self._emit(new.render(0, count, self.h, self.w))
        elif how == "dissolve":
            n = kw.get("length", 15)
            old = self._shot.render(self._age, n, self.h, self.w)
            alpha = (np.arange(1, n + 1, dtype=np.float32) / (n + 1))[:, None, None, None]
            self.gradual.append((len(self), len(self) + n))
            self._emit((1 - alpha) * old + alpha * new.render(0, n, self.h, self.w))
            self._emit(new.render(n, count - n, self.h, self.w))
        elif how == "fade":
            out, hold, into = kw.get("out", 12), kw.get("hold", 2), kw.get("into", 12)
            start = len(self)
            down = (1 - np.arange(1, out + 1, dtype=np.float32) / out)[:, None, None, None]
            self._emit(down * self._shot.render(self._age, out, self.h, self.w))
            self._emit(np.zeros((hold, self.h, self.w, 3), np.float32))
            up = (np.arange(1, into + 1, dtype=np.float32) / (into + 1))[:, None, None, None]
            self._emit(up * new.render(0, into, self.h, self.w))
            self.gradual.append((start, len(self)))
            self._emit(new.render(into, count - into, self.h, self.w))
        else:
            raise ValueError(f"unknown transition {how!r}")
        self._shot, self._age = new, count
        return self

    @classmethod
    def of(cls, frames: np.ndarray, fps: float = 30.0) -> "Montage":
        """Wrap ready-made frames (no ground truth)."""
        m = cls(h=frames.shape[1], w=frames.shape[2], fps=fps)
        m.frames = [frames]
        return m

    @property
    def last(self) -> Shot:
        if self._shot is None:
            raise ValueError("the montage has no shot yet")
        return self._shot

    def flash(self, at: int, length: int = 1) -> "Montage":
        """Overexpose frames ``at .. at+length-1`` (a photo flash: not a boundary)."""
        video = self.array()
        video[at : at + length] = np.clip(video[at : at + length] * 0.3 + 190, 0, 255)
        self.frames = [video]
        return self

    def array(self) -> np.ndarray:
        return np.concatenate(self.frames) if self.frames else np.zeros((0, self.h, self.w, 3))

    def batches(self, chunk: int = 32):
        video = self.array()
        times = np.arange(len(video)) / self.fps
        for i in range(0, len(video), chunk):
            sl = slice(i, i + chunk)
            yield FrameBatch(video[sl], times[sl], np.arange(len(video))[sl])

    @property
    def duration_s(self) -> float:
        return len(self) / self.fps


def mixed_montage(seed: int, h: int = 112, w: int = 200, transitions: int = 8) -> Montage:
    """Shots of 1.5-3.3 s joined by cuts (also between look-alike palettes and
    into fast pans), dissolves of 6-30 frames and short fades through black."""
    m = Montage(h=h, w=w, seed=seed)
    rng = m.rng
    m.shot(int(rng.integers(40, 90)))
    for _ in range(transitions):
        kind = rng.choice(["cut", "cut", "cut", "dissolve", "fade", "similar", "fast"])
        n = int(rng.integers(45, 100))
        if kind == "dissolve":
            m.shot(n, how="dissolve", length=int(rng.integers(6, 31)))
        elif kind == "fade":
            out, hold, into = (int(x) for x in rng.integers([4, 0, 4], [16, 5, 16]))
            m.shot(n, how="fade", out=out, hold=hold, into=into)
        elif kind == "similar":
            m.shot(n, shot=random_shot(rng, colours=palette(rng, similar_to=m.last.colours)))
        elif kind == "fast":
            m.shot(n, shot=random_shot(rng, speed=float(rng.uniform(10, 25))))
        else:
            m.shot(n)
    return m


def jump_cuts(seed: int, shots: int = 6, h: int = 112, w: int = 200) -> Montage:
    """One texture seen from several places in turn: cuts within the same look."""
    m = Montage(h=h, w=w, seed=seed)
    m.shot(50)
    first = m.last
    for i in range(1, shots):
        m.shot(50, shot=first.moved(13 * i, 40 * i))
    return m


def counter_frames(count: int = 60, h: int = 224, w: int = 398, seed: int = 3) -> np.ndarray:
    """A still background with a frame counter drawn in blocks: every frame differs a little."""
    rng = np.random.default_rng(seed)
    base = texture(rng, palette(rng))[:h, :w].copy()
    frames = np.repeat(base[None], count, axis=0)
    digits = rng.integers(0, 2, (10, 5, 3)).astype(bool)  # a 5x3 bitmap per digit
    cell = max(4, h // 28)
    for i in range(count):
        for place, digit in enumerate(f"{i:04d}"):
            glyph = np.kron(digits[int(digit)], np.ones((cell, cell), bool))
            y0, x0 = h - 7 * cell, w - (4 - place) * 4 * cell - cell
            frames[i, y0 : y0 + glyph.shape[0], x0 : x0 + glyph.shape[1]][glyph] = 250.0
    return frames.astype(np.uint8)


def run(
    montage: Montage,
    options: SceneOptions | None = None,
    chunk: int = 32,
    **finish: object,
) -> tuple[SceneDetector, list[SceneSpan]]:
    """Stream a montage through a fresh detector; returns it and its scenes."""
    detector = SceneDetector(options, fps_hint=montage.fps)
    for batch in montage.batches(chunk):
        detector.observe(batch)
    scenes = detector.finish(total_frames=len(montage), duration_s=montage.duration_s, **finish)
    return detector, scenes


def boundaries(scenes: list[SceneSpan]) -> list[int]:
    """First frames of every scene but the first."""
    return [s.start_frame for s in scenes[1:]]
