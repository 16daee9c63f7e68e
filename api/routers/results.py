"""/v1/jobs/{id}/result and the text tracks, rendered from the stored result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import FileResponse

from api.deps import JOB_ID, OwnedJobDep, SettingsDep, StoreDep
from api.errors import ApiError, responses
from vidclip.jobs.media import job_results_dir
from vidclip.jobs.status import JobStatus
from vidclip.jobs.store import JobStore
from vidclip.jobs.tables import Job

router = APIRouter(prefix=f"/jobs/{JOB_ID}", tags=["results"])

_ERRORS = responses(401, 404, 409)


def _finished_result(job: Job) -> str:
    if job.status != JobStatus.SUCCEEDED.value:
        raise ApiError(409, "not_ready", f"the job is {job.status}; results exist once it has "
                       "succeeded.", detail={"status": job.status})
    if job.result_json is None:
        raise ApiError(410, "purged", "the job's results were deleted.")
    return job.result_json


def current_analysis(job: Job, store: JobStore, revisions=None):
    """The stored result with people's latest revisions of its texts."""
    from vidclip.jobs.revisions import apply_revisions
    from vidclip.schema import VideoAnalysis

    analysis = VideoAnalysis.model_validate_json(_finished_result(job))
    return apply_revisions(analysis, store.revisions.list(job.id) if revisions is None
                           else revisions)


@router.get("/result", summary="The result JSON (vidclip result schema v1), with people's "
            "edits of its texts", responses={200: {"content": {"application/json": {}}}, **_ERRORS})
def result(job: OwnedJobDep, store: StoreDep) -> Response:
    revisions = store.revisions.list(job.id)
    if not revisions:  # as the worker stored it: no parse, no re-serialisation
        return Response(_finished_result(job), media_type="application/json")
    return Response(current_analysis(job, store, revisions).model_dump_json(),
                    media_type="application/json")


#: path, renderer in vidclip.output, media type, summary. Each is rendered from
#: the stored result on request, so every job has all of them, but the caption
#: track's, which exist once the job has a transcript.
TEXT_OUTPUTS = (
    ("captions.vtt", "to_captions_vtt", "text/vtt",
     "Captions of the speech and sounds as WebVTT (the file a player loads as captions); "
     "404 without a transcript"),
    ("captions.srt", "to_captions_srt", "application/x-subrip",
     "Captions of the speech and sounds as SubRip; 404 without a transcript"),
    ("captions.ttml", "to_captions_ttml", "application/ttml+xml",
     "Captions of the speech and sounds as TTML (IMSC 1 text profile); 404 without a "
     "transcript"),
    ("scenes.vtt", "to_webvtt", "text/vtt", "Per-scene captions of the picture as WebVTT"),
    ("scenes.srt", "to_srt", "application/x-subrip",
     "Per-scene captions of the picture as SubRip"),
    ("tags.csv", "to_csv", "text/csv", "Tags with time segments as CSV"),
    ("descriptions.vtt", "to_descriptions_vtt", "text/vtt",
     "Audio descriptions as a WebVTT descriptions track"),
    ("transcript.txt", "to_transcript_text", "text/plain",
     "What was said, with times and speakers (the scene descriptions when the job has no "
     "transcript)"),
    ("transcript.html", "to_transcript_html", "text/html",
     "An accessible HTML page of what is said, heard, seen and written, in time order"),
)


def _render(renderer: str, analysis) -> str:
    from vidclip import output
    from vidclip.output.captions import NoCaptionTrack

    try:
        return getattr(output, renderer)(analysis)
    except NoCaptionTrack as exc:
        # Never the scene descriptions under the captions' name: a player loading
        # them as captions would show a deaf viewer none of what is said.
        raise ApiError(404, "no_transcript", f"the job has no caption track: {exc}. The "
                       "descriptions of the picture are at /scenes.vtt (one per scene) and "
                       "/descriptions.vtt (the audio descriptions).") from None


def _add_text_route(path: str, renderer: str, media_type: str, summary: str) -> None:
    def endpoint(job: OwnedJobDep, store: StoreDep) -> Response:
        headers = ({"Content-Disposition": f'attachment; filename="{job.id}.{path}"'}
                   if path.endswith(".csv") else None)
        return Response(_render(renderer, current_analysis(job, store)),
                        media_type=f"{media_type}; charset=utf-8", headers=headers)

    endpoint.__name__ = path.replace(".", "_")
    router.add_api_route(f"/{path}", endpoint, methods=["GET"], summary=summary,
                         response_class=Response,
                         responses={200: {"content": {media_type: {}}}, **_ERRORS})


for _spec in TEXT_OUTPUTS:
    _add_text_route(*_spec)


@router.get("/thumbnails/{scene}.jpg", summary="A JPEG of one scene (made while it was analysed)",
            response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}}}, **responses(401, 404)})
def thumbnail(job: OwnedJobDep, settings: SettingsDep,
              scene: Annotated[int, Path(ge=0, le=1_000_000)]) -> FileResponse:
    from vidclip.output.files import thumbnail_path

    path = thumbnail_path(job_results_dir(settings, job.id), "result", scene)
    if not path.is_file():
        raise ApiError(404, "not_found", f"job {job.id} has no thumbnail for scene {scene} "
                       "(yet: they are written once its frames are analysed).")
    # Private: thumbnails are the tenant's content, never for shared caches.
    return FileResponse(path, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=3600"})
