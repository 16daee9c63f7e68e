"""Pages about jobs: the list with uploads and live progress, and the video
page (player, scene strip, lanes, captions, descriptions and caption cues
edited in place, on-screen text boxes over the player)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.errors import ApiError
from api.review_schemas import RevisionCreate
from api.routers.results import current_analysis
from api.routers.revisions import save_revision
from api.session import CSRF_FIELD
from api.ui.auth import UiProblem, UiSessionDep, UiUserDep, checked_form
from api.ui.speech_view import evidence, speech_view, text_items
from api.ui.templating import has_route, render
from vidclip.jobs.options import DEFAULT_FORMATS
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.revisions import latest_by_text
from vidclip.jobs.status import FINAL_STATES, JobStatus
from vidclip.jobs.store import JobStore, encode_cursor
from vidclip.jobs.views import job_public

router = APIRouter(prefix="/ui", include_in_schema=False)

PAGE_SIZE = 25
#: Tags given a lane of their own on the video page, best first.
TAG_LANES = 8
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


def owned_job(request: Request, principal: Principal, job_id: str):
    job = request.app.state.store.get(job_id, tenant=principal.tenant)
    if job is None:
        raise UiProblem(404, "No such job", f"There is no job {job_id} in {principal.tenant}.")
    return job


@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/jobs", 303)


@router.get("/jobs")
def jobs_page(request: Request, user: UiUserDep,
              status: Annotated[JobStatus | None, Query()] = None,
              tag: Annotated[str | None, Query(max_length=200)] = None,
              cursor: Annotated[str | None, Query(max_length=200)] = None):
    store: JobStore = request.app.state.store
    tag = (tag or "").strip() or None
    try:
        jobs = store.list(tenant=user.tenant, statuses=[status.value] if status else None,
                          tag=tag, limit=PAGE_SIZE + 1, cursor=cursor)
    except ValueError as exc:
        raise UiProblem(400, "That page link is broken", "Go back to the first page of "
                        "jobs.") from exc
    more = len(jobs) > PAGE_SIZE
    jobs = jobs[:PAGE_SIZE]
    settings = request.app.state.settings
    return render(request, "jobs.html", jobs=[job_public(j) for j in jobs],
                  next_cursor=encode_cursor(jobs[-1]) if more else None, first_page=not cursor,
                  status=status.value if status else "", tag=tag or "",
                  statuses=[s.value for s in JobStatus], final=[s.value for s in FINAL_STATES],
                  vocabularies=_bundled_vocabularies(),
                  policies=store.policies.names(user.tenant),
                  captioner=settings.captions.backend, formats=DEFAULT_FORMATS,
                  max_upload=settings.upload_max_bytes)


def _bundled_vocabularies() -> list[str]:
    from importlib import resources

    folder = resources.files("vidclip") / "data" / "vocabularies"
    return sorted(p.name for p in folder.iterdir() if p.is_dir())


def _lanes(analysis) -> dict:
    flags = [c for c in analysis.moderation.categories if c.flagged]
    tags = sorted(analysis.tags, key=lambda t: -t.score)[:TAG_LANES]
    return {"flags": flags, "tags": [t for t in tags if t.segments],
            "evidence": evidence(flags), "speech": speech_view(analysis),
            "texts": text_items(analysis)}


def _tracks(request: Request, job_id: str) -> dict:
    """Which text-track routes this server has: the caption track in TTML, and
    the scene captions under ``scenes.*`` once the caption track took ``captions.*``."""
    base = f"/v1/jobs/{job_id}"
    scenes = "scenes" if has_route(request.app, f"{base}/scenes.vtt") else "captions"
    return {"ttml": has_route(request.app, f"{base}/captions.ttml"), "scenes": scenes}


@router.get("/jobs/{job_id}")
def video_page(request: Request, job_id: JobId, user: UiUserDep):
    store: JobStore = request.app.state.store
    job = owned_job(request, user, job_id)
    public = job_public(job)
    context: dict[str, Any] = {"job": public, "can_edit": user.can(Role.REVIEWER), "analysis": None,
               "final": [s.value for s in FINAL_STATES]}
    if job.status == JobStatus.SUCCEEDED.value and job.result_json is not None:
        revisions = store.revisions.list(job.id)
        analysis = current_analysis(job, store, revisions)
        history: dict = {}
        for rev in revisions:
            history.setdefault((rev.field, rev.scene), []).append(rev)
        bases = {key: rev.seq for key, rev in latest_by_text(revisions).items()}
        review = store.reviews.for_job(job.id, user.tenant) if user.can(Role.REVIEWER) else None
        context.update(analysis=analysis, lanes=_lanes(analysis), history=history, bases=bases,
                       review=review, has_media=bool(job.media_path),
                       tracks=_tracks(request, job.id))
    return render(request, "video.html", **context)


@router.post("/jobs/{job_id}/texts")
def save_text(request: Request, job_id: JobId, session: UiSessionDep,
              field: Annotated[str, Form(max_length=20)],
              base: Annotated[int, Form(ge=0)],
              scene: Annotated[int | None, Form(ge=0)] = None,
              text: Annotated[str | None, Form(max_length=100_000)] = None,
              csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = ""):
    """The edit form without JavaScript (the page's script sends the same edit to
    ``POST /v1/jobs/{id}/revisions`` and updates the text in place)."""
    checked_form(session, csrf_token)
    user = session.principal
    if not user.can(Role.REVIEWER):
        raise UiProblem(403, "Editing is for reviewers", f"{user.name} is a {user.role.value}.")
    job = owned_job(request, user, job_id)
    try:
        body = RevisionCreate(field=field, scene=scene, base=base, text=text)
        save_revision(request.app.state.store, job, user.name, body)
    except ValidationError as exc:
        raise UiProblem(422, "That edit was not saved", str(exc.errors()[0]["msg"])) from exc
    except ApiError as exc:
        raise UiProblem(exc.status, "That edit was not saved", exc.message) from exc
    anchor = ("summary" if scene is None else f"speech-{scene}" if field == "cue"
              else f"cue-{scene}")
    return RedirectResponse(f"/ui/jobs/{job_id}#{anchor}", 303)
