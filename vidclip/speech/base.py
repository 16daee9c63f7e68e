"""The recogniser interface: speech regions in, segments with timed words out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Region:
    """One stretch the voice-activity detector calls speech: 16 kHz mono samples."""

    start_s: float
    samples: np.ndarray

    @property
    def end_s(self) -> float:
        return self.start_s + self.samples.size / 16000


@dataclass
class RecognisedWord:
    start_s: float
    end_s: float
    text: str
    confidence: float | None = None


@dataclass
class RecognisedSegment:
    start_s: float
    end_s: float
    text: str
    words: list[RecognisedWord] = field(default_factory=list)


@dataclass
class Recognised:
    segments: list[RecognisedSegment]
    language: str | None = None
    language_probability: float | None = None


class Recognizer(ABC):
    """Transcribes speech regions; times on the regions' (the video's) timeline."""

    name: str = "recognizer"
    model: str | None = None
    #: Whether threads (``run_many``'s videos) may call :meth:`transcribe` at once.
    reentrant: bool = False

    def load(self) -> None:
        """Load the model now (``auto`` tries this to decide); idempotent."""

    @abstractmethod
    def transcribe(self, regions: list[Region], language: str | None) -> Recognised:
        """Segments with words, in time order."""

    def close(self) -> None:
        """Release the model."""
