"""/v1/jobs/{id}/media: the job's video, for players (HTTP Range: seeking works)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import JOB_ID, OwnedJobDep
from api.errors import ApiError, responses

router = APIRouter(prefix=f"/jobs/{JOB_ID}", tags=["results"])

#: Container (the suffix the upload's sniffed type gave the file) -> media type.
MEDIA_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
               ".webm": "video/webm", ".mkv": "video/x-matroska", ".avi": "video/x-msvideo",
               ".ts": "video/mp2t", ".mpg": "video/mpeg", ".ogv": "video/ogg"}


@router.get("/media", summary="The job's video as it was submitted; honours Range requests",
            response_class=FileResponse,
            responses={200: {"content": {"video/mp4": {}}, "description": "The whole file"},
                       206: {"description": "The requested byte range"},
                       416: {"description": "A range outside the file"},
                       **responses(401, 404, 410)})
def media(job: OwnedJobDep) -> FileResponse:
    if job.media_path is None:
        if job.result_json is None and job.finished_at is not None:
            raise ApiError(410, "purged", "the job's media was deleted.")
        raise ApiError(404, "not_found", f"job {job.id} has no media yet (a URL is "
                       "downloaded when a worker starts the job).")
    path = Path(job.media_path)
    if not path.is_file():
        raise ApiError(410, "purged", "the job's media is no longer on the server.")
    # Starlette answers Range and If-Range itself (206, 416). Private: the
    # tenant's content, never for shared caches.
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix.lower(),
                                                         "application/octet-stream"),
                        headers={"Cache-Control": "private, max-age=3600"})
