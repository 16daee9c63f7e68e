"""Request and response bodies of the API (the job itself is
:class:`vidclip.jobs.views.JobPublic`, shared with webhooks)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from vidclip.jobs.options import JobOptions
from vidclip.jobs.presence import BackendState
from vidclip.jobs.principal import NAME_PATTERN, Role
from vidclip.jobs.views import JobPublic

_EXAMPLE: dict[str, Any] = {
    "url": "https://media.example.org/archive/clip-0042.mp4",
    "options": {"sampling": {"fps": 2}, "tags": {"labels": ["dog", "beach", "sunset"]}},
    "formats": ["json", "vtt", "csv"],
    "webhook_url": "https://hooks.example.org/vidclip",
    "tag": "archive-2024",
}


class JobCreate(JobOptions):
    """A job from a URL or a path under the server's media root (uploads use multipart)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    url: Annotated[str, StringConstraints(max_length=4000)] | None = Field(
        None, description="http(s) URL the worker downloads.")
    path: Annotated[str, StringConstraints(max_length=4000)] | None = Field(
        None, description="File under VIDCLIP_MEDIA_ROOT (relative or absolute).")

    @model_validator(mode="after")
    def _one_source(self) -> "JobCreate":
        if (self.url is None) == (self.path is None):
            raise ValueError("give exactly one of url or path (upload a file with multipart)")
        return self


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"jobs": [
        {"path": "archive/2019/a.mp4", "tag": "archive-2019"},
        {"path": "archive/2019/b.mp4", "tag": "archive-2019"}]}]})

    jobs: list[JobCreate] = Field(min_length=1)


class JobBatch(BaseModel):
    jobs: list[JobPublic]


class JobPage(BaseModel):
    items: list[JobPublic]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    checks: dict[str, str] = Field(default_factory=dict, examples=[
        {"store": "ok", "broker": "ok", "workers": "2 live",
         "speech": "pocketsphinx (en-us (bundled with pocketsphinx)) [auto]: no faster-whisper "
         "weights for 'small' on this machine", "text": "off"}])


class KeyCreate(BaseModel):
    """A new key of the caller's tenant."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "ingest-bot", "role": "submitter"}]})

    name: str = Field(pattern=NAME_PATTERN, description="Recorded in audit trails; unique in "
                      "the tenant, never reused (even once revoked).")
    role: Role


class KeyPublic(BaseModel):
    name: str
    role: Role
    tenant: str
    source: Literal["store", "settings"] = Field(
        description="store: made by `vidclip keys create` or this API; settings: "
        "VIDCLIP_API_KEYS or VIDCLIP_KEYS (revoked by removing it there).")
    active: bool
    created_at: datetime | None = None
    last_used_at: datetime | None = Field(
        None, description="Recorded at most once a minute; not for settings keys.")
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, info) -> KeyPublic:
        """From a :class:`vidclip.jobs.keystore.KeyInfo`."""
        return cls(name=info.name, role=info.role, tenant=info.tenant, source=info.source,
                   active=info.active, created_at=info.created_at,
                   last_used_at=info.last_used_at, revoked_at=info.revoked_at)


class KeyCreated(KeyPublic):
    key: str = Field(description="The token to send as X-API-Key. Shown only in this answer: "
                     "the service keeps only its hash.")


class KeyList(BaseModel):
    items: list[KeyPublic]


class QueueInfo(BaseModel):
    workers: int = Field(description="Worker processes taking jobs from this queue now.")
    #: The distinct image models those workers run (vidclip.schema.ModelInfo as JSON);
    #: kind "offline" with a fallback_reason means CLIP could not be had there.
    models: list[dict[str, Any]] = Field(default_factory=list)
    caption_backends: list[str] = Field(default_factory=list)
    #: The on-screen text readers those workers default to (text.backend).
    text_readers: list[str] = Field(default_factory=list)
    #: What the default speech and text backends resolved to on those workers (distinct
    #: states; ``error`` set where one cannot load, which also fails /readyz).
    speech: list[BackendState] = Field(default_factory=list)
    text: list[BackendState] = Field(default_factory=list)


class ServiceInfo(BaseModel):
    version: str
    queues: dict[str, QueueInfo] = Field(
        description="analyze and caption, with what their live workers run.")
