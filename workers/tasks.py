"""The Celery tasks: claim the job, run one step, decide what Celery does next.

Task names come from :class:`vidclip.jobs.TaskName`; arguments are keyword-only
and JSON-safe (a job id). A job is ``chain(analyze.si(...), caption.si(...))``
(immutable signatures: caption does not take analyze's return value); raising
``Ignore`` ends the chain without an error when there is nothing more to do.
"""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import Ignore

from vidclip.jobs.names import TaskName, task_id
from vidclip.jobs.store import Claim
from workers import runtime, steps


def _claim(task, job_id: str, stage: str, **limits) -> str | None:
    """This execution's worker id if it now owns the job; otherwise retry or stop."""
    rt = runtime.current()
    worker = rt.worker_id()
    claim, _ = rt.store.claim(job_id, worker, lease_s=rt.settings.lease_s, stage=stage, **limits)
    if claim is Claim.BUSY:  # another live worker has it; look again when its lease may be over
        raise task.retry(countdown=rt.settings.lease_s / 2, max_retries=None)
    if claim is Claim.ANALYZED:
        return None
    if claim is Claim.CANCEL and steps.cancel_waiting(rt, job_id) is steps.Outcome.FINISHED:
        notify(job_id)
    if claim is Claim.FINISHED:
        notify(job_id)
    if claim is not Claim.RUN:
        raise Ignore()
    return worker


def _conclude(task, job_id: str, worker: str, result: steps.Result) -> steps.Outcome:
    rt = runtime.current()
    if result.outcome is steps.Outcome.RETRY:
        if task.request.retries < rt.settings.task_max_retries:
            rt.store.release(job_id, worker, f"retry after: {result.error}")
            countdown = rt.settings.retry_backoff_s * 2 ** task.request.retries
            raise task.retry(exc=result.error, countdown=countdown)
        result = steps.Result(steps.give_up(rt, job_id, worker, result.error))
    if result.outcome is steps.Outcome.FINISHED:
        steps.after_final(rt, job_id)
        notify(job_id)
    return result.outcome


@shared_task(name=TaskName.ANALYZE.value, bind=True)
def analyze(self, *, job_id: str) -> str:
    """Decode, encode, segment, tag and moderate; the analysis goes to the store."""
    rt = runtime.current()
    worker = _claim(self, job_id, "decode", max_attempts=rt.settings.max_attempts)
    if worker is not None:
        outcome = _conclude(self, job_id, worker, steps.analyze_job(rt, job_id, worker))
        if outcome is not steps.Outcome.NEXT:
            raise Ignore()  # failed, cancelled or taken over: no caption task
    return job_id


@shared_task(name=TaskName.CAPTION.value, bind=True)
def caption(self, *, job_id: str) -> str:
    """Caption the stored analysis, write the result files, finish the job."""
    worker = _claim(self, job_id, "caption")
    if worker is None:  # nothing left to caption
        raise Ignore()
    _conclude(self, job_id, worker, steps.caption_job(runtime.current(), job_id, worker))
    return job_id


@shared_task(name=TaskName.WEBHOOK.value, bind=True)
def webhook(self, *, job_id: str) -> int | None:
    """POST the job's final status to its webhook URL, retrying with backoff."""
    from workers.notify import deliver_webhook

    return deliver_webhook(self, runtime.current(), job_id)


@shared_task(name=TaskName.REVIEW_WEBHOOK.value, bind=True)
def review_webhook(self, *, item_id: str, seq: int) -> int | None:
    """POST reviewers' final decisions on a job to its webhook URL."""
    from workers.notify import deliver_review_webhook

    return deliver_review_webhook(self, runtime.current(), item_id, seq)


def notify(job_id: str) -> None:
    """Queue the webhook of a job that just reached a final state (if it has one)."""
    rt = runtime.current()
    job = rt.store.get(job_id)
    if job is not None and job.webhook_url:
        webhook.apply_async(kwargs={"job_id": job_id},
                            task_id=task_id(job_id, TaskName.WEBHOOK))
