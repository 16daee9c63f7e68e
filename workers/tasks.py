"""The Celery tasks: claim the job, run one step, decide what Celery does next.

Task names come from :class:`vidclip.jobs.TaskName`; arguments are keyword-only
and JSON-safe (a job id). A job is ``chain(analyze.si(...), caption.si(...))``
(immutable signatures: caption does not take analyze's return value); raising
``Ignore`` ends the chain without an error when there is nothing more to do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from celery import shared_task
from celery.exceptions import Ignore, Retry
from sqlalchemy.exc import OperationalError

from vidclip import logs
from vidclip.jobs.names import TaskName, task_id
from vidclip.jobs.store import Claim
from workers import metrics, runtime, steps

log = logging.getLogger(__name__)
T = TypeVar("T")

#: While the job store is unreachable nothing can be recorded, so a task waits
#: for it (backoff up to a minute) rather than fail; about an hour in all.
STORE_RETRIES = 70
STORE_BACKOFF_MAX_S = 60.0


def _observed(task, name: str, job_id: str, body: Callable[[], T]) -> T:
    """Run a task body under the job's log context, timed by outcome."""
    started, outcome = time.perf_counter(), "error"
    with logs.job_context(job_id, name):
        try:
            result = body()
            outcome = "done"
            return result
        except Retry:
            outcome = "retry"
            raise
        except Ignore:
            outcome = "stopped"
            raise
        except OperationalError as exc:  # the store went away before or after the work
            outcome = "retry"
            rt = runtime.current()
            retries = task.request.retries
            log.warning("job store unreachable (%s); retrying", type(exc).__name__)
            metrics.TASK_RETRIES.labels(name, "store_unavailable").inc()
            countdown = min(max(rt.settings.retry_backoff_s, 0.5) * 2 ** min(retries, 8),
                            STORE_BACKOFF_MAX_S)
            raise task.retry(exc=exc, countdown=countdown, max_retries=STORE_RETRIES) from None
        finally:
            metrics.TASK_SECONDS.labels(name, outcome).observe(time.perf_counter() - started)


def _claim(task, job_id: str, stage: str, **limits) -> str | None:
    """This execution's worker id if it now owns the job; otherwise retry or stop."""
    rt = runtime.current()
    worker = rt.worker_id()
    claim, job = rt.store.claim(job_id, worker, lease_s=rt.settings.lease_s, stage=stage,
                                on_takeover=lambda _previous: metrics.LEASE_TAKEOVERS.inc(),
                                holder_alive=rt.holder_alive, **limits)
    if claim is Claim.BUSY:  # another live worker has it; look again when its lease may be over
        metrics.TASK_RETRIES.labels(task.name.rsplit(".", 1)[-1], "busy").inc()
        raise task.retry(countdown=rt.settings.lease_s / 2, max_retries=None)
    if job is not None and stage != "caption":  # not waiting any more: a place in its key's queue
        rt.leave_queue(job)
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
            try:
                rt.store.release(job_id, worker, f"retry after: {result.error}")
            except OperationalError:  # the store is down: the lease runs out instead
                pass
            reason = getattr(result.error, "code", None) or type(result.error).__name__
            metrics.TASK_RETRIES.labels(task.name.rsplit(".", 1)[-1], reason).inc()
            countdown = rt.settings.retry_backoff_s * 2 ** task.request.retries
            raise task.retry(exc=result.error, countdown=countdown)
        result = steps.Result(steps.give_up(rt, job_id, worker, result.error))
    if result.outcome is steps.Outcome.FINISHED:
        steps.after_final(rt, job_id)
        notify(job_id)
        index_later(job_id)  # a success adds its moments, a purge removes them
    return result.outcome


@shared_task(name=TaskName.ANALYZE.value, bind=True)
def analyze(self, *, job_id: str) -> str:
    """Decode, encode, segment, tag and moderate; the analysis goes to the store."""
    def body() -> str:
        rt = runtime.current()
        worker = _claim(self, job_id, "decode", max_attempts=rt.settings.max_attempts)
        if worker is not None:
            outcome = _conclude(self, job_id, worker, steps.analyze_job(rt, job_id, worker))
            if outcome is not steps.Outcome.NEXT:
                raise Ignore()  # failed, cancelled or taken over: no caption task
        return job_id

    return _observed(self, "analyze", job_id, body)


@shared_task(name=TaskName.CAPTION.value, bind=True)
def caption(self, *, job_id: str) -> str:
    """Caption the stored analysis, write the result files, finish the job."""
    def body() -> str:
        worker = _claim(self, job_id, "caption")
        if worker is None:  # nothing left to caption
            raise Ignore()
        _conclude(self, job_id, worker, steps.caption_job(runtime.current(), job_id, worker))
        return job_id

    return _observed(self, "caption", job_id, body)


@shared_task(name=TaskName.INDEX.value, bind=True)
def index(self, *, job_id: str) -> int:
    """Bring the job's moments in the search index in line with it (add, or remove)."""
    from workers.search import index_job

    return _observed(self, "index", job_id, lambda: index_job(runtime.current(), job_id))


@shared_task(name=TaskName.SEARCH.value)
def search(*, reply_to: str, request: dict) -> None:
    """Embed a query and search the index; the API waits for the answer on ``reply_to``."""
    from workers.search import answer

    answer(runtime.current(), reply_to, request)


@shared_task(name=TaskName.WEBHOOK.value, bind=True)
def webhook(self, *, job_id: str) -> int | None:
    """POST the job's final status to its webhook URL, retrying with backoff."""
    from workers.notify import deliver_webhook

    return _observed(self, "webhook", job_id,
                     lambda: deliver_webhook(self, runtime.current(), job_id))


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


def index_later(job_id: str) -> None:
    """Queue the job's moments for the search index (the ``index`` queue's one writer)."""
    rt = runtime.current()
    if rt.settings.search_enabled:
        index.apply_async(kwargs={"job_id": job_id},
                          task_id=task_id(job_id, TaskName.INDEX) + f"-{time.time_ns()}")
