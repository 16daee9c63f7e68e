"""Pages of the moderation queue, the calibration report and search."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.errors import ApiError
from api.review_schemas import PolicyVersionCreate, ReviewEventCreate
from api.routers.moderation import DEFAULT_TARGET, build_report, write_version
from api.routers.reviews import record_event
from api.session import CSRF_FIELD
from api.ui.auth import UiProblem, UiSessionDep, UiUserDep, checked_form, require
from api.ui.speech_view import evidence
from api.ui.templating import render
from vidclip.jobs.principal import Role
from vidclip.jobs.review_states import Action, State
from vidclip.jobs.views import job_public

router = APIRouter(prefix="/ui", include_in_schema=False)

ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
Token = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]


@router.get("/reviews")
def queue_page(request: Request, user: UiUserDep,
               state: Annotated[State | None, Query()] = None,
               category: Annotated[str | None, Query(max_length=100)] = None,
               cursor: Annotated[str | None, Query(max_length=300)] = None):
    require(user, Role.REVIEWER, "The moderation queue")
    store = request.app.state.store
    category = (category or "").strip() or None
    try:
        items, more = store.reviews.queue(user.tenant, state=state.value if state else None,
                                          category=category, cursor=cursor)
    except ValueError as exc:
        raise UiProblem(400, "That page link is broken", "Go back to the queue.") from exc
    jobs = {i.job_id: job_public(store.get(i.job_id)) for i in items}
    words = {i.id: evidence(c for c in i.categories if c.flagged) for i in items}
    return render(request, "queue.html", items=items, jobs=jobs, words=words, next_cursor=more,
                  state=state.value if state else "", category=category or "",
                  states=[s.value for s in State],
                  categories=store.reviews.categories_in_use(user.tenant))


def _item_page(request: Request, user, item_id: str, status: int = 200, **extra):
    store = request.app.state.store
    view = store.reviews.get(item_id, user.tenant)
    if view is None:
        raise UiProblem(404, "No such review", f"There is no review {item_id} in "
                        f"{user.tenant}.")
    job = store.get(view.job_id)
    return render(request, "review.html", status, item=view, job=job_public(job),
                  purged=job.result_json is None, has_media=bool(job.media_path),
                  has_captions=_has_caption_track(job.result_json),
                  actions=[a.value for a in Action], **extra)


def _has_caption_track(result_json: str | None) -> bool:
    """Whether /captions.vtt answers (a transcript's track), so the player offers no
    captions track that would 404."""
    return result_json is not None and json.loads(result_json).get("caption_track") is not None


@router.get("/reviews/{item_id}")
def item_page(request: Request, item_id: ItemId, user: UiUserDep):
    require(user, Role.REVIEWER, "The moderation queue")
    return _item_page(request, user, item_id)


@router.post("/reviews/{item_id}/events")
def item_event(request: Request, item_id: ItemId, session: UiSessionDep,
               action: Annotated[str, Form(max_length=20)],
               csrf_token: Token = "",
               category: Annotated[str | None, Form(max_length=100)] = None,
               note: Annotated[str | None, Form(max_length=2000)] = None,
               seen: Annotated[int | None, Form(ge=0)] = None):
    checked_form(session, csrf_token)
    user = session.principal
    require(user, Role.REVIEWER, "Deciding reviews")
    try:
        body = ReviewEventCreate(action=action, category=category or None,
                                 note=note, seen=seen)
        result = record_event(request.app.state.store, request.app.state.queue, user, item_id,
                              body)
    except ValidationError as exc:
        raise UiProblem(422, "That decision was not recorded",
                        str(exc.errors()[0]["msg"])) from exc
    except ApiError as exc:
        if exc.status == 404:
            raise UiProblem(404, "No such review", exc.message) from exc
        return _item_page(request, user, item_id, exc.status, problem=exc.message)
    return _item_page(request, user, item_id, message=result.message,
                      concurrent=bool(result.concurrent))


@router.get("/moderation")
def report_page(request: Request, user: UiUserDep,
                policy: Annotated[str, Query(max_length=200)] = "default",
                target: Annotated[float, Query(gt=0, le=1)] = DEFAULT_TARGET,
                applied: Annotated[int | None, Query(ge=1)] = None):
    require(user, Role.REVIEWER, "The calibration report")
    store = request.app.state.store
    names = store.policies.names(user.tenant)
    if policy not in names:
        raise UiProblem(404, "No such policy", f"There are {', '.join(names)}.")
    report = build_report(store, user.tenant, policy, target)
    return render(request, "report.html", report=report, policies=names,
                  versions=store.policies.versions(user.tenant, policy)[::-1],
                  can_apply=user.can(Role.ADMIN), applied=applied)


@router.post("/moderation/apply")
def apply_threshold(request: Request, session: UiSessionDep,
                    policy: Annotated[str, Form(max_length=200)],
                    base_version: Annotated[int, Form(ge=1)],
                    category: Annotated[str, Form(max_length=100)],
                    threshold: Annotated[float, Form()],
                    target: Annotated[float, Form(gt=0, le=1)] = DEFAULT_TARGET,
                    note: Annotated[str | None, Form(max_length=2000)] = None,
                    csrf_token: Token = ""):
    checked_form(session, csrf_token)
    user = session.principal
    require(user, Role.ADMIN, "Changing a policy")
    try:
        body = PolicyVersionCreate(base_version=base_version, thresholds={category: threshold},
                                   note=note)
        made = write_version(request.app.state.store, user, policy, body)
    except ValidationError as exc:
        raise UiProblem(422, "The policy was not changed", str(exc.errors()[0]["msg"])) from exc
    except ApiError as exc:
        raise UiProblem(exc.status, "The policy was not changed", exc.message) from exc
    return RedirectResponse(f"/ui/moderation?policy={policy}&target={target}"
                            f"&applied={made.version}", 303)


@router.get("/search")
def search_page(request: Request, user: UiUserDep,
                q: Annotated[str, Query(max_length=1000)] = ""):
    return render(request, "search.html", q=q)
