"""Frames with known text, rendered with Debian's fonts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def render(text: str, size: int = 56, width: int = 960, height: int = 540,
           light_on_dark: bool = True, y: float = 0.45) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    light, dark = (245, 245, 245), (20, 24, 40)
    back, ink = (dark, light) if light_on_dark else (light, dark)
    image = Image.new("RGB", (width, height), back)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size)
    x0, _, x1, _ = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (x1 - x0)) / 2, y * height), text, fill=ink, font=font)
    return np.asarray(image)


def gradient(width: int = 960, height: int = 540) -> np.ndarray:
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    return np.broadcast_to(ramp * np.array([0.3, 0.6, 1.0]), (height, width, 3)).astype(np.uint8)
