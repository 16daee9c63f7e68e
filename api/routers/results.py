"""/v1/jobs/{id}/result and the text tracks, rendered from the stored result."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import StoreDep
from api.errors import ApiError, not_found, responses
from api.routers.jobs import JobId
from vidclip.jobs.status import JobStatus

router = APIRouter(prefix="/jobs/{job_id}", tags=["results"])

_ERRORS = responses(401, 404, 409)


def _finished_result(store, job_id: str) -> str:
    job = store.get(job_id)
    if job is None:
        raise not_found(job_id)
    if job.status != JobStatus.SUCCEEDED.value:
        raise ApiError(409, "not_ready", f"the job is {job.status}; results exist once it has "
                       "succeeded.", detail={"status": job.status})
    if job.result_json is None:
        raise ApiError(410, "purged", "the job's results were deleted.")
    return job.result_json


def _analysis(store, job_id: str):
    from vidclip.schema import VideoAnalysis

    return VideoAnalysis.model_validate_json(_finished_result(store, job_id))


@router.get("/result", summary="The result JSON (vidclip result schema v1)",
            responses={200: {"content": {"application/json": {}}}, **_ERRORS})
def result(job_id: JobId, store: StoreDep) -> Response:
    return Response(_finished_result(store, job_id), media_type="application/json")


@router.get("/captions.vtt", summary="Scene captions as WebVTT",
            responses={200: {"content": {"text/vtt": {}}}, **_ERRORS})
def captions_vtt(job_id: JobId, store: StoreDep) -> Response:
    from vidclip.output import to_webvtt

    return Response(to_webvtt(_analysis(store, job_id)), media_type="text/vtt; charset=utf-8")


@router.get("/captions.srt", summary="Scene captions as SubRip",
            responses={200: {"content": {"application/x-subrip": {}}}, **_ERRORS})
def captions_srt(job_id: JobId, store: StoreDep) -> Response:
    from vidclip.output import to_srt

    return Response(to_srt(_analysis(store, job_id)),
                    media_type="application/x-subrip; charset=utf-8")


@router.get("/tags.csv", summary="Tags with time segments as CSV",
            responses={200: {"content": {"text/csv": {}}}, **_ERRORS})
def tags_csv(job_id: JobId, store: StoreDep) -> Response:
    from vidclip.output import to_csv

    return Response(to_csv(_analysis(store, job_id)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{job_id}.tags.csv"'})
