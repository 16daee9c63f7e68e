"""On-screen text accuracy on rendered frames, and the threshold sweep behind min_confidence.

    PYTHONPATH=$PWD python benchmarks/ocr.py [--frames-per-case 3]

Renders its own frames (DejaVu and Liberation fonts, 18-90 px, light on dark
and dark on light, flat / gradient / photo backgrounds from skimage.data,
lower thirds, a sign tilted 15 degrees, two-line subtitles, numbers and
dates, frames with no text), reads them with the bundled RapidOCR reader and
prints word recall and precision by kind, and the words written on text-free
frames, for several min_confidence values.

Not yet measured here (issue 22, left): timing error of appear/disappear and
the reading cost against the whole analysis on a 60 s clip.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import numpy as np

FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
         Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
         Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")]
TEXTS = {"title": ["GRAND OPENING SATURDAY", "THE HARBOUR MASTER", "CHAPTER TWO"],
         "lower_third": ["Maria Lopez, harbour master", "Dr Ken Adams, surgeon"],
         "subtitle": ["Where were you last night?\nI was at the station.",
                      "We leave at dawn."],
         "sign": ["NO PARKING", "EXIT"],
         "numbers": ["12 March 2024", "Open 9:30 - 17:00"]}
WIDTH, HEIGHT = 1280, 720
_WORD = re.compile(r"[a-z0-9:]+")


def background(kind: str, rng: random.Random) -> np.ndarray:
    import skimage.data
    from PIL import Image

    if kind == "flat":
        return np.full((HEIGHT, WIDTH, 3), rng.choice([20, 235]), np.uint8)
    if kind == "gradient":
        ramp = np.linspace(0, 255, WIDTH, dtype=np.float32)[None, :, None]
        return np.broadcast_to(ramp * np.array([0.4, 0.7, 1.0]),
                               (HEIGHT, WIDTH, 3)).astype(np.uint8)
    photo = rng.choice([skimage.data.chelsea, skimage.data.coffee, skimage.data.astronaut])()
    return np.asarray(Image.fromarray(photo).resize((WIDTH, HEIGHT)))


def render(kind: str, text: str, back: np.ndarray, rng: random.Random) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    size = {"title": rng.randint(48, 90), "lower_third": rng.randint(24, 36),
            "subtitle": rng.randint(28, 40), "sign": rng.randint(40, 70),
            "numbers": rng.randint(18, 60)}[kind]
    font = ImageFont.truetype(str(rng.choice([f for f in FONTS if f.exists()])), size)
    layer = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    box = draw.multiline_textbbox((0, 0), text, font=font, align="center")
    w, h = box[2] - box[0], box[3] - box[1]
    x, y = {"title": ((WIDTH - w) / 2, HEIGHT * 0.4),
            "lower_third": (WIDTH * 0.06, HEIGHT * 0.78),
            "subtitle": ((WIDTH - w) / 2, HEIGHT * 0.92 - h),
            "sign": ((WIDTH - w) / 2, HEIGHT * 0.3),
            "numbers": (WIDTH * 0.6, HEIGHT * 0.1)}[kind]
    pad = size // 3
    # A plate behind the text: light on dark or dark on light, as real graphics do.
    dark = rng.random() < 0.5
    draw.rectangle((x - pad, y - pad, x + w + pad, y + h + pad),
                   fill=(15, 15, 25, 220) if dark else (240, 240, 230, 230))
    draw.multiline_text((x, y), text, font=font, align="center",
                        fill=(250, 250, 250, 255) if dark else (10, 10, 10, 255))
    if kind == "sign":
        layer = layer.rotate(15, center=(WIDTH / 2, HEIGHT * 0.35))
    image = Image.fromarray(back).convert("RGBA")
    return np.asarray(Image.alpha_composite(image, layer).convert("RGB"))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames-per-case", type=int, default=2)
    args = parser.parse_args()
    from vidclip.ocr.rapidocr_backend import RapidOCRReader
    from vidclip.ocr.track import blocks

    rng = random.Random(22)
    cases: list[tuple[str, str, np.ndarray]] = []
    for kind, texts in TEXTS.items():
        for text in texts:
            for back in ("flat", "gradient", "photo")[: max(1, args.frames_per_case + 1)]:
                cases.append((kind, text, render(kind, text, background(back, rng), rng)))
    for back in ("flat", "gradient", "photo", "photo", "photo"):
        cases.append(("none", "", background(back, rng)))
    reader = RapidOCRReader()
    read = reader.read([frame for _, _, frame in cases])
    print(f"{len(cases)} frames, {sum(k == 'none' for k, _, _ in cases)} without text")
    print(f"{'min_conf':>8} {'kind':>12} {'recall':>7} {'precision':>9} {'words on blank':>14}")
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        stats: dict[str, list[int]] = {}
        blank = 0
        for (kind, text, _), lines in zip(cases, read):
            got = [w for b in blocks(lines, threshold) for w in words(b.text)]
            if kind == "none":
                blank += len(got)
                continue
            truth = words(text)
            hit = sum(1 for w in truth if w in got)
            right = sum(1 for w in got if w in truth)
            s = stats.setdefault(kind, [0, 0, 0, 0])
            s[0] += hit; s[1] += len(truth); s[2] += right; s[3] += len(got)  # noqa: E702
        for kind, (hit, total, right, found) in stats.items():
            print(f"{threshold:>8.2f} {kind:>12} {hit / max(total, 1):>7.3f} "
                  f"{right / max(found, 1):>9.3f} {blank:>14}")


if __name__ == "__main__":
    main()
