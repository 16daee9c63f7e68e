"""The reader interface: frames in, per-frame lines with boxes out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Line:
    """One recognised line on one frame."""

    text: str
    #: [x0, y0, x1, y1] as fractions (0-1) of the displayed frame.
    box: tuple[float, float, float, float]
    confidence: float


class TextReader(ABC):
    """Reads text on RGB uint8 frames (H x W x 3); loads its model lazily."""

    name: str = "reader"
    #: Whether threads (``run_many``'s videos) may call :meth:`read` at once; a CPU
    #: model's threads already take the machine's cores, so by default not.
    reentrant: bool = False

    @abstractmethod
    def read(self, frames: list[np.ndarray]) -> list[list[Line]]:
        """One list of lines per frame, in the frames' order."""

    def read_again(self, frame: np.ndarray, earlier: np.ndarray,
                   earlier_lines: list[Line]) -> list[Line]:
        """Read ``frame``, which changed since ``earlier`` was read as ``earlier_lines``.

        A reader that can tell a line is still there, unchanged, reuses its
        reading instead of recognising it again; this default reads afresh.
        """
        return self.read([frame])[0]

    def describe(self) -> str | None:
        """The model's name as the result reports it."""
        return None

    def close(self) -> None:
        """Release the model (nothing to do for most readers)."""
