"""Turning a submission (upload, URL or path) into a stored, queued job."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from limits.errors import StorageError
from pydantic import ValidationError
from redis.exceptions import RedisError

from api.errors import ApiError, invalid_request
from api.queue import JobQueue
from api.schemas import JobCreate
from vidclip import logs
from vidclip.jobs.errors import IngestError
from vidclip.jobs.limits import KeyId, SubmissionLimits
from vidclip.jobs.media import resolve_media_path
from vidclip.jobs.netguard import check_url
from vidclip.jobs.options import JobOptions
from vidclip.jobs.policies import pin_policy
from vidclip.jobs.principal import Principal
from vidclip.jobs.settings import Settings
from vidclip.jobs.status import JobStatus
from vidclip.jobs.store import JobStore, NewJob
from vidclip.jobs.tables import Job, new_job_id

log = logging.getLogger(__name__)


def check_options(settings: Settings, options: JobOptions) -> None:
    """What the settings add to the schema's checks (limits, webhook target)."""
    labels = options.options.tags.labels if options.options.tags else None
    if labels and len(labels) > settings.max_labels:
        raise ApiError(422, "too_many_labels", f"{len(labels)} labels; this service takes at "
                       f"most {settings.max_labels} (VIDCLIP_MAX_LABELS).")
    if options.webhook_url:
        try:
            check_url(options.webhook_url, schemes=settings.allowed_url_schemes,
                      allow_private=settings.allow_private_urls)
        except IngestError as exc:
            raise ApiError(422, exc.code, f"webhook_url: {exc.message}") from exc


def options_from_form(fields: dict[str, list[str]]) -> JobOptions:
    """The text fields of an upload, validated like the JSON body."""
    data: dict = {}
    try:
        if "options" in fields:
            data["options"] = json.loads(fields["options"][-1] or "{}")
        if "formats" in fields:
            data["formats"] = [f.strip() for v in fields["formats"] for f in v.split(",")
                               if f.strip()]
        for name in ("webhook_url", "tag"):
            if name in fields and fields[name][-1].strip():
                data[name] = fields[name][-1].strip()
        return JobOptions.model_validate(data)
    except json.JSONDecodeError as exc:
        raise ApiError(422, "invalid_request", f"options: not valid JSON ({exc.msg}).") from exc
    except ValidationError as exc:
        raise invalid_request(exc.errors()) from exc


def request_hash(body: JobCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def stored_options(settings: Settings, store: JobStore, principal: Principal,
                   options: JobOptions) -> dict:
    """The job's options column: the full analysis config, pinned to the tenant's
    latest version of its moderation policy (a later version never re-judges it)."""
    moderation = options.options.moderation
    return pin_policy(store.policies, principal.tenant, options.stored(settings),
                      requested=moderation.policy if moderation else None)


def new_job_from_body(settings: Settings, store: JobStore, body: JobCreate, key: str | None,
                      principal: Principal) -> NewJob:
    """Check a URL or path source now, so a bad one is a 4xx and never a queued job."""
    check_options(settings, body)
    common: dict[str, Any] = {
        "options": stored_options(settings, store, principal, body), "tag": body.tag,
        "webhook_url": body.webhook_url, "idempotency_key": key,
        "request_hash": request_hash(body), "tenant": principal.tenant,
        "submitted_by": principal.name}
    if body.url is not None:
        checked = check_url(body.url, schemes=settings.allowed_url_schemes,
                            allow_private=settings.allow_private_urls)
        return NewJob(id=new_job_id(), source_kind="url", source_value=checked.url, **common)
    if body.path is None:  # JobCreate's own check keeps this from happening
        raise ApiError(422, "invalid_request", "give a url or a path.")
    media = resolve_media_path(settings, body.path)
    return NewJob(id=new_job_id(), source_kind="path", source_value=body.path,
                  media_path=str(media), **common)


def key_of(principal: Principal) -> KeyId:
    return KeyId(principal.tenant, principal.name)


def admit(limits: SubmissionLimits, principal: Principal, job_ids: list[str]) -> KeyId:
    """Count ``job_ids`` against the caller's rate and queue (429 when over)."""
    who = key_of(principal)
    if not limits.enabled:
        return who
    try:
        limits.check_rate(who, len(job_ids))
        limits.enter_queue(who, job_ids)
    except (RedisError, StorageError) as exc:
        raise ApiError(503, "broker_unavailable", "the job queue is unreachable; try again "
                       "shortly.") from exc
    return who


def leave_queue(limits: SubmissionLimits, who: KeyId, *job_ids: str) -> None:
    """Give back queue places (a job not made, or not waiting any more)."""
    try:
        limits.leave_queue(who, *job_ids)
    except RedisError as exc:  # the place frees itself after a day
        log.warning("queue places of %s not given back: %s", who, type(exc).__name__)


def replay(store: JobStore, principal: Principal, key: str | None,
           digest: str | None = None) -> Job | None:
    """The job an earlier request of the same tenant with this Idempotency-Key made."""
    if not key:
        return None
    job = store.find_by_key(principal.tenant, key)
    if job is not None and digest is not None and job.request_hash not in (None, digest):
        raise ApiError(409, "idempotency_conflict", "this Idempotency-Key was used for a "
                       "different request; use a new key for a new job.")
    return job


def enqueue(store: JobStore, queue: JobQueue, job: Job,
            limits: SubmissionLimits | None = None) -> Job:
    """Send the job to the workers; if the broker is down the job fails visibly."""
    try:
        queue.enqueue(job.id)
    except Exception as exc:
        with logs.job_context(job.id, "submit"):
            log.warning("job %s not queued: %s", job.id, exc)
        if limits is not None:
            leave_queue(limits, KeyId(job.tenant, job.submitted_by or ""), job.id)
        store.finish(job.id, JobStatus.FAILED, worker=None, error_code="broker_unavailable",
                     error_message="the job could not be queued: the broker is unreachable.")
        raise ApiError(503, "broker_unavailable", "the job queue is unreachable; try again "
                       "shortly.", detail={"job_id": job.id}) from exc
    return job
