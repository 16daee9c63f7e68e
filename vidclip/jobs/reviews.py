"""The moderation queue in the job store: review items, their categories and
the append-only event log (see :mod:`vidclip.jobs.review_states` for states).

Concurrency, as in :mod:`vidclip.jobs.store`: no transaction reads and then
writes. An action reads the item in one transaction, computes the
transition, then in a second transaction moves ``version`` from the value
read to the next (``UPDATE ... WHERE version = read``) and, only if that
row changed, inserts the event and the category's decision. A writer that
lost the race reads again and applies its action on top: two reviewers
acting at once both get their event in the log, and the state follows the
one that landed later.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, and_, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from vidclip.jobs.review_states import Action, CategoryState, Decision, State, apply
from vidclip.jobs.review_tables import ReviewCategory, ReviewEvent, ReviewItem
from vidclip.jobs.status import JobStatus
from vidclip.jobs.tables import Job, utcnow
from vidclip.schema import Moderation, Scene

#: A category scored this far below its threshold is listed beside the flags,
#: so reviewers can say whether the threshold missed it (recall in the report).
NEAR_MISS = 0.1


class ReviewGone(Exception):
    """The item's job was purged: nothing is left to decide on."""


class ReviewBusy(Exception):
    """Too many writers at once; the caller may try again."""


@dataclass(frozen=True)
class CategoryView:
    category: str
    score: float
    threshold: float
    flagged: bool
    segments: list
    decision: Decision


@dataclass(frozen=True)
class EventView:
    seq: int
    actor: str
    action: str
    category: str | None
    note: str | None
    state_before: str
    state_after: str
    decision_before: str | None
    decision_after: str | None
    at: datetime


@dataclass(frozen=True)
class ReviewView:
    id: str
    job_id: str
    tenant: str
    state: State
    top_score: float
    policy: str
    policy_version: str | None
    preview_scene: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    categories: list[CategoryView]
    events: list[EventView] = field(default_factory=list)


@dataclass(frozen=True)
class Decided:
    """One reviewed category, as the calibration report reads it."""

    category: str
    score: float
    decision: Decision


def _cursor(item: ReviewItem) -> str:
    return base64.urlsafe_b64encode(f"{item.top_score!r}|{item.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[float, str]:
    """ValueError for a cursor this store did not make."""
    raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    score, _, item_id = raw.partition("|")
    if not item_id:
        raise ValueError("bad cursor")
    return float(score), item_id


def _event(row: ReviewEvent) -> EventView:
    return EventView(seq=row.seq, actor=row.actor, action=row.action, category=row.category,
                     note=row.note, state_before=row.state_before, state_after=row.state_after,
                     decision_before=row.decision_before, decision_after=row.decision_after,
                     at=row.at)


class ReviewStore:
    def __init__(self, session: sessionmaker):
        self._session = session

    def _tx(self) -> AbstractContextManager[Session]:
        return self._session.begin()

    # -- entering the queue (workers) -----------------------------------------------
    def open_for_job(self, job_id: str, tenant: str, moderation: Moderation,
                     scenes: Sequence[Scene] = ()) -> str | None:
        """Put a job with a flagged category in the queue; idempotent (a redelivered
        task finds its item). None when nothing is flagged."""
        flagged = [c for c in moderation.categories if c.flagged]
        if not flagged:
            return None
        top = max(flagged, key=lambda c: c.score)
        start = top.segments[0].start_s if top.segments else 0.0
        preview = next((s.index for s in scenes if s.start_s <= start < s.end_s),
                       scenes[0].index if scenes else None)
        listed = [c for c in moderation.categories
                  if c.flagged or c.score >= c.threshold - NEAR_MISS]
        now = utcnow()
        item = ReviewItem(job_id=job_id, tenant=tenant, state=State.OPEN.value,
                          top_score=max(c.score for c in flagged), policy=moderation.policy,
                          policy_version=moderation.policy_version, preview_scene=preview,
                          version=0, created_at=now,
                          updated_at=now)
        try:
            with self._tx() as session:
                session.add(item)
                session.flush()
                session.add_all(ReviewCategory(
                    item_id=item.id, category=c.category, score=c.score, threshold=c.threshold,
                    flagged=c.flagged, segments=[s.model_dump() for s in c.segments],
                    decision=Decision.PENDING.value) for c in listed)
            return item.id
        except IntegrityError:
            existing = self.for_job(job_id, tenant)
            if existing is None:
                raise
            return existing.id

    # -- reading -------------------------------------------------------------------
    def queue(self, tenant: str, *, state: str | None = None, category: str | None = None,
             limit: int = 50, cursor: str | None = None) -> tuple[list[ReviewView], str | None]:
        """The queue: highest flag score first; only jobs that still have results."""
        query = (select(ReviewItem).join(Job, Job.id == ReviewItem.job_id)
                 .where(ReviewItem.tenant == tenant, Job.status == JobStatus.SUCCEEDED.value,
                        Job.result_json.is_not(None)))
        if state:
            query = query.where(ReviewItem.state == state)
        if category:
            query = query.where(exists().where(ReviewCategory.item_id == ReviewItem.id,
                                               ReviewCategory.category == category,
                                               ReviewCategory.flagged.is_(True)))
        if cursor:
            score, last = _decode_cursor(cursor)
            query = query.where(or_(ReviewItem.top_score < score,
                                    and_(ReviewItem.top_score == score, ReviewItem.id < last)))
        query = query.order_by(ReviewItem.top_score.desc(), ReviewItem.id.desc()).limit(limit + 1)
        with self._tx() as session:
            items = list(session.scalars(query))
            more = len(items) > limit
            items = items[:limit]
            views = [self._view(session, item, events=False) for item in items]
        return views, (_cursor(items[-1]) if more else None)

    def get(self, item_id: str, tenant: str | None = None) -> ReviewView | None:
        """The item with its log; with ``tenant``, None for another tenant's item
        (like no item). Workers pass none."""
        with self._tx() as session:
            item = session.get(ReviewItem, item_id)
            if item is None or tenant not in (None, item.tenant):
                return None
            return self._view(session, item, events=True)

    def for_job(self, job_id: str, tenant: str) -> ReviewView | None:
        with self._tx() as session:
            item = session.scalars(select(ReviewItem).where(ReviewItem.job_id == job_id)).first()
            if item is None or item.tenant != tenant:
                return None
            return self._view(session, item, events=True)

    def categories_in_use(self, tenant: str) -> list[str]:
        with self._tx() as session:
            return sorted(set(session.scalars(
                select(ReviewCategory.category).join(ReviewItem)
                .where(ReviewItem.tenant == tenant, ReviewCategory.flagged.is_(True)))))

    @staticmethod
    def _view(session: Session, item: ReviewItem, *, events: bool) -> ReviewView:
        cats = session.scalars(select(ReviewCategory).where(ReviewCategory.item_id == item.id)
                               .order_by(ReviewCategory.flagged.desc(),
                                         ReviewCategory.score.desc()))
        log: list[ReviewEvent] = list(session.scalars(
            select(ReviewEvent).where(ReviewEvent.item_id == item.id).order_by(ReviewEvent.seq)
        )) if events else []
        return ReviewView(
            id=item.id, job_id=item.job_id, tenant=item.tenant, state=State(item.state),
            top_score=item.top_score, policy=item.policy, policy_version=item.policy_version,
            preview_scene=item.preview_scene, version=item.version, created_at=item.created_at,
            updated_at=item.updated_at,
            categories=[CategoryView(c.category, c.score, c.threshold, c.flagged, c.segments,
                                     Decision(c.decision)) for c in cats],
            events=[_event(e) for e in log])

    def decided(self, tenant: str, policy: str) -> list[Decided]:
        """Every confirmed or dismissed category of the tenant's items under ``policy``."""
        query = (select(ReviewCategory.category, ReviewCategory.score, ReviewCategory.decision)
                 .join(ReviewItem).where(
                     ReviewItem.tenant == tenant, ReviewItem.policy == policy,
                     ReviewCategory.decision.in_([Decision.CONFIRMED.value,
                                                  Decision.DISMISSED.value])))
        with self._tx() as session:
            return [Decided(c, s, Decision(d)) for c, s, d in session.execute(query)]

    # -- acting ---------------------------------------------------------------------
    def act(self, item_id: str, tenant: str, *, actor: str, action: Action,
            category: str | None = None, note: str | None = None) -> tuple[ReviewView, int]:
        """Record one action; the item after it and the event's ``seq``.

        None-returning cases raise instead: LookupError (no such item in the
        tenant), :class:`ReviewGone` (job purged), ValueError (the action does
        not apply), :class:`ReviewBusy` (lost the race too many times).
        """
        for _ in range(50):
            view = self.get(item_id, tenant)
            if view is None:
                raise LookupError(item_id)
            if not self._has_results(view.job_id):
                raise ReviewGone(f"job {view.job_id} was purged; its review takes no more "
                                 "decisions (its log is kept).")
            cats = {c.category: CategoryState(c.decision, c.flagged) for c in view.categories}
            step = apply(view.state, cats, action, category, note)
            seq = view.version + 1
            now = utcnow()
            with self._tx() as session:
                moved = cast(CursorResult, session.execute(update(ReviewItem).where(
                    ReviewItem.id == item_id, ReviewItem.version == view.version,
                ).values(version=seq, state=step.state.value, updated_at=now))).rowcount
                if not moved:
                    continue
                before = cats[category].decision.value if category else None
                session.execute(insert(ReviewEvent).values(
                    item_id=item_id, seq=seq, actor=actor, action=action.value,
                    category=category, note=note or None, state_before=view.state.value,
                    state_after=step.state.value, decision_before=before,
                    decision_after=step.decision.value if step.decision else before, at=now))
                if step.clear_all:
                    session.execute(update(ReviewCategory).where(
                        ReviewCategory.item_id == item_id).values(decision=Decision.PENDING.value))
                elif step.decision is not None:
                    session.execute(update(ReviewCategory).where(
                        ReviewCategory.item_id == item_id, ReviewCategory.category == category,
                    ).values(decision=step.decision.value))
            return self.get(item_id, tenant), seq  # type: ignore[return-value]
        raise ReviewBusy("the item is being changed by many reviewers at once; try again.")

    def _has_results(self, job_id: str) -> bool:
        with self._tx() as session:
            return bool(session.scalar(select(Job.id).where(
                Job.id == job_id, Job.result_json.is_not(None))))
