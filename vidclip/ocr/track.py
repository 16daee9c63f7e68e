"""Per-frame detections -> tracked items, each from when its text appears until it goes.

1. Lines below ``min_confidence`` are dropped (precision first), and so are
   lines no text has the shape of: a box taller than ``MAX_LINE_HEIGHT`` of the
   frame (the detector outlining a whole photo), or a lone character.
2. Lines of one frame form blocks: a line joins the block above it when the
   vertical gap is under ``BLOCK_GAP`` line heights (or the boxes overlap by
   at most ``OVERLAP_GAP`` of one) and they overlap horizontally. A block's
   text is its lines top to bottom, joined by "\\n".
3. A block continues an open item when their texts are alike (difflib ratio
   >= ``SAME_TEXT``) or their boxes overlap (IoU >= ``SAME_BOX``) with texts
   half alike; otherwise it opens a new item. An open item not seen on a
   frame ends at that frame's time (it was gone by then).
4. ``kind`` from position and timing: the subtitle band is the bottom quarter,
   centred, for an item on screen no longer than a subtitle stays
   (``MAX_SUBTITLE_S``; a line held longer there is a caption bar or a notice:
   ``other``); a lower third sits in the bottom 40 % off centre; a title is
   large or centred and alone; anything else is ``other``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from vidclip.ocr.base import Line
from vidclip.schema import OnScreenText

BLOCK_GAP = 0.8
OVERLAP_GAP = 0.5
SAME_TEXT = 0.8
SAME_BOX = 0.5
Box = tuple[float, float, float, float]


@dataclass
class _Item:
    start_s: float
    end_s: float
    text: str
    box: Box
    confidence: float
    seen: int = 1
    texts: dict[str, float] = field(default_factory=dict)


def iou(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def alike(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


#: A line of text is never most of the frame's height; a detection that is, is
#: the detector taking a textured photo for text (seen on skimage's photos).
MAX_LINE_HEIGHT = 0.5


def _text_shaped(line: Line) -> bool:
    height = line.box[3] - line.box[1]
    return height <= MAX_LINE_HEIGHT and sum(c.isalnum() for c in line.text) >= 2


def blocks(lines: Sequence[Line], min_confidence: float) -> list[Line]:
    """The frame's lines grouped into blocks, each one Line with its lines joined."""
    kept = sorted((x for x in lines if x.confidence >= min_confidence and _text_shaped(x)),
                  key=lambda x: (x.box[1], x.box[0]))
    groups: list[list[Line]] = []
    for line in kept:
        height = line.box[3] - line.box[1]
        for group in groups:
            last = group[-1]
            overlap = min(last.box[2], line.box[2]) - max(last.box[0], line.box[0])
            # Detector boxes of two close lines overlap a little (a two-line subtitle's
            # did by a quarter of a line): a gap down to -OVERLAP_GAP line heights is
            # still the next line, as long as it starts below the last one's middle.
            gap = line.box[1] - last.box[3]
            below = (overlap > 0 and -OVERLAP_GAP * height <= gap < BLOCK_GAP * height + 1e-9
                     and line.box[1] > (last.box[1] + last.box[3]) / 2)
            # Words of one row read as separate boxes: beside each other, a gap under
            # two line heights.
            beside = (abs(line.box[1] - last.box[1]) < 0.5 * height
                      and overlap > -2 * height)
            if below or beside:
                group.append(line)
                break
        else:
            groups.append([line])
    return [_join(g) for g in groups]


def _join(group: list[Line]) -> Line:
    rows: list[list[Line]] = []
    for line in sorted(group, key=lambda x: x.box[1]):
        if rows and abs(line.box[1] - rows[-1][0].box[1]) < 0.5 * (line.box[3] - line.box[1]):
            rows[-1].append(line)
        else:
            rows.append([line])
    text = "\n".join(" ".join(x.text for x in sorted(r, key=lambda x: x.box[0])) for r in rows)
    box = (min(x.box[0] for x in group), min(x.box[1] for x in group),
           max(x.box[2] for x in group), max(x.box[3] for x in group))
    return Line(text, box, min(x.confidence for x in group))


#: A subtitle changes with speech: timed-text guides keep one on screen at most
#: about 7 s, so a line held well past that in the band is not one.
MAX_SUBTITLE_S = 10.0


def kind_of(box: Box, seconds: float = 0.0) -> str:
    cx = (box[0] + box[2]) / 2
    height = box[3] - box[1]
    if box[1] >= 0.72 and abs(cx - 0.5) < 0.12:
        return "subtitle" if seconds <= MAX_SUBTITLE_S else "other"
    if box[1] >= 0.6 and cx < 0.45:
        return "lower_third"
    if height >= 0.08 or (abs(cx - 0.5) < 0.15 and 0.2 < (box[1] + box[3]) / 2 < 0.7):
        return "title"
    return "other"


def track(frames: Sequence[tuple[float, Sequence[Line]]], end_s: float,
          min_confidence: float) -> list[OnScreenText]:
    """Tracked items from ``(time_s, lines)`` per read frame (in time order).

    ``end_s`` closes the items still on screen at the last frame (the scene's
    or video's end).
    """
    open_items: list[_Item] = []
    done: list[_Item] = []
    for time_s, lines in frames:
        matched: list[_Item] = []
        for block in blocks(lines, min_confidence):
            item = _match(open_items, block, matched)
            if item is None:
                item = _Item(time_s, time_s, block.text, block.box, block.confidence)
                open_items.append(item)
            else:
                item.seen += 1
                item.end_s = time_s
                if block.confidence > item.confidence:
                    item.text, item.box, item.confidence = block.text, block.box, block.confidence
            matched.append(item)
        for item in [i for i in open_items if i not in matched]:
            item.end_s = time_s
            done.append(item)
            open_items.remove(item)
    for item in open_items:
        item.end_s = max(item.end_s, end_s)
    return [_result(i) for i in sorted(done + open_items, key=lambda i: (i.start_s, i.box[1]))]


def _match(items: list[_Item], block: Line, taken: list[_Item]) -> _Item | None:
    best, best_score = None, 0.0
    for item in items:
        if item in taken:
            continue
        ratio = alike(item.text, block.text)
        score = ratio if ratio >= SAME_TEXT else (
            ratio if ratio >= 0.5 and iou(item.box, block.box) >= SAME_BOX else 0.0)
        if score > best_score:
            best, best_score = item, score
    return best


def _result(item: _Item) -> OnScreenText:
    return OnScreenText(start_s=round(item.start_s, 3), end_s=round(item.end_s, 3),
                        text=item.text, box=[round(v, 4) for v in item.box],
                        confidence=round(min(1.0, max(0.0, item.confidence)), 4),
                        kind=kind_of(item.box, item.end_s - item.start_s))
