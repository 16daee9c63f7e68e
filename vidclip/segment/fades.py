"""Fades through black: the picture dims to (near) black, then a new one appears.

A run of black frames (mean luma at most ``BLACK_LUMA`` and almost no
spread) is one boundary, placed on its middle frame, so that a fade-out
followed by a fade-in does not make two. When the black part lasts at least
``min_scene_s`` it is a scene of its own: then its first frame and the frame
after it are both boundaries. Black at the very start or end of the video
gives one boundary where the picture appears or goes. The brightness ramps
on either side (while luma keeps falling towards the black, or rising away
from it) are part of the transition: hard cuts found inside them are the
same event and are dropped when candidates are combined.
"""

from __future__ import annotations

import numpy as np

from vidclip.segment.boundaries import Boundary
from vidclip.segment.signals import FrameSignals

#: Mean luma (0..255) at or below which a frame may be black; video black
#: decodes to 0 and PySceneDetect's fade threshold is 12.
BLACK_LUMA = 16.0
#: Spread of luma over the grid above which a dark frame has visible content.
BLACK_SPREAD = 10.0
#: Luma steps smaller than this do not extend a ramp (noise).
RAMP_STEP = 0.25
MAX_RAMP_S = 4.0


def black_runs(signals: FrameSignals) -> list[tuple[int, int]]:
    black = (signals.luma <= BLACK_LUMA) & (signals.luma_std <= BLACK_SPREAD)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], black.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _ramp(luma: np.ndarray, start: int, step: int, limit: int) -> int:
    """Walk from ``start`` in direction ``step`` while luma keeps rising; return the stop."""
    pos = start
    while 0 <= pos + step < len(luma) and abs(pos + step - start) <= limit:
        if luma[pos + step] <= luma[pos] + RAMP_STEP:
            break
        pos += step
    return pos


def detect_fades(signals: FrameSignals, min_scene_s: float) -> list[Boundary]:
    n = len(signals)
    if n == 0:
        return []
    luma, time = signals.luma, signals.time
    steps = np.diff(time)
    frame_s = float(np.median(steps)) if len(steps) else 0.0
    limit = int(MAX_RAMP_S / frame_s) if frame_s > 0 else 120
    out: list[Boundary] = []
    for b0, b1 in black_runs(signals):
        if b0 == 0 and b1 == n:
            continue
        # ext0 = first frame of the fade-out, ext1 = first frame after the fade-in.
        ext0 = _ramp(luma, b0 - 1, -1, limit) if b0 > 0 else 0
        ext1 = _ramp(luma, b1, 1, limit) + 1 if b1 < n else n
        ramps = (b0 - 1 - ext0) + (ext1 - 1 - b1)  # dimmed frames; 0 for cuts
        # The black proper: from where the fade-out bottoms out to where the
        # fade-in starts to rise (the threshold alone would cut into both ramps).
        while b0 < b1 - 1 and luma[b0 + 1] < luma[b0] - RAMP_STEP:
            b0 += 1
        while b1 - 1 > b0 and luma[b1 - 1] > luma[b1 - 2] + RAMP_STEP:
            b1 -= 1
        black_s = (time[b1] if b1 < n else time[-1] + frame_s) - time[b0]
        if b0 == 0:
            out.append(_fade(b1, (b1, max(ext1, b1 + 1)), (b1,)))
        elif b1 == n:
            out.append(_fade(b0, (ext0, b0 + 1), (b0,)))
        elif black_s >= min_scene_s:
            out.append(_fade(b0, (ext0, b0 + 1), (b0,)))
            out.append(_fade(b1, (b1, max(ext1, b1 + 1)), (b1,)))
        elif ramps >= 2:
            # A short dip: one boundary on the black. Without ramps it is a
            # cut to black and back, which the cut detector handles.
            out.append(_fade((b0 + b1) // 2, (ext0, max(ext1, b1 + 1)), (b0, b1)))
    return out

def _fade(pos: int, span: tuple[int, int], edges: tuple[int, ...]) -> Boundary:
    return Boundary(
        pos=pos, kind="gradual", strength=1.0, span=span, source="fade", magnitude=1.0, edges=edges
    )
