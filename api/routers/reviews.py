"""/v1/reviews: the moderation queue of the caller's tenant, reviewers and admins only.

A job with a flagged category enters the queue as ``open`` when it succeeds;
each action is an event appended to the item's log (who, when, what, the
state before and after). Another tenant's item is a 404, like no item.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import QueueDep, StoreDep, require_role
from api.errors import ApiError, responses
from api.queue import JobQueue
from api.review_schemas import (
    ReviewDetail,
    ReviewEventCreate,
    ReviewEventPublic,
    ReviewEventResult,
    ReviewLinks,
    ReviewPage,
    ReviewPublic,
)
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.review_states import State
from vidclip.jobs.reviews import EventView, ReviewBusy, ReviewGone, ReviewView
from vidclip.jobs.store import JobStore
from vidclip.jobs.views import API_PREFIX

router = APIRouter(prefix="/reviews", tags=["review"], responses=responses(401, 403))

ReviewerDep = Annotated[Principal, Depends(require_role(Role.REVIEWER))]
ReviewId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The review item's id.")]


def event_public(event: EventView) -> ReviewEventPublic:
    return ReviewEventPublic.model_validate(event, from_attributes=True)


def review_public(view: ReviewView, *, detail: bool = False) -> ReviewPublic | ReviewDetail:
    base = f"{API_PREFIX}/reviews/{view.id}"
    fields = dict(
        id=view.id, job_id=view.job_id, state=view.state, top_score=view.top_score,
        policy=view.policy, policy_version=view.policy_version,
        preview_scene=view.preview_scene, version=view.version,
        created_at=view.created_at, updated_at=view.updated_at,
        categories=[dict(category=c.category, score=c.score, threshold=c.threshold,
                         flagged=c.flagged, segments=c.segments, decision=c.decision)
                    for c in view.categories],
        links=ReviewLinks(self=base, job=f"{API_PREFIX}/jobs/{view.job_id}",
                          events=f"{base}/events"))
    if detail:
        return ReviewDetail(**fields, events=[event_public(e) for e in view.events])
    return ReviewPublic(**fields)


def not_found(item_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no review with id {item_id}.")


def record_event(store: JobStore, queue: JobQueue, principal: Principal, item_id: str,
                 body: ReviewEventCreate) -> ReviewEventResult:
    """Append one event; tell the job's webhook when it closes the item."""
    try:
        view, seq = store.reviews.act(item_id, principal.tenant, actor=principal.name,
                                      action=body.action, category=body.category,
                                      note=(body.note or "").strip() or None)
    except LookupError as exc:
        raise not_found(item_id) from exc
    except ReviewGone as exc:
        raise ApiError(410, "purged", str(exc)) from exc
    except ReviewBusy as exc:
        raise ApiError(503, "busy", str(exc)) from exc
    except ValueError as exc:
        raise ApiError(422, "invalid_request", f"{exc}.") from exc
    event = next(e for e in view.events if e.seq == seq)
    seen = body.seen if body.seen is not None else seq - 1
    concurrent = [e for e in view.events if seen < e.seq < seq]
    message = f"{body.action.value} recorded; the item is {event.state_after}."
    if concurrent:
        who = ", ".join(sorted({e.actor for e in concurrent}))
        message = (f"{who} acted on this item after you opened it; both decisions are in "
                   f"the log, and yours, the later, sets the state: {event.state_after}.")
    if event.state_after == State.CLOSED.value:
        job = store.get(view.job_id)
        if job is not None and job.webhook_url:
            try:
                queue.notify_review(view.id, seq)
            except Exception as exc:  # the decision is stored; the webhook is best effort
                message += f" (the job's webhook could not be queued: {type(exc).__name__})"
    return ReviewEventResult(review=review_public(view, detail=True), event=event_public(event),
                             concurrent=[event_public(e) for e in concurrent], message=message)


@router.get("", response_model=ReviewPage, responses=responses(422),
            summary="The queue, highest flag score first")
def list_reviews(reviewer: ReviewerDep, store: StoreDep,
                 state: Annotated[State | None, Query()] = None,
                 category: Annotated[str | None, Query(max_length=100)] = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 cursor: Annotated[str | None, Query(max_length=300)] = None) -> ReviewPage:
    try:
        items, more = store.reviews.queue(reviewer.tenant, state=state.value if state else None,
                                         category=category, limit=limit, cursor=cursor)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", "cursor: not a cursor from this API.") from exc
    return ReviewPage(items=[review_public(v) for v in items], next_cursor=more)


@router.get("/{item_id}", response_model=ReviewDetail, responses=responses(404),
            summary="One item, its categories' decisions and its event log")
def get_review(item_id: ReviewId, reviewer: ReviewerDep, store: StoreDep) -> ReviewDetail:
    view = store.reviews.get(item_id, reviewer.tenant)
    if view is None:
        raise not_found(item_id)
    return review_public(view, detail=True)  # type: ignore[return-value]


@router.post("/{item_id}/events", status_code=201, response_model=ReviewEventResult,
             responses=responses(404, 410, 422, 503),
             summary="Confirm, dismiss or escalate a category, reopen, or comment")
async def post_event(item_id: ReviewId, body: ReviewEventCreate, reviewer: ReviewerDep,
                     store: StoreDep, queue: QueueDep) -> ReviewEventResult:
    return await run_in_threadpool(record_event, store, queue, reviewer, item_id, body)
