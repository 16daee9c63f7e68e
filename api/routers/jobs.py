"""/v1/jobs: submit (upload, URL, path, batch), list, status, cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BeforeValidator, ValidationError
from starlette.concurrency import run_in_threadpool

from api import submit
from api.deps import JOB_ID, LimitsDep, OwnedJobDep, PrincipalDep, QueueDep, SettingsDep, StoreDep
from api.errors import ApiError, from_vidclip, invalid_request, not_found, responses
from api.schemas import BatchCreate, JobBatch, JobCreate, JobPage
from api.upload import receive_upload
from vidclip.errors import VidclipError
from vidclip.jobs.limits import KeyId
from vidclip.jobs.media import job_media_dir, purge_job_files
from vidclip.jobs.status import FINAL_STATES, JobStatus
from vidclip.jobs.store import NewJob, encode_cursor
from vidclip.jobs.tables import new_job_id
from vidclip.jobs.views import JobPublic, job_public

router = APIRouter(prefix="/jobs", tags=["jobs"])

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=200,
    description="Retrying with the same key returns the first job instead of a second one.")]

_SUBMIT_BODY = {
    "requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary", "description": "The video."},
                "options": {"type": "string", "description": "JSON of analysis options, as "
                            "`options` in the JSON body.", "example": '{"sampling": {"fps": 2}}'},
                "formats": {"type": "string", "example": "json,vtt,csv"},
                "webhook_url": {"type": "string"},
                "tag": {"type": "string"}}}},
        "application/json": {"schema": {"$ref": "#/components/schemas/JobCreate"}}}},
}


def _accepted(response: Response, job, created: bool) -> JobPublic:
    response.status_code = 202 if created else 200
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return job_public(job)


@router.post("", status_code=202, response_model=JobPublic, openapi_extra=_SUBMIT_BODY,
             summary="Submit a video: multipart upload, or JSON with a URL or path",
             responses={200: {"model": JobPublic, "description": "Idempotent replay"},
                        **responses(401, 409, 413, 415, 422, 429, 503, 507)})
async def create_job(request: Request, response: Response, settings: SettingsDep,
                     store: StoreDep, queue: QueueDep, limits: LimitsDep, principal: PrincipalDep,
                     key: IdempotencyKey = None) -> JobPublic:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return await _create_from_upload(request, response, settings, store, queue, limits,
                                         principal, key)
    if not content_type.startswith("application/json"):
        raise ApiError(415, "unsupported_media_type", "send multipart/form-data (upload) or "
                       "application/json (url or path).")
    try:
        body = JobCreate.model_validate_json(await request.body())
    except ValidationError as exc:
        raise invalid_request(exc.errors()) from exc
    return await run_in_threadpool(_create_from_body, response, settings, store, queue, limits,
                                   principal, body, key)


def _create_from_body(response, settings, store, queue, limits, principal, body: JobCreate,
                      key) -> JobPublic:
    existing = submit.replay(store, principal, key, submit.request_hash(body))
    if existing is not None:
        return _accepted(response, existing, False)
    new = submit.new_job_from_body(settings, store, body, key, principal)
    ids = [new.id] if new.id else []
    who = submit.admit(limits, principal, ids)
    try:
        job, created = store.create(new)
    except BaseException:
        submit.leave_queue(limits, who, *ids)
        raise
    if not created:
        submit.leave_queue(limits, who, *ids)
        return _accepted(response, job, False)
    return _accepted(response, submit.enqueue(store, queue, job, limits), True)


async def _create_from_upload(request, response, settings, store, queue, limits, principal,
                              key) -> JobPublic:
    existing = await run_in_threadpool(submit.replay, store, principal, key)
    if existing is not None:  # the retry's body is not read again
        return _accepted(response, existing, False)
    job_id = new_job_id()
    # Limits first: a refused upload is not read at all.
    who = await run_in_threadpool(submit.admit, limits, principal, [job_id])
    directory = job_media_dir(settings, job_id)
    try:
        upload = await receive_upload(request, directory, settings.upload_max_bytes)
    except BaseException as exc:
        await run_in_threadpool(submit.leave_queue, limits, who, job_id)
        if isinstance(exc, VidclipError):
            raise from_vidclip(exc) from exc
        raise
    try:
        options = submit.options_from_form(upload.fields)
        await run_in_threadpool(submit.check_options, settings, options)
        stored = await run_in_threadpool(submit.stored_options, settings, store, principal,
                                         options)
        new = NewJob(id=job_id, options=stored, source_kind="upload",
                     source_value=upload.filename or "upload", source_name=upload.filename,
                     media_path=str(upload.path), tag=options.tag,
                     webhook_url=options.webhook_url, idempotency_key=key,
                     tenant=principal.tenant, submitted_by=principal.name)
        job, created = await run_in_threadpool(store.create, new)
    except BaseException:
        purge_job_files(settings, job_id)
        await run_in_threadpool(submit.leave_queue, limits, who, job_id)
        raise
    if not created:  # a concurrent request with the same key won
        purge_job_files(settings, job_id)
        await run_in_threadpool(submit.leave_queue, limits, who, job_id)
        return _accepted(response, job, False)
    job = await run_in_threadpool(submit.enqueue, store, queue, job, limits)
    return _accepted(response, job, True)


@router.post("/batch", status_code=202, response_model=JobBatch,
             summary="Submit many URLs or paths at once (an archive run)",
             responses=responses(401, 409, 422, 429, 503))
def create_batch(body: BatchCreate, response: Response, settings: SettingsDep, store: StoreDep,
                 queue: QueueDep, limits: LimitsDep, principal: PrincipalDep,
                 key: IdempotencyKey = None) -> JobBatch:
    if len(body.jobs) > settings.batch_max:
        raise ApiError(422, "batch_too_large", f"{len(body.jobs)} jobs; at most "
                       f"{settings.batch_max} per batch (VIDCLIP_BATCH_MAX).")
    news = []
    for index, item in enumerate(body.jobs):  # all checked before any is stored
        item_key = f"{key}#{index}" if key else None
        try:
            news.append(submit.new_job_from_body(settings, store, item, item_key, principal))
        except (VidclipError, ApiError) as exc:
            err = from_vidclip(exc) if isinstance(exc, VidclipError) else exc
            raise ApiError(err.status, err.code, f"jobs[{index}]: {err.message}",
                           {"index": index}) from exc
    who = submit.admit(limits, principal, [new.id for new in news if new.id])
    try:
        made = store.create_many(news)
    except BaseException:
        submit.leave_queue(limits, who, *[new.id for new in news if new.id])
        raise
    jobs = []
    for new, (job, created) in zip(news, made):
        if not created and new.id:
            submit.leave_queue(limits, who, new.id)
        jobs.append(submit.enqueue(store, queue, job, limits) if created else job)
    response.headers["Location"] = "/v1/jobs"
    return JobBatch(jobs=[job_public(j) for j in jobs])


def _iso_only(value):
    """pydantic also reads a number as Unix seconds; the schema promises ISO 8601."""
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("expected an ISO 8601 date-time, such as 2025-01-31T12:00:00Z")
    return value


@router.get("", response_model=JobPage, summary="List jobs, newest first",
            responses=responses(401, 422))
def list_jobs(store: StoreDep, principal: PrincipalDep,
              status: Annotated[list[JobStatus] | None, Query(
                  description="Repeat to match several.")] = None,
              since: Annotated[datetime | None, BeforeValidator(_iso_only), Query(
                  description="Created at or after (ISO 8601).")] = None,
              tag: Annotated[str | None, Query(max_length=200)] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 50,
              cursor: Annotated[str | None, Query(max_length=200)] = None) -> JobPage:
    try:
        jobs = store.list(tenant=principal.tenant, statuses=[s.value for s in status or []],
                          since=since, tag=tag, limit=limit + 1, cursor=cursor)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", "cursor: not a cursor from this API.") from exc
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return JobPage(items=[job_public(j) for j in jobs],
                   next_cursor=encode_cursor(jobs[-1]) if more else None)


@router.get(f"/{JOB_ID}", response_model=JobPublic, summary="A job's status and progress",
            responses=responses(401, 404))
def get_job(job: OwnedJobDep) -> JobPublic:
    return job_public(job)


@router.delete(f"/{JOB_ID}", response_model=JobPublic,
               summary="Cancel a queued or running job; ?purge=true also deletes its files",
               responses={202: {"model": JobPublic, "description": "Cancel requested: the "
                                "worker stops at its next batch"}, **responses(401, 404, 409)})
def cancel_job(before: OwnedJobDep, response: Response, settings: SettingsDep, store: StoreDep,
               queue: QueueDep, limits: LimitsDep, purge: bool = False) -> JobPublic:
    job_id = before.id
    was_final = JobStatus(before.status) in FINAL_STATES
    if was_final and not purge:
        raise ApiError(409, "job_finished", f"the job already {before.status}; add ?purge=true "
                       "to delete its media and results.")
    job = store.request_cancel(job_id, purge=purge)
    if job is None:  # deleted meanwhile
        raise not_found(job_id)
    if job.status == JobStatus.CANCELLED.value and not was_final:
        submit.leave_queue(limits, KeyId(job.tenant, job.submitted_by or ""), job_id)
        queue.revoke(job_id)
        if job.webhook_url:
            queue.notify(job_id)
    if purge and JobStatus(job.status) in FINAL_STATES:
        purge_job_files(settings, job_id)
        store.clear_results(job_id)
        if settings.search_enabled:
            queue.index(job_id)  # its moments leave the search index
        job = store.get(job_id) or job
    response.status_code = 200 if JobStatus(job.status) in FINAL_STATES else 202
    return job_public(job)
