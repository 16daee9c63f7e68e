"""On-screen text accuracy on rendered frames, and the threshold sweep behind min_confidence.

    PYTHONPATH=$PWD python benchmarks/ocr.py [--frames-per-case 2]

Renders its own frames (DejaVu and Liberation fonts, 18-90 px, light on dark
and dark on light, flat / gradient / photo backgrounds from skimage.data,
lower thirds, a sign tilted 15 degrees, two-line subtitles, numbers and
dates, frames with no text), reads them with the bundled RapidOCR reader and
prints the precision/recall curve over min_confidence (every word, and by
kind), the words written on the text-free frames (flat, gradient, and
sixteen photos and textures from skimage.data: brick, grass, gravel, a
galaxy field, cells, ...), and the threshold it picks: precision first,
among the values that write nothing on a text-free frame, then recall
(docs/on-screen-text.md). Timing error and the cost against the whole
analysis are ``benchmarks/ocr_cost.py``'s.
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
#: skimage.data pictures with no writing in them (coins, clock, page, text,
#: logo and rocket have some), as text-free frames.
TEXT_FREE = ["astronaut", "brick", "camera", "cat", "chelsea", "coffee", "colorwheel",
             "grass", "gravel", "horse", "hubble_deep_field", "immunohistochemistry",
             "moon", "retina", "checkerboard", "binary_blobs"]
#: Written on the scene (only here: ocr_cost.py's clip cycles through TEXTS).
SCENE_TEXTS = ["HOTEL", "Harbour Road 12", "OPEN DAILY", "Platform 4", "SALE 50%",
               "Fresh bread", "NO ENTRY", "Museum of Art"]
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


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

    if kind == "scene":
        return _scene_text(text, back, rng)
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


def _scene_text(text: str, back: np.ndarray, rng: random.Random) -> np.ndarray:
    """Text written on the scene itself: no plate, 16-24 px, an ink only ~80 grey
    levels from the picture under it (a shop sign, a poster far away): the hard
    case that puts the recogniser's confidence to work."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(rng.choice([f for f in FONTS if f.exists()])),
                              rng.randint(16, 24))
    image = Image.fromarray(back).convert("RGB")
    draw = ImageDraw.Draw(image)
    box = draw.textbbox((0, 0), text, font=font)
    x = rng.randint(40, WIDTH - 40 - (box[2] - box[0]))
    y = rng.randint(40, HEIGHT - 80)
    under = float(back[y:y + box[3], x:x + box[2]].mean())
    ink = int(under - 80 if under > 128 else under + 80)
    draw.text((x, y), text, font=font, fill=(ink, ink, ink))
    return np.asarray(image)


def texture(rng: random.Random) -> np.ndarray:
    import skimage.data
    from PIL import Image

    picture = getattr(skimage.data, rng.choice(["brick", "grass", "gravel", "coffee"]))()
    return np.asarray(Image.fromarray(picture).convert("RGB").resize((WIDTH, HEIGHT)))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_free() -> list[np.ndarray]:
    """The text-free frames: flat dark and light, a gradient, the photos at 1280 x 720."""
    import skimage.data
    from PIL import Image

    frames = [np.full((HEIGHT, WIDTH, 3), v, np.uint8) for v in (20, 235)]
    frames.append(background("gradient", random.Random(0)))
    for name in TEXT_FREE:
        picture = np.asarray(getattr(skimage.data, name)())
        picture = (picture > 0).astype(np.uint8) * 255 if picture.dtype == bool else picture
        image = Image.fromarray(picture.astype(np.uint8)).convert("RGB")
        frames.append(np.asarray(image.resize((WIDTH, HEIGHT))))
    return frames


def score(cases, read, threshold: float) -> tuple[dict[str, list[int]], list[str]]:
    """Per kind [truth words found, truth words, written words right, written words],
    and the words written on text-free frames, at ``threshold``."""
    from vidclip.ocr.track import blocks

    stats: dict[str, list[int]] = {}
    blank: list[str] = []
    for (kind, text, _), lines in zip(cases, read):
        got = [w for b in blocks(lines, threshold) for w in words(b.text)]
        if kind == "none":
            blank.extend(got)
            continue
        truth = words(text)
        s = stats.setdefault(kind, [0, 0, 0, 0])
        s[0] += sum(1 for w in truth if w in got)
        s[1] += len(truth)
        s[2] += sum(1 for w in got if w in truth)
        s[3] += len(got)
    return stats, blank


#: The kinds graphics put on screen (the issue's titles, names, subtitles, signs, dates);
#: "scene" is writing in the picture itself, small and without a plate.
OVERLAYS = ("title", "lower_third", "subtitle", "sign", "numbers")
#: How far above the most confident reading of a text-free frame the threshold sits.
MARGIN = 0.05


def extremes(cases, read) -> tuple[float, float]:
    """The highest confidence of any line read on a text-free frame (before the
    shape filter), and the lowest of a line read right on an overlay."""
    blank = [x.confidence for (k, _, _), lines in zip(cases, read) if k == "none" for x in lines]
    right = [x.confidence for (k, text, _), lines in zip(cases, read) if k in OVERLAYS
             for x in lines if words(x.text) and all(w in words(text) for w in words(x.text))]
    return max(blank, default=0.0), min(right, default=1.0)


def pick(top_blank: float, low_right: float) -> float | None:
    """Precision first: the lowest listed threshold at least ``MARGIN`` above every
    reading of a text-free frame, so nothing is written there even without the
    shape filter's help; below that, recall (the lowest such value). None when it
    would cut a right overlay line: the text-free readings and the overlays then
    overlap, and no threshold separates them."""
    above = [t for t in THRESHOLDS if t >= top_blank + MARGIN]
    return above[0] if above and above[0] <= low_right else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames-per-case", type=int, default=2)
    parser.add_argument("--det-side", type=int, default=None,
                        help="the detector's long side (default: the reader's)")
    args = parser.parse_args()
    import time

    from vidclip.config import TextOptions
    from vidclip.ocr.rapidocr_backend import RapidOCRReader
    from vidclip.ocr.track import blocks

    rng = random.Random(22)
    cases: list[tuple[str, str, np.ndarray]] = []
    for kind, texts in TEXTS.items():
        for text in texts:
            for back in ("flat", "gradient", "photo")[: max(1, args.frames_per_case + 1)]:
                cases.append((kind, text, render(kind, text, background(back, rng), rng)))
    for text in SCENE_TEXTS:
        for _ in range(max(1, args.frames_per_case)):
            cases.append(("scene", text, render("scene", text, texture(rng), rng)))
    cases.extend(("none", "", frame) for frame in text_free())
    reader = RapidOCRReader(**({"det_side": args.det_side} if args.det_side else {}))
    reader.load()
    started = time.perf_counter()
    read = reader.read([frame for _, _, frame in cases])
    seconds = time.perf_counter() - started
    print(f"{len(cases)} frames, {sum(k == 'none' for k, _, _ in cases)} without text; "
          f"read in {seconds:.1f} s ({seconds / len(cases):.3f} s a frame)")
    curve = []
    print(f"{'min_conf':>8} {'recall':>7} {'precision':>9} {'words on blank':>14} "
          f"{'overlay recall':>14}")
    for threshold in THRESHOLDS:
        stats, blank = score(cases, read, threshold)
        hit, total, right, found = (sum(s[i] for s in stats.values()) for i in range(4))
        overlay = [s for kind, s in stats.items() if kind in OVERLAYS]
        overlay_recall = sum(s[0] for s in overlay) / max(sum(s[1] for s in overlay), 1)
        curve.append((threshold, hit / max(total, 1), right / max(found, 1), len(blank)))
        wrong = [w for (k, text, _), lines in zip(cases, read) if k != "none"
                 for b in blocks(lines, threshold) for w in words(b.text) if w not in words(text)]
        print(f"{threshold:>8.2f} {curve[-1][1]:>7.3f} {curve[-1][2]:>9.3f} {len(blank):>14} "
              f"{overlay_recall:>14.3f}  "
              f"wrong: {' '.join(wrong[:8])}"
              + (f"; on blank: {' '.join(blank[:6])}" if blank else ""))
    top_blank, low_right = extremes(cases, read)
    chosen, current = pick(top_blank, low_right), TextOptions().min_confidence
    print(f"\nmost confident reading on a text-free frame (before the shape filter): "
          f"{top_blank:.3f}; least confident right overlay line: {low_right:.3f}")
    if chosen is None:
        print("no listed threshold is clean on text-free frames and keeps the overlays")
    for label, threshold in (("picked", chosen), ("configured", current)):
        if threshold is None:
            continue
        stats, blank = score(cases, read, threshold)
        print(f"\n{label}: min_confidence {threshold:.2f}; words on text-free frames: "
              f"{len(blank)}")
        print(f"{'kind':>12} {'recall':>7} {'precision':>9}")
        for kind, (hit, total, right, found) in stats.items():
            print(f"{kind:>12} {hit / max(total, 1):>7.3f} {right / max(found, 1):>9.3f}")


if __name__ == "__main__":
    main()
