"""Real photographs that installed Python packages ship, and montages of them.

The offline encoder's tests, its benchmark and a no-network demo need real
pictures with known content, and none may be downloaded or committed. These
packages carry some inside their wheels: scikit-image (``skimage/data``,
a test dependency), scikit-learn (``datasets/images``), matplotlib
(``mpl-data/sample_data``) and imgaug. Each :class:`Photo` says which labels
of the bundled default vocabulary describe it; ``hard=True`` marks pictures
of things ImageNet has no class for (kept in the benchmark to show the gap).

``python -m vidclip.encode.offline.photos OUT.mp4`` writes a montage of every
available photo: a real clip to point ``vidclip analyze`` at without network.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Frame size of generated montages (16:9); photos are fitted inside it.
MONTAGE_SIZE = (640, 360)


@dataclass(frozen=True)
class Photo:
    name: str
    package: str  # the import name of the package that ships it
    relpath: str  # inside that package
    labels: tuple[str, ...]  # default-vocabulary labels that describe it
    hard: bool = False  # its subject has no ImageNet class

    @property
    def path(self) -> Path | None:
        spec = importlib.util.find_spec(self.package)  # locates without importing
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))) / self.relpath
        return path if path.is_file() else None

    def load(self) -> np.ndarray:
        """``(H, W, 3)`` uint8 RGB; transparency is laid on white."""
        from PIL import Image

        path = self.path
        if path is None:
            raise FileNotFoundError(f"{self.package} is not installed: {self.relpath} is missing")
        with Image.open(path) as opened:
            image = opened.convert("RGBA") if opened.mode in ("RGBA", "LA", "P") else opened
            if image.mode == "RGBA":
                white = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(white, image)
            return np.asarray(image.convert("RGB"))


PHOTOS: tuple[Photo, ...] = (
    Photo("cat", "skimage", "data/chelsea.png", ("cat",)),
    Photo("coffee", "skimage", "data/coffee.png", ("cup of coffee",)),
    Photo("rocket", "skimage", "data/rocket.jpg", ("rocket launch",)),
    Photo("motorcycle", "skimage", "data/motorcycle_left.png", ("motorcycle", "motor scooter")),
    Photo("cameraman", "skimage", "data/camera.png",
          ("camera", "tripod", "photographer taking a picture", "person filming with a camera")),
    Photo("clock", "skimage", "data/clock_motion.png", ("clock",)),
    Photo("coins", "skimage", "data/coins.png", ("coins",)),
    Photo("moon", "skimage", "data/moon.png", ("moon", "night sky", "outer space")),
    Photo("galaxies", "skimage", "data/hubble_deep_field.jpg", ("outer space", "night sky")),
    Photo("horse", "skimage", "data/horse.png", ("horse",)),
    Photo("chinese temple", "sklearn", "datasets/images/china.jpg", ("temple",)),
    Photo("flower", "sklearn", "datasets/images/flower.jpg", ("flower field",)),
    Photo("quokka", "imgaug", "quokka.jpg", ("kangaroo",)),
    Photo("astronaut", "skimage", "data/astronaut.png", ("astronaut",), hard=True),
    Photo("grace hopper", "matplotlib", "mpl-data/sample_data/grace_hopper.jpg",
          ("soldier", "uniform", "woman"), hard=True),
)


def available_photos(names: list[str] | None = None) -> list[Photo]:
    """The photos whose package is installed (all of them, or those ``names``)."""
    wanted = PHOTOS if names is None else [p for p in PHOTOS if p.name in names]
    return [p for p in wanted if p.path is not None]


def fit_frame(image: np.ndarray, size: tuple[int, int] = MONTAGE_SIZE,
              zoom: float = 1.0) -> np.ndarray:
    """The whole image, scaled by ``zoom`` about its centre, inside a black ``size`` frame."""
    from PIL import Image

    w, h = size
    ih, iw = image.shape[:2]
    scale = min(w / iw, h / ih) * zoom
    nw, nh = max(1, round(iw * scale)), max(1, round(ih * scale))
    resized = np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.BILINEAR))
    out = np.zeros((h, w, 3), np.uint8)
    # Place centred; crop what a zoom pushed outside the frame.
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    sx, sy = max(0, -x0), max(0, -y0)
    dx, dy = max(0, x0), max(0, y0)
    cw, ch = min(nw - sx, w - dx), min(nh - sy, h - dy)
    out[dy : dy + ch, dx : dx + cw] = resized[sy : sy + ch, sx : sx + cw]
    return out


def photo_shot(image: np.ndarray, n: int, size: tuple[int, int] = MONTAGE_SIZE) -> np.ndarray:
    """``n`` frames of a slow push-in on the photo (so frames differ, as in real video)."""
    return np.stack([fit_frame(image, size, 1.0 + 0.08 * t / max(n - 1, 1)) for t in range(n)])


@dataclass(frozen=True)
class MontageScene:
    photo: Photo
    start_s: float
    end_s: float


def write_photo_montage(
    path: str | Path,
    photos: list[Photo] | None = None,
    *,
    seconds_each: float = 2.0,
    fps: float = 10.0,
    size: tuple[int, int] = MONTAGE_SIZE,
) -> list[MontageScene]:
    """An H.264 clip of the photos, one hard-cut shot each; returns where each one is."""
    from vidclip.testing.synthetic import write_video

    photos = available_photos() if photos is None else photos
    if not photos:
        raise ValueError("no photo to put in a montage: none of the photo packages is installed")
    per_shot = max(1, round(seconds_each * fps))
    loaded = [p.load() for p in photos]

    def frames():
        for image in loaded:
            yield from photo_shot(image, per_shot, size)

    write_video(path, frames(), fps)
    span = per_shot / fps
    return [MontageScene(p, i * span, (i + 1) * span) for i, p in enumerate(photos)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m vidclip.encode.offline.photos OUT.mp4", file=sys.stderr)
        return 2
    scenes = write_photo_montage(argv[0])
    for s in scenes:
        print(f"{s.start_s:6.1f}-{s.end_s:5.1f} s  {s.photo.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
