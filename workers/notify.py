"""Webhook delivery as task bodies: POST, retry transient failures with backoff.

Two events reach a job's webhook: ``job.finished`` (its final status) and
``review.closed`` (reviewers' final decisions on its flagged categories).
"""

from __future__ import annotations

import dataclasses
import logging

from vidclip.errors import VidclipError
from vidclip.jobs.views import job_public
from vidclip.jobs.webhook import JOB_FINISHED, REVIEW_CLOSED, deliver, payload, review_payload

log = logging.getLogger(__name__)


def deliver_webhook(task, rt, job_id: str) -> int | None:
    job = rt.store.get(job_id)
    if job is None or not job.webhook_url:
        return None
    if rt.store.count_events(job_id, "webhook_delivered"):
        # A redelivered task (its worker died after the POST): the receiver has it.
        log.info("webhook of job %s was already delivered", job_id)
        return None
    body = payload(job_public(job).model_dump(mode="json"))
    return _post(task, rt, job, body, JOB_FINISHED, task.request.id or job_id)


def deliver_review_webhook(task, rt, item_id: str, seq: int) -> int | None:
    """The item as it is after event ``seq`` closed it (decisions and log)."""
    view = rt.store.reviews.get(item_id)
    job = rt.store.get(view.job_id) if view is not None else None
    if job is None or not job.webhook_url:
        return None
    review = dataclasses.asdict(view) | {"closed_by_event": seq}
    body = review_payload(review, job_public(job).model_dump(mode="json"))
    return _post(task, rt, job, body, REVIEW_CLOSED, task.request.id or f"{item_id}-{seq}")


def _post(task, rt, job, body: bytes, event: str, delivery_id: str) -> int | None:
    try:
        status = deliver(job.webhook_url, body, rt.settings, delivery_id=delivery_id, event=event)
    except VidclipError as exc:
        retries = task.request.retries
        if exc.retryable and retries < rt.settings.webhook_max_retries:
            raise task.retry(exc=exc, countdown=min(2 ** retries, 300)) from None
        rt.store.add_event(job.id, "webhook_failed", f"{event}: {exc.message}")
        log.warning("webhook %s of job %s not delivered: %s", event, job.id, exc.message)
        return None
    rt.store.add_event(job.id, "webhook_delivered",
                       f"HTTP {status}" if event == JOB_FINISHED else f"{event}: HTTP {status}")
    return status
