"""Did a looked-at frame change since the last one read? A cheap test before the detector.

The detector is most of the cost of reading, so a frame is read again only
when something on it may have changed. The test works on a grey thumbnail of
320 x 180 (180 x 320 upright for vertical video), about a quarter of the
frame's side, cut into tiles of ``TILE`` x ``TILE`` pixels:

1. A slow camera drift moves the whole picture: the shift between the two
   thumbnails is found by phase correlation and, when it is small (at most
   ``MAX_SHIFT`` thumbnail pixels), the earlier thumbnail is compared at that
   shift as well as unmoved; the better of the two comparisons counts (one
   shift for the whole picture: the best shift per tile would let a moved
   title hide in the place it moved from). A band of ``EDGE`` pixels round
   the frame is left out, where a drift brings new picture in.
2. Sub-pixel motion and compression noise are forgiven: a pixel differs only
   by how far its value lies outside the range of the other thumbnail's 3 x 3
   neighbourhood (in both directions), so an edge that moved by less than a
   thumbnail pixel scores nothing.
3. The frame changed when the mean of that difference over any one tile is
   above ``CHANGED`` (0-255). One tile, not the whole frame: a subtitle that
   replaces another on the same plate changes a strip of the picture, which
   a whole-frame mean hides (the earlier test, a whole-frame mean on 64 x 36,
   missed most such changes on ``benchmarks/ocr.py``'s frames).

The values were measured on ``benchmarks/ocr.py``'s frames over flat, gradient
and photo backgrounds: a drift of 1-30 px scored at most 4.3 (most under 3),
noise of +-6 grey levels 1.6, a subtitle, lower third or date replaced by
another text on the same plate at least 4.1 (most over 8), text appearing at
least 13. ``CHANGED`` sits below the replaced texts: when in doubt, read.
"""

from __future__ import annotations

import numpy as np

Box = tuple[float, float, float, float]

#: Thumbnail size (rows, columns) for a landscape frame; a portrait one is transposed.
SIZE = (180, 320)
TILE = 20
#: A drift larger than this (thumbnail pixels, ~4 px at 720p each) is not forgiven.
MAX_SHIFT = 8
#: A band this wide (thumbnail pixels) round the edge is not compared: a drift
#: brings new picture in there, and text keeps inside the action-safe area (5 %).
EDGE = 4
#: Mean per-tile difference (0-255) above which a frame is read again.
CHANGED = 3.0


def thumbnail(frame: np.ndarray) -> np.ndarray:
    """A grey float thumbnail of the frame."""
    h, w = frame.shape[:2]
    return _shrink(frame, *(SIZE if w >= h else SIZE[::-1]))


def _shrink(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Grey, box-filtered to ``rows`` x ``cols`` (every pixel counts once; PIL does
    it in C, where numpy's float copy of a 720p frame cost more than the test)."""
    from PIL import Image

    grey = Image.fromarray(np.ascontiguousarray(image[..., :3])).convert("L")
    return np.asarray(grey.resize((cols, rows), Image.Resampling.BOX), dtype=np.float32)


def changed(before: np.ndarray, now: np.ndarray) -> bool:
    """Whether ``now`` differs from ``before`` in any tile (see the module's docstring)."""
    if before.shape != now.shape:
        return True
    return difference(before, now) > CHANGED


def difference(before: np.ndarray, now: np.ndarray) -> float:
    """The largest tile's mean difference, at the better of no shift and the drift."""
    dy, dx = drift(before, now)
    shifts = {(0, 0)}
    if abs(dy) <= MAX_SHIFT and abs(dx) <= MAX_SHIFT:
        shifts.add((dy, dx))
    return min(_worst_tile(now, np.roll(before, shift, axis=(0, 1)), shift) for shift in shifts)


def drift(before: np.ndarray, now: np.ndarray) -> tuple[int, int]:
    """The whole-picture shift (rows, columns) that carries ``before`` onto ``now``."""
    spectrum = np.fft.fft2(now - now.mean()) * np.conj(np.fft.fft2(before - before.mean()))
    peak = np.fft.ifft2(spectrum / (np.abs(spectrum) + 1e-6)).real
    dy, dx = np.unravel_index(int(np.argmax(peak)), peak.shape)
    rows, cols = peak.shape
    return (int(dy) - rows if dy > rows // 2 else int(dy),
            int(dx) - cols if dx > cols // 2 else int(dx))


def _worst_tile(a: np.ndarray, b: np.ndarray, shift: tuple[int, int], tile: int = TILE,
                edge: int = EDGE) -> float:
    d = np.maximum(_outside(a, b), _outside(b, a))
    if edge:  # plus the band a shift wrapped round (np.roll): no real comparison there
        my, mx = abs(shift[0]) + edge, abs(shift[1]) + edge
        d[:my], d[-my:], d[:, :mx], d[:, -mx:] = 0, 0, 0, 0
    # Tiles cover the picture, about ``tile`` pixels a side, the remainder shared out.
    ys = np.linspace(0, d.shape[0], max(1, d.shape[0] // tile) + 1).astype(int)
    xs = np.linspace(0, d.shape[1], max(1, d.shape[1] // tile) + 1).astype(int)
    sums = np.add.reduceat(np.add.reduceat(d, ys[:-1], axis=0), xs[:-1], axis=1)
    return float((sums / (np.diff(ys)[:, None] * np.diff(xs)[None, :])).max())


def _outside(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far each pixel of ``a`` lies outside the range of ``b``'s 3 x 3 neighbourhood."""
    padded = np.pad(b, 1, mode="edge")
    rows_hi = np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:])
    rows_lo = np.minimum(np.minimum(padded[:-2], padded[1:-1]), padded[2:])
    hi = np.maximum(np.maximum(rows_hi[:, :-2], rows_hi[:, 1:-1]), rows_hi[:, 2:])
    lo = np.minimum(np.minimum(rows_lo[:, :-2], rows_lo[:, 1:-1]), rows_lo[:, 2:])
    return np.maximum(0.0, np.maximum(a - hi, lo - a))


#: A text line's crop is compared at this height, its width keeping the line's shape.
CROP_ROWS = 32
#: Boxes overlapping this much (IoU) are the same place, a drift apart at most.
SAME_PLACE = 0.7


def same_line(earlier: np.ndarray, earlier_box: Box, now: np.ndarray, now_box: Box) -> bool:
    """Whether the line at ``now_box`` on ``now`` shows what ``earlier_box`` showed on
    ``earlier`` (boxes as 0-1 fractions): the same place, and no tile of the two crops,
    side by side at ``CROP_ROWS`` high, differs by more than ``CHANGED``."""
    if _iou(earlier_box, now_box) < SAME_PLACE:
        return False
    h, w = now.shape[:2]
    aspect = (now_box[2] - now_box[0]) * w / max((now_box[3] - now_box[1]) * h, 1.0)
    cols = int(min(max(round(CROP_ROWS * aspect), CROP_ROWS), 32 * CROP_ROWS))
    a, b = (_shrink(_crop(f, box), CROP_ROWS, cols)
            for f, box in ((earlier, earlier_box), (now, now_box)))
    return _worst_tile(a, b, (0, 0), CROP_ROWS, edge=0) <= CHANGED


def _crop(frame: np.ndarray, box: Box) -> np.ndarray:
    h, w = frame.shape[:2]
    x0, x1 = int(box[0] * w), max(int(box[0] * w) + 1, int(np.ceil(box[2] * w)))
    y0, y1 = int(box[1] * h), max(int(box[1] * h) + 1, int(np.ceil(box[3] * h)))
    return frame[y0:y1, x0:x1]


def _iou(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0
