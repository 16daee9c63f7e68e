"""Webhook delivery as a task body: POST, retry transient failures with backoff."""

from __future__ import annotations

import logging

from vidclip.errors import VidclipError
from vidclip.jobs.views import job_public
from vidclip.jobs.webhook import deliver, payload

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
    try:
        status = deliver(job.webhook_url, body, rt.settings, delivery_id=task.request.id or job_id)
    except VidclipError as exc:
        retries = task.request.retries
        if exc.retryable and retries < rt.settings.webhook_max_retries:
            raise task.retry(exc=exc, countdown=min(2 ** retries, 300)) from None
        rt.store.add_event(job_id, "webhook_failed", exc.message)
        log.warning("webhook of job %s not delivered: %s", job_id, exc.message)
        return None
    rt.store.add_event(job_id, "webhook_delivered", f"HTTP {status}")
    return status
