"""The captioner interface: evidence in, captions out.

A captioner sees only the evidence the earlier stages produced (scene
times, tags with calibrated scores, flagged moderation categories, and what
is said and written on screen in the scene). It must not invent objects
that are not in the evidence, and may use spoken or written words only as
said or written (:mod:`vidclip.caption.reported`). Backends are registered by
name in :mod:`vidclip.caption.registry`, so new ones plug in without touching
the pipeline.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

from vidclip.schema import LabelScore, TextSource


@dataclass(frozen=True)
class SceneEvidence:
    index: int
    start_s: float
    end_s: float
    #: Best tags first, calibrated scores in [0, 1].
    tags: tuple[LabelScore, ...]
    #: Moderation categories flagged in this scene (names only).
    flagged_categories: tuple[str, ...] = ()
    #: What is said in the scene: its transcript segments' text, in time order.
    spoken_lines: tuple[str, ...] = ()
    #: What is written on screen in the scene: its on-screen text items, in time order.
    on_screen_text: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaptionRequest:
    scenes: tuple[SceneEvidence, ...]
    video_tags: tuple[LabelScore, ...]
    duration_s: float
    language: str = "en"
    flagged_categories: tuple[str, ...] = ()
    #: Every label of the vocabulary: a grounding check rejects a caption that
    #: names one of them absent from its scene's evidence.
    vocabulary: tuple[str, ...] = ()
    #: Every category of the moderation policy, flagged or not: a caption may
    #: not name one unless a tag does (the default policy's are always known).
    moderation_categories: tuple[str, ...] = ()
    #: Label -> other words a caption may use for it (the vocabulary's aliases).
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    #: Labels that name places (a caption may put a tagged thing "in" one).
    places: frozenset[str] = frozenset()


@dataclass
class SceneCaption:
    index: int
    text: str
    #: None: the backend cannot invent (template); True/False: a grounding check ran.
    grounded: bool | None = None
    note: str | None = None
    source: TextSource | None = None


@dataclass(frozen=True)
class GenerationStats:
    """What a language-model backend spent on one request."""

    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0

    @property
    def tokens_per_s(self) -> float | None:
        return round(self.tokens / self.seconds, 2) if self.seconds > 0 and self.tokens else None


@dataclass
class CaptionResult:
    scenes: list[SceneCaption]
    summary: str
    backend: str
    model: str | None = None
    prompt: str | None = None
    language: str = "en"
    fallback_reason: str | None = None
    #: What wrote the summary (the model's, or the template's after a fallback).
    summary_source: TextSource | None = None
    #: Audio descriptions per scene, written with their own prompt; empty when
    #: the backend writes none (the captions then double as descriptions).
    descriptions: list[SceneCaption] = field(default_factory=list)
    #: Scenes whose caption fell back to the template (rejected or backend down).
    fallback_scenes: tuple[int, ...] = ()
    #: Language-model calls behind this result; None for backends without a model.
    generation: GenerationStats | None = None


class Captioner(ABC):
    """Writes one caption per scene and a summary of the whole video."""

    name: str = "base"

    def setup(self) -> None:
        """Load models / open clients once per process; idempotent."""

    @abstractmethod
    def caption(self, request: CaptionRequest) -> CaptionResult: ...

    def close(self) -> None:
        """Release what :meth:`setup` acquired."""
