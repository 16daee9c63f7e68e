"""Montage videos with known shot boundaries, made from real photographs.

Shots are photographs that ship inside scikit-image (``skimage.data``),
each seen through a camera that slowly zooms or pans over it, joined by
hard cuts, dissolves and fades through black. The ground truth is written
beside the video as ``<name>.json`` in the terms of
:func:`vidclip.segment.evaluate.boundary_prf`: ``cuts`` are the first frame
of the new shot, ``gradual`` transitions are ``[start, end)`` frame ranges
whose ``end`` is the first clean frame of the new shot.

Frames are streamed into the encoder, so a 2-hour clip never sits in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from vidclip.testing.synthetic import write_video

#: Colour photographs, plus three grey ones of objects for variety (they
#: become grey RGB). The grey textures (brick, grass, gravel) are left out:
#: cuts between them are a test of texture statistics, not of footage.
PHOTOS = (
    "astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry",
    "hubble_deep_field", "retina", "colorwheel", "camera", "coins", "clock",
)  # fmt: skip


def load_photos() -> dict[str, np.ndarray]:
    """Name -> RGB uint8 photograph, from the files scikit-image ships."""
    import skimage.data

    out = {}
    for name in PHOTOS:
        img = np.asarray(getattr(skimage.data, name)())
        if img.ndim == 2:
            img = np.repeat(img[:, :, None], 3, axis=2)
        out[name] = np.ascontiguousarray(img[:, :, :3]).astype(np.uint8)
    left, _right, _disparity = skimage.data.stereo_motorcycle()
    out["motorcycle"] = np.ascontiguousarray(left)
    return out


@dataclass
class Shot:
    """A camera over one photo: its centre and zoom glide linearly over ``length`` frames."""

    photo: str
    length: int
    zoom: tuple[float, float]  # relative to the scale that just covers the frame
    centre0: tuple[float, float]  # (x, y) as a fraction of the free range, 0..1
    centre1: tuple[float, float]

    def frame(self, img: np.ndarray, t: int, h: int, w: int) -> np.ndarray:
        import cv2

        ph, pw = img.shape[:2]
        a = max(t / max(self.length - 1, 1), 0.0)  # > 1 past the end: the motion goes on
        scale = max(w / pw, h / ph) * (self.zoom[0] + a * (self.zoom[1] - self.zoom[0]))
        half_w, half_h = w / (2 * scale), h / (2 * scale)
        fx = self.centre0[0] + a * (self.centre1[0] - self.centre0[0])
        fy = self.centre0[1] + a * (self.centre1[1] - self.centre0[1])
        cx = half_w + fx * max(pw - 2 * half_w, 0.0)
        cy = half_h + fy * max(ph - 2 * half_h, 0.0)
        m = np.array([[scale, 0, w / 2 - scale * cx], [0, scale, h / 2 - scale * cy]])
        return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


@dataclass
class Transition:
    kind: str  # cut | dissolve | fade
    start: int  # first frame of the transition (for a cut: first frame of the new shot)
    end: int  # first clean frame of the new shot


@dataclass
class Truth:
    fps: float
    frames: int
    width: int
    height: int
    cuts: list[int] = field(default_factory=list)
    gradual: list[tuple[int, int]] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    shots: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> "Truth":
        raw = json.loads(Path(path).read_text())
        raw["gradual"] = [tuple(g) for g in raw["gradual"]]
        raw["transitions"] = [Transition(**t) for t in raw["transitions"]]
        return cls(**raw)


def truth_path(video: Path) -> Path:
    return video.with_suffix(".json")


def _random_shot(rng: np.random.Generator, photo: str, length: int) -> Shot:
    if rng.random() < 0.5:  # slow zoom in or out around a fixed point
        z = (1.0, float(rng.uniform(1.15, 1.35)))
        zoom = z if rng.random() < 0.5 else z[::-1]
        c = (float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.8)))
        return Shot(photo, length, zoom, c, c)
    z = float(rng.uniform(1.2, 1.5))  # a pan across the photo at a fixed zoom
    x0, x1 = (0.05, 0.95) if rng.random() < 0.5 else (0.95, 0.05)
    y0, y1 = rng.uniform(0.1, 0.9, 2)
    return Shot(photo, length, (z, z), (x0, float(y0)), (x1, float(y1)))


def plan(
    rng: np.random.Generator, fps: float, seconds: float, names: list[str],
    shot_s: tuple[float, float] = (1.5, 6.0),
) -> tuple[list[Shot], list[tuple[str, dict]]]:
    """Shots covering ``seconds`` and how each one after the first begins."""
    shots, joins, total, last = [], [], 0, None
    target = int(round(seconds * fps))
    while total < target:
        length = int(rng.uniform(*shot_s) * fps)
        if target - total - length < shot_s[0] * fps:  # no stub of a shot at the end
            length = target - total
        photo = str(rng.choice([n for n in names if n != last]))
        shots.append(_random_shot(rng, photo, max(length, 1)))
        kind = str(rng.choice(["cut", "cut", "dissolve", "fade"]))
        if kind == "dissolve":
            joins.append(("dissolve", {"length": int(rng.integers(8, 31))}))
        elif kind == "fade":
            joins.append(("fade", {"out": int(rng.integers(6, 21)), "hold": int(rng.integers(0, 5)),
                                   "into": int(rng.integers(6, 21))}))
        else:
            joins.append(("cut", {}))
        total, last = total + length, photo
    return shots, joins[1:]


def render(
    shots: list[Shot], joins: list[tuple[str, dict]], photos: dict[str, np.ndarray],
    h: int, w: int, truth: Truth,
) -> Iterator[np.ndarray]:
    """Yield every frame; fill ``truth`` with the transitions as it goes.

    A transition takes its frames from the start of the new shot (a
    dissolve also shows the old shot going on past its last clean frame).
    """
    pos = 0
    for i, shot in enumerate(shots):
        img = photos[shot.photo]
        t = 0
        if i:
            kind, kw = joins[i - 1]
            prev, prev_img = shots[i - 1], photos[shots[i - 1].photo]
            if kind == "dissolve":
                n = min(kw["length"], shot.length - 1)
                for k in range(n):
                    a = (k + 1) / (n + 1)
                    old = prev.frame(prev_img, prev.length + k, h, w).astype(np.float32)
                    yield ((1 - a) * old + a * shot.frame(img, k, h, w)).astype(np.uint8)
                t = n
            elif kind == "fade":
                out, hold, into = kw["out"], kw["hold"], kw["into"]
                n = min(out + hold + into, shot.length - 1)
                for k in range(n):
                    if k < out:
                        dim = 1 - (k + 1) / out
                        yield (prev.frame(prev_img, prev.length + k, h, w) * dim).astype(np.uint8)
                    elif k < out + hold:
                        yield np.zeros((h, w, 3), np.uint8)
                    else:
                        a = (k - out - hold + 1) / (into + 1)
                        yield (shot.frame(img, k, h, w) * a).astype(np.uint8)
                t = n
            if kind == "cut" or t == 0:
                truth.cuts.append(pos)
                truth.transitions.append(Transition("cut", pos, pos))
            else:
                truth.gradual.append((pos, pos + t))
                truth.transitions.append(Transition(kind, pos, pos + t))
        for k in range(t, shot.length):
            yield shot.frame(img, k, h, w)
        truth.shots.append(shot.photo)
        pos += shot.length


def _counted(frames: Iterator[np.ndarray], counter: list[int]) -> Iterator[np.ndarray]:
    for frame in frames:
        counter[0] += 1
        yield frame


def make_montage(
    path: Path, *, seconds: float, width: int, height: int, fps: float, seed: int = 0,
    shot_s: tuple[float, float] = (1.5, 6.0), crf: int = 20, preset: str = "veryfast",
) -> Truth:
    """Write (or reuse, when video and truth exist) a montage and its ground truth."""
    path = Path(path)
    if path.exists() and truth_path(path).exists():
        return Truth.load(truth_path(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    photos = load_photos()
    rng = np.random.default_rng(seed)
    shots, joins = plan(rng, fps, seconds, sorted(photos), shot_s)
    truth = Truth(fps=fps, frames=0, width=width, height=height)
    tmp = path.with_name(path.stem + ".partial" + path.suffix)
    count = [0]
    # An ordinary archive encode (B-frames, 250-frame GOP), not the test suite's
    # zero-latency one, so decoding costs what it costs on real files.
    write_video(tmp, _counted(render(shots, joins, photos, height, width, truth), count), fps,
                options={"preset": preset, "tune": "film", "crf": str(crf), "g": "250"})
    truth.frames = count[0]
    tmp.replace(path)
    truth.save(truth_path(path))
    return truth


def montage_set(folder: Path, smoke: bool = False) -> list[Path]:
    """The scene benchmark's videos (generated once into ``folder``)."""
    if smoke:
        specs = [("smoke", 10.0, 320, 180, 25.0, 11)]
    else:
        specs = [
            ("montage-a", 45.0, 640, 360, 30.0, 1),
            ("montage-b", 45.0, 640, 360, 25.0, 2),
            ("montage-c", 45.0, 640, 360, 24.0, 3),
            ("montage-d", 45.0, 854, 480, 30000 / 1001, 4),
        ]
    paths = []
    for name, seconds, w, h, fps, seed in specs:
        path = Path(folder) / f"{name}.mp4"
        make_montage(path, seconds=seconds, width=w, height=h, fps=fps, seed=seed)
        paths.append(path)
    return paths


if __name__ == "__main__":  # python benchmarks/montage.py OUT.mp4 SECONDS W H FPS
    import sys

    out, secs, w_, h_, fps_ = sys.argv[1:6]
    t = make_montage(Path(out), seconds=float(secs), width=int(w_), height=int(h_), fps=float(fps_))
    print(f"{out}: {t.frames} frames, {len(t.cuts)} cuts, {len(t.gradual)} gradual")
