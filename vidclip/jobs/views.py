"""The public face of a job: what the API returns and a webhook carries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from vidclip.jobs.status import JobStatus

API_PREFIX = "/v1"


class JobError(BaseModel):
    code: str = Field(examples=["no_video_stream"])
    message: str = Field(examples=["the file has no video stream."])


class JobSource(BaseModel):
    kind: Literal["upload", "url", "path"]
    name: str | None = Field(description="Upload filename (as sent, for display), URL or path.")


class JobProgress(BaseModel):
    overall: float = Field(ge=0, le=1, examples=[0.42])
    stages: dict[str, float] = Field(default_factory=dict,
                                     examples=[{"decode": 1.0, "encode": 0.55}])


class JobLinks(BaseModel):
    self: str
    result: str
    captions_vtt: str = Field(description="The captions of the speech and sounds (404 "
                              "no_transcript for a job without a transcript).")
    captions_srt: str
    captions_ttml: str = Field(description="The same captions as TTML (IMSC 1 text profile).")
    scenes_vtt: str = Field(description="Per-scene captions of the picture.")
    scenes_srt: str
    tags_csv: str
    descriptions_vtt: str
    transcript_txt: str
    transcript_html: str
    thumbnail: str = Field(description="A URI template (RFC 6570): the JPEG of scene {scene}.")


class JobPolicy(BaseModel):
    name: str = Field(examples=["default"])
    version: int = Field(description="The tenant's version of the policy when the job was "
                         "submitted; later versions do not re-judge it.", examples=[2])


class JobPublic(BaseModel):
    id: str = Field(examples=["3f9a0c5e2b7d4e8f9a1b2c3d4e5f6a7b"])
    status: JobStatus
    stage: str | None = Field(default=None, examples=["encode"])
    progress: JobProgress
    source: JobSource
    tag: str | None = None
    tenant: str = Field(description="The tenant that owns the job (its submitting key's).",
                        examples=["default"])
    submitted_by: str | None = Field(
        default=None, description="Name of the API key that submitted the job.",
        examples=["ingest-bot"])
    formats: list[str] = Field(default_factory=list)
    policy: JobPolicy | None = Field(default=None, description="The moderation policy the job "
                                     "is judged by; none when moderation is off.")
    error: JobError | None = None
    attempts: int = 0
    cancel_requested: bool = False
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    links: JobLinks


def links_for(job_id: str) -> JobLinks:
    base = f"{API_PREFIX}/jobs/{job_id}"
    return JobLinks(self=base, result=f"{base}/result", captions_vtt=f"{base}/captions.vtt",
                    captions_srt=f"{base}/captions.srt",
                    captions_ttml=f"{base}/captions.ttml", scenes_vtt=f"{base}/scenes.vtt",
                    scenes_srt=f"{base}/scenes.srt", tags_csv=f"{base}/tags.csv",
                    descriptions_vtt=f"{base}/descriptions.vtt",
                    transcript_txt=f"{base}/transcript.txt",
                    transcript_html=f"{base}/transcript.html",
                    thumbnail=f"{base}/thumbnails/{{scene}}.jpg")


def job_public(job) -> JobPublic:
    """From a store row (:class:`vidclip.jobs.tables.Job`)."""
    error = (JobError(code=job.error_code, message=job.error_message or job.error_code)
             if job.error_code else None)
    name = job.source_name if job.source_kind == "upload" else job.source_value
    options = job.options or {}
    moderation = (options.get("analysis") or {}).get("moderation") or {}
    policy = (JobPolicy(name=moderation["policy"], version=options["policy_version"])
              if options.get("policy_version") and moderation.get("enabled", True) else None)
    return JobPublic(
        id=job.id, status=JobStatus(job.status), stage=job.stage,
        progress=JobProgress(overall=job.progress or 0.0, stages=dict(job.stage_progress or {})),
        source=JobSource(kind=job.source_kind, name=name), tag=job.tag,
        tenant=job.tenant, submitted_by=job.submitted_by,
        formats=list(options.get("formats", [])), policy=policy, error=error,
        attempts=job.attempts or 0, cancel_requested=bool(job.cancel_requested),
        created_at=job.created_at, updated_at=job.updated_at, started_at=job.started_at,
        finished_at=job.finished_at, links=links_for(job.id))
