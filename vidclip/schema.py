"""The result contract: what one analysed video turns into.

Pydantic models only; this module imports nothing heavy so the API, the
workers and the CLI share one definition. ``vidclip/schema/result.schema.json``
is generated from :class:`VideoAnalysis` (``python -m vidclip.schema``) and a
test keeps the two in step.

Conventions: times are seconds from the start of the video's timeline,
``end_frame`` is exclusive, every score is in [0, 1].
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION: Literal["1"] = "1"

Score = Field(ge=0.0, le=1.0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Segment(_Model):
    """A time range where something holds; ``score`` is its peak there."""

    start_s: float = Field(ge=0.0)
    end_s: float = Field(ge=0.0)
    score: float | None = Field(default=None, ge=0.0, le=1.0)


class LabelScore(_Model):
    label: str
    score: float = Score


class VideoInfo(_Model):
    source: str
    duration_s: float = Field(ge=0.0)
    fps: float = Field(ge=0.0, description="Average frame rate (frames / duration).")
    width: int = Field(ge=0, description="Display width: after rotation and pixel aspect.")
    height: int = Field(ge=0, description="Display height: after rotation and pixel aspect.")
    frame_count: int = Field(ge=0)
    codec: str
    rotation: int = Field(default=0, description="Clockwise rotation applied to frames, degrees.")
    start_time_s: float = Field(
        default=0.0, description="Presentation time of the first decoded frame on the stream's "
        "own clock (as ffprobe prints it); 0 for most files."
    )
    variable_frame_rate: bool = False
    decoder: str = Field(
        description="Backend that decoded the frames: 'decord', 'pyav' or 'torchcodec'.")
    decoder_note: str | None = Field(
        default=None, description="Why the fallback decoder was used, when it was."
    )


class ModelInfo(_Model):
    name: str
    pretrained: str | None = None
    embedding_dim: int
    device: str
    kind: Literal["clip", "offline", "custom"] = "clip"
    precision: str = "fp32"
    fallback_reason: str | None = Field(
        default=None, description="Why this model ran instead of the CLIP that model 'auto' "
        "prefers (its weights could not be had here); None when nothing fell back.")


class SamplingInfo(_Model):
    strategy: Literal["fps", "count", "all", "keyframes"]
    fps: float | None = None
    frames: int = Field(ge=0, description="Number of frames sampled and embedded.")
    max_frames: int | None = None


EvidenceSource = Literal["visual", "speech", "text"]
SourceScores: Any = Field(
    default_factory=dict, description="The peak score each source gave, where more than the "
    "picture was read (speech, on-screen text); `score` is the highest. Empty when only the "
    "picture scored it.")


class ModerationHit(_Model):
    category: str
    score: float = Score
    flagged: bool
    source_scores: dict[EvidenceSource, float] = SourceScores


class TextSource(_Model):
    """What wrote one caption, description or summary."""

    backend: str = Field(description="template | openai | transformers")
    model: str | None = None
    prompt: str | None = Field(default=None, description="Prompt template name@version.")


class TextReview(_Model):
    """Whether a person has checked one machine-written text.

    vidclip writes every caption, description and summary with ``status:
    unreviewed``; a review app sets ``reviewed`` with who and when. Absent
    (None) in results written before review was recorded: those texts are
    machine-written and unreviewed too.
    """

    status: Literal["unreviewed", "reviewed"] = "unreviewed"
    reviewed_by: str | None = Field(default=None, description="Who reviewed it (an account id).")
    reviewed_at: datetime | None = Field(default=None, description="When, with a time zone.")


def is_reviewed(review: TextReview | None) -> bool:
    return review is not None and review.status == "reviewed"


class Scene(_Model):
    index: int = Field(ge=0)
    start_s: float = Field(ge=0.0)
    end_s: float = Field(ge=0.0)
    start_frame: int = Field(ge=0)
    end_frame: int = Field(ge=0, description="Exclusive.")
    transition: Literal["start", "cut", "gradual"] = Field(
        default="cut", description="How this scene begins."
    )
    tags: list[LabelScore] = Field(default_factory=list)
    caption: str | None = None
    caption_grounded: bool | None = Field(
        default=None, description="None: a template caption (cannot invent); False: the "
        "model's caption failed the grounding check and was replaced (caption_note says why)."
    )
    caption_source: TextSource | None = None
    caption_note: str | None = Field(
        default=None, description="Why the caption is what it is (fallback, rejection)."
    )
    description: str | None = Field(
        default=None, description="Audio description of the scene for screen readers."
    )
    description_source: TextSource | None = None
    caption_review: TextReview | None = Field(
        default=None, description="Machine-written: unreviewed until a person reviews it.")
    description_review: TextReview | None = Field(
        default=None, description="Machine-written: unreviewed until a person reviews it.")
    moderation: list[ModerationHit] = Field(default_factory=list)


class Tag(_Model):
    label: str
    score: float = Score
    segments: list[Segment] = Field(default_factory=list)


class ModerationSegment(Segment):
    """A flagged time range, and what showed it: the picture (``visual``), what
    was said (``speech``: transcript words) or what was written on screen
    (``text``)."""

    source: EvidenceSource = "visual"
    evidence: str | None = Field(
        default=None, description="For speech and text: the words that matched (the lexicon "
        "phrase, or the sentence the text classifier scored).")
    rule: str | None = Field(
        default=None, description="For speech and text: 'lexicon' or 'classifier'.")


class ModerationCategory(_Model):
    category: str
    score: float = Score
    threshold: float = Score
    flagged: bool
    segments: list[ModerationSegment] = Field(default_factory=list)
    source_scores: dict[EvidenceSource, float] = SourceScores

    @field_validator("segments", mode="before")
    @classmethod
    def _plain_segments(cls, value: object) -> object:
        # Code written before segments said their source passes plain Segments
        # (of the picture): they are taken as visual evidence.
        if isinstance(value, list):
            return [v.model_dump() if type(v) is Segment else v for v in value]
        return value


class Moderation(_Model):
    flagged: bool
    policy: str = Field(default="default", description="Name of the policy applied.")
    policy_version: str | None = Field(
        default=None, description="The policy's version (its YAML's `version`; the service "
        "counts the versions its reviewers write from the calibration report).")
    categories: list[ModerationCategory] = Field(default_factory=list)


class Captions(_Model):
    summary: str | None = None
    backend: str
    model: str | None = None
    prompt: str | None = Field(default=None, description="Prompt template name@version.")
    language: str = "en"
    fallback_reason: str | None = None
    summary_source: TextSource | None = None
    summary_review: TextReview | None = Field(
        default=None, description="Machine-written: unreviewed until a person reviews it.")


class Word(_Model):
    """One recognised word, on the video's timeline."""

    start_s: float = Field(ge=0.0)
    end_s: float = Field(ge=0.0)
    text: str
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)


class TranscriptSegment(_Model):
    """A stretch of speech (a sentence or a breath group) with its words."""

    start_s: float = Field(ge=0.0)
    end_s: float = Field(ge=0.0)
    text: str
    speaker: str | None = Field(
        default=None, description="A speaker label where the backend tells speakers apart "
        "(or a clear pause suggests a new one); None when unknown.")
    words: list[Word] = Field(default_factory=list)


class SoundEvent(_Model):
    """A meaningful non-speech sound, only where there is evidence of one."""

    start_s: float = Field(ge=0.0)
    end_s: float = Field(ge=0.0)
    label: str = Field(description="What a caption calls it, e.g. 'music', 'applause'.")
    evidence: Literal["backend", "audio"] = Field(
        description="backend: the recogniser emitted a sound token; audio: no speech there "
        "and the audio has energy (and, for music, steady tones).")


class AudioInfo(_Model):
    """The audio stream that was transcribed."""

    stream: int = Field(ge=0, description="Index among the file's audio streams (--audio-track).")
    codec: str
    sample_rate: int = Field(ge=0, description="The stream's own rate (decoded to 16 kHz mono).")
    channels: int = Field(ge=0)
    duration_s: float = Field(ge=0.0)
    start_time_s: float = Field(
        default=0.0, description="Where the audio starts on the video's timeline.")


class Transcript(_Model):
    """What was said, with word times on the video's timeline."""

    language: str | None = Field(default=None, description="BCP 47 / ISO 639-1 code.")
    language_probability: float | None = Field(default=None, ge=0.0, le=1.0)
    backend: str = Field(description="whisper | openai | pocketsphinx | ...")
    model: str | None = None
    fallback_reason: str | None = Field(
        default=None, description="Why this backend ran instead of the one speech 'auto' "
        "prefers (faster-whisper); None when nothing fell back.")
    audio: AudioInfo | None = None
    speech_s: float = Field(default=0.0, ge=0.0, description="Seconds the voice-activity "
                            "detector found speech in (only those were recognised).")
    segments: list[TranscriptSegment] = Field(default_factory=list)
    sounds: list[SoundEvent] = Field(default_factory=list)
    note: str | None = Field(
        default=None, description="What went wrong part-way (damaged audio: the transcript "
        "stops or skips there), when something did.")


class CaptionCue(_Model):
    """One cue of the caption track for deaf and hard-of-hearing viewers."""

    index: int = Field(ge=0)
    start_s: float = Field(ge=0.0)
    end_s: float = Field(ge=0.0)
    text: str = Field(description="At most max_lines lines joined by a line feed.")
    kind: Literal["speech", "sound"] = "speech"
    review: TextReview | None = Field(
        default=None, description="Machine-written: unreviewed until a person reviews it.")


class CaptionStyleInfo(_Model):
    """The timed-text rules the caption track was laid out with."""

    max_line: int = Field(ge=1)
    max_lines: int = Field(ge=1)
    max_cps: float = Field(gt=0)
    min_duration_s: float = Field(ge=0.0)
    max_duration_s: float = Field(gt=0)
    min_gap_frames: int = Field(ge=0)
    snap_frames: int = Field(ge=0)
    fps: float = Field(gt=0, description="The frame rate the frame-based rules counted in.")


class CaptionTrack(_Model):
    """Captions built from the transcript's words (``<stem>.captions.vtt/.srt/.ttml``)."""

    language: str | None = None
    style: CaptionStyleInfo
    cues: list[CaptionCue] = Field(default_factory=list)


TextKind = Literal["title", "lower_third", "subtitle", "other"]


class OnScreenText(_Model):
    """One piece of text from when it appears on screen until it disappears."""

    start_s: float = Field(ge=0.0)
    end_s: float = Field(ge=0.0)
    text: str = Field(description="Lines of one block joined in reading order by a line feed.")
    box: list[float] = Field(min_length=4, max_length=4, description="[x0, y0, x1, y1] as "
                             "fractions (0-1) of the displayed frame's width and height.")
    confidence: float = Score
    kind: TextKind = Field(description="title / lower_third / subtitle (the subtitle band, "
                           "changing with speech) / other; from position and timing.")
    matches_speech: bool | None = Field(
        default=None, description="For subtitles: whether the transcript says the same "
        "around that time (burned-in subtitles); None without a transcript.")


class TextReaderInfo(_Model):
    """Which reader read the on-screen text, and how much it read."""

    backend: str
    model: str | None = None
    fallback_reason: str | None = None
    frames_read: int = Field(default=0, ge=0, description="Frames the reader ran on.")


class Skipped(_Model):
    """A part of the analysis that could not run on this input, and why."""

    part: Literal["visual", "transcript", "on_screen_text"]
    reason: str


class FrameTags(_Model):
    index: int = Field(ge=0, description="Frame number in the decoded stream.")
    time_s: float = Field(ge=0.0)
    tags: list[LabelScore] = Field(default_factory=list)


class Timings(_Model):
    decode_s: float = 0.0
    encode_s: float = 0.0
    segment_s: float = 0.0
    tag_s: float = 0.0
    moderate_s: float = 0.0
    speech_s: float = Field(default=0.0, description="Audio decode, voice activity and "
                            "recognition; runs beside the visual stages.")
    text_s: float = Field(default=0.0, description="Reading on-screen text.")
    caption_s: float = 0.0
    total_s: float = 0.0


class VocabularyInfo(_Model):
    """The vocabulary, and how its tags were reported."""

    name: str
    labels: int = Field(ge=0)
    templates: int = Field(ge=0)
    sha256: str
    threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Score a tag had to reach to be reported."
    )
    top_k: int | None = Field(default=None, ge=1, description="Tags kept per scene and frame.")
    merge_gap_s: float | None = Field(
        default=None, ge=0.0, description="Segments of a tag at most this far apart were merged."
    )


class VideoAnalysis(_Model):
    schema_version: Literal["1"] = SCHEMA_VERSION
    vidclip_version: str
    video: VideoInfo
    model: ModelInfo
    sampling: SamplingInfo
    vocabulary: VocabularyInfo | None = None
    scenes: list[Scene]
    tags: list[Tag]
    moderation: Moderation
    captions: Captions
    frames: list[FrameTags] = Field(default_factory=list)
    transcript: Transcript | None = Field(
        default=None, description="What was said; None when speech is off or the file has "
        "no usable audio (``skipped`` says why).")
    caption_track: CaptionTrack | None = Field(
        default=None, description="Captions of the speech and meaningful sounds, laid out by "
        "the timed-text rules; None without a transcript.")
    on_screen_text: list[OnScreenText] = Field(default_factory=list)
    text_reader: TextReaderInfo | None = Field(
        default=None, description="None when reading on-screen text is off or could not run.")
    skipped: list[Skipped] = Field(default_factory=list)
    timings: Timings


def json_schema() -> dict:
    schema = VideoAnalysis.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/vidclip/vidclip/schema/result.schema.json"
    return schema


SCHEMA_PATH = Path(__file__).parent / "schema_files" / "result.schema.json"


def main(argv: list[str] | None = None) -> int:
    """Regenerate the JSON Schema file: ``python -m vidclip.schema``."""
    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(text)
    print(f"wrote {SCHEMA_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
