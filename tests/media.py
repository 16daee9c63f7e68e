"""Synthetic clips shared by the test packages, generated once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidclip.testing import synthetic


@dataclass
class Clips:
    root: Path
    montage: Path
    truth: synthetic.GroundTruth
    counter: Path
    vfr: Path
    vfr_times: list[float]
    delayed: Path
    short: Path


VFR_TIMES = [0.0, 0.04, 0.08, 0.5, 0.55, 1.0, 1.01, 1.02, 1.5, 2.0, 2.1, 2.2, 2.3, 2.4, 3.0,
             3.5, 3.6, 4.0, 4.1, 4.2]


def build(root: Path) -> Clips:
    montage = root / "montage.mp4"
    truth = synthetic.make_montage(
        montage, [60, 45, 70, 55, 50],
        [("cut", 0), ("dissolve", 12), ("cut", 0), ("fade", 8)], fps=25.0, seed=3,
    )
    counter = synthetic.make_counter_clip(root / "counter.mp4", n=60)
    vfr = synthetic.write_video(root / "vfr.mp4", synthetic.shot_frames(len(VFR_TIMES), seed=5),
                                times_s=VFR_TIMES)
    delayed = synthetic.write_video(root / "delayed.mp4", synthetic.shot_frames(25, seed=6),
                                    times_s=[1.5 + i * 0.04 for i in range(25)])
    short = synthetic.write_video(root / "short.mp4", synthetic.shot_frames(30, seed=7), 25.0)
    return Clips(root, montage, truth, counter, vfr, VFR_TIMES, delayed, short)
