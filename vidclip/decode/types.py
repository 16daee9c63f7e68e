"""Plain data passed from the decoder to the stages that follow it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from vidclip.errors import ConfigError

Strategy = Literal["fps", "count", "all", "keyframes"]


@dataclass(frozen=True)
class SamplingSpec:
    """Which frames reach the encoder.

    - ``fps``: ``fps`` frames per second of video (default 1), picked on the
      video's own timestamps so variable frame rate gives even spacing in time;
    - ``count``: ``count`` frames spread evenly over the duration;
    - ``all``: every decoded frame;
    - ``keyframes``: only key frames (fast triage; the decoder skips the rest).

    ``max_frames`` caps the number of sampled frames whatever the strategy;
    for ``fps`` the cap widens the spacing instead of cutting the tail, for
    ``all`` it keeps every k-th frame, for ``count`` it lowers the count, and
    for ``keyframes`` it keeps the first ``max_frames`` key frames.
    """

    strategy: Strategy = "fps"
    fps: float = 1.0
    count: int = 16
    max_frames: int | None = None

    def __post_init__(self) -> None:
        if self.strategy not in ("fps", "count", "all", "keyframes"):
            raise ConfigError(f"unknown sampling strategy {self.strategy!r}")
        if self.strategy == "fps" and not self.fps > 0:
            raise ConfigError(f"sampling fps must be > 0, got {self.fps}")
        if self.strategy == "count" and self.count < 1:
            raise ConfigError(f"sampling count must be >= 1, got {self.count}")
        if self.max_frames is not None and self.max_frames < 1:
            raise ConfigError(f"max_frames must be >= 1, got {self.max_frames}")


@dataclass(frozen=True)
class LookSpec:
    """Frames another stage looks at (the text reader), taken in the same pass.

    One frame every ``every_s`` seconds of video, on its own timestamps, the
    first ``first_s`` after the video's start, converted at a shorter side of
    ``short_side`` (never above the video's own): the reader wants more pixels
    than the model, at a lower rate.
    """

    every_s: float
    short_side: int
    first_s: float = 0.0


@dataclass
class FrameBatch:
    """Consecutive decoded frames, in presentation order.

    ``frames`` is ``(N, H, W, 3)`` uint8 RGB, upright, already resized by the
    decoder so the shorter side equals the requested size (display aspect
    kept). ``times_s`` are presentation times in seconds on the video
    stream's own timeline (see :mod:`vidclip.decode.probe`); ``indices`` are
    frame numbers in presentation order, 0 being the first frame that
    decodes. ``sampled`` marks the frames chosen by the :class:`SamplingSpec`;
    the others are there for full-rate signals such as cut detection.

    With a preview size (``open_video(..., preview_side=...)``) ``frames`` are
    small previews of every frame, enough for those signals, and
    ``sampled_frames`` holds the sampled ones at the full output size, in
    order: converting each frame at the model's size was most of the
    decoder's cost. :meth:`only_sampled` returns the full-size frames either way.

    With a :class:`LookSpec`, ``looked`` marks the frames it chose and
    ``look_frames`` holds them at its size, in order.
    """

    frames: np.ndarray
    times_s: np.ndarray
    indices: np.ndarray
    #: Which frames the sampling chose; all of them when not given.
    sampled: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    sampled_frames: np.ndarray | None = None
    looked: np.ndarray | None = None
    look_frames: np.ndarray | None = None

    def __post_init__(self) -> None:
        if len(self.sampled) != len(self.indices):
            if len(self.sampled):
                raise ValueError("sampled must mark every frame of the batch")
            self.sampled = np.ones(len(self.indices), dtype=bool)
        if self.sampled_frames is not None and len(self.sampled_frames) != int(self.sampled.sum()):
            raise ValueError("sampled_frames must hold exactly the sampled frames")
        looked, seen = self.looked, self.look_frames
        if (looked is None) != (seen is None) or (
                looked is not None and seen is not None
                and (len(looked) != len(self.indices) or len(seen) != int(looked.sum()))):
            raise ValueError("look_frames must hold exactly the looked-at frames")

    def __len__(self) -> int:
        return len(self.indices)

    def only_sampled(self) -> "FrameBatch":
        keep = self.sampled
        frames = self.frames[keep] if self.sampled_frames is None else self.sampled_frames
        return FrameBatch(frames, self.times_s[keep], self.indices[keep], self.sampled[keep])

    def looks(self) -> "FrameBatch | None":
        """The looked-at frames as a batch of their own; None without a :class:`LookSpec`."""
        if self.looked is None or self.look_frames is None:
            return None
        return FrameBatch(self.look_frames, self.times_s[self.looked], self.indices[self.looked])


@dataclass
class PassReport:
    """What one full decoding pass learnt; a backend's generator returns it."""

    frames: int = 0  # decoded, delivered or not
    times: list[float] = field(default_factory=list)  # of every decoded frame
    corrupt_packets: int = 0
    #: Every frame went through the decoder, none skipped: ``frames`` is the true count.
    complete: bool = False


class FrameObserver(Protocol):
    """Something that watches every decoded frame (e.g. the cut detector)."""

    def observe(self, batch: FrameBatch) -> None: ...
