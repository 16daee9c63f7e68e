"""What a job submission may set, and how it merges into the server's defaults.

A job overrides the analysis options of ``Settings.default_options`` field by
field. Options that name server files or endpoints (the model, its weights
and cache, the caption backend and its URL, vocabulary or policy *paths*)
stay with the operator: a client picks bundled vocabularies, templates and
policies by name, or sends labels inline, so a request can never make a
worker read an arbitrary file, load other weights or call an arbitrary host.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from vidclip.config import (
    AnalysisConfig,
    DecoderName,
    JobFormat,
    SamplingOptions,
    SceneOptions,
    deep_merge,
)
from vidclip.jobs.policy_uploads import POLICY_NAME_PATTERN

Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]

DEFAULT_FORMATS: list[JobFormat] = ["json", "vtt", "srt", "csv"]


def _bundled(kind: str, suffix: str, what: str):
    def check(name: str) -> str:
        entries = resources.files("vidclip") / "data" / kind
        names = sorted(p.name.removesuffix(suffix) for p in entries.iterdir()
                       if (p.is_dir() if not suffix else p.name.endswith(suffix)))
        if name not in names:
            raise ValueError(f"unknown {what} {name!r}; bundled: {', '.join(names)}")
        return name
    return AfterValidator(check)


Vocabulary = Annotated[str, _bundled("vocabularies", "", "vocabulary")]
Templates = Annotated[str, _bundled("templates", ".txt", "template set")]
#: A bundled policy or one the tenant uploaded: which, the submission checks
#: against the store (``vidclip.jobs.policies.pin_policy``).
Policy = Annotated[str, StringConstraints(pattern=POLICY_NAME_PATTERN)]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobTagOptions(_Strict):
    vocabulary: Vocabulary | None = Field(None, description="A bundled vocabulary name.")
    labels: list[Label] | None = Field(None, max_length=5000,
                                       description="Inline labels; replace the vocabulary.")
    templates: Templates | None = Field(None, description="A bundled prompt-template set.")
    threshold: float | None = Field(None, ge=0, le=1)
    top_k: int | None = Field(None, ge=1, le=100)
    merge_gap_s: float | None = Field(None, ge=0, le=3600)


class JobModerationOptions(_Strict):
    enabled: bool | None = None
    policy: Policy | None = Field(None, description="A bundled policy's name, or one the "
                                  "tenant uploaded (PUT /v1/policies/{name}).")


class JobCaptionOptions(_Strict):
    language: Language | None = None


class JobTextOptions(_Strict):
    backend: Literal["auto", "off", "rapidocr", "openai"] | None = Field(
        None, description="Reading on-screen text: auto (the bundled RapidOCR reader), off, "
        "or a reader the worker has set up.")


class AnalysisOverrides(_Strict):
    """The analysis options a client may set; the rest come from the server."""

    sampling: SamplingOptions | None = None
    scenes: SceneOptions | None = None
    tags: JobTagOptions | None = None
    moderation: JobModerationOptions | None = None
    captions: JobCaptionOptions | None = None
    text: JobTextOptions | None = None
    decoder: DecoderName | None = None
    include_frames: bool | None = None


class JobOptions(_Strict):
    """Per-job options: analysis overrides plus what the service does with the result."""

    options: AnalysisOverrides = Field(default_factory=AnalysisOverrides,
                                       description="Analysis options laid over the server's.")
    formats: list[JobFormat] = Field(default_factory=lambda: list(DEFAULT_FORMATS),
                                  description="Files written beside the stored result.")
    webhook_url: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        None, description="POSTed the final status, signed with X-Vidclip-Signature.")
    tag: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Free-form label of the job, returned and filterable.")

    def stored(self, settings) -> dict:
        """The options column of the job: the full analysis config and the formats."""
        overrides = self.options.model_dump(mode="json", exclude_none=True)
        analysis = server_defaults(settings).with_overrides(overrides).model_dump(mode="json")
        # The model and caption backend are the worker's; stored only for the record.
        return {"analysis": analysis, "formats": list(dict.fromkeys(self.formats))}


def server_defaults(settings) -> AnalysisConfig:
    """``Settings.default_options`` with the deployment's model and caption backend."""
    merged = deep_merge(AnalysisConfig().model_dump(mode="json"), dict(settings.default_options))
    merged["model"] = settings.model.model_dump(mode="json")
    merged["captions"] = settings.captions.model_dump(mode="json")
    return AnalysisConfig.model_validate(merged)


def worker_config(stored: dict, settings) -> AnalysisConfig:
    """A job's analysis config as this worker runs it: its own model and backend."""
    merged = dict(stored["analysis"])
    language = merged.get("captions", {}).get("language")
    merged["model"] = settings.model.model_dump(mode="json")
    merged["captions"] = settings.captions.model_dump(mode="json")
    if language:
        merged["captions"]["language"] = language
    merged["thumbnails"] = True  # every job has its scene thumbnails (search hits, the review app)
    return AnalysisConfig.model_validate(merged)

