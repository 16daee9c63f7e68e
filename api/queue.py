"""Sending jobs to the workers by task name: a Celery app that holds no task code."""

from __future__ import annotations

import logging

from celery import Celery, chain

from vidclip.jobs.celeryconf import API_PUBLISH_RETRY, celery_config
from vidclip.jobs.names import TaskName, task_id

log = logging.getLogger(__name__)


class JobQueue:
    def __init__(self, settings):
        self.settings = settings
        self.app = Celery("vidclip-api", set_as_current=False)
        self.app.conf.update(celery_config(settings))
        self._replies = None

    def _sig(self, task: TaskName, job_id: str):
        return self.app.signature(task.value, kwargs={"job_id": job_id}, immutable=True,
                                  task_id=task_id(job_id, task))

    def enqueue(self, job_id: str) -> None:
        """A job is analyze then caption; the caption task is sent when analyze ends."""
        steps = (self._sig(TaskName.ANALYZE, job_id), self._sig(TaskName.CAPTION, job_id))
        chain(*steps).apply_async(retry_policy=API_PUBLISH_RETRY)

    def notify(self, job_id: str) -> None:
        self._sig(TaskName.WEBHOOK, job_id).apply_async(retry_policy=API_PUBLISH_RETRY)

    def notify_review(self, item_id: str, seq: int) -> None:
        """Tell the job's webhook of a final review decision (event ``seq`` of the item)."""
        self.app.signature(TaskName.REVIEW_WEBHOOK.value, kwargs={"item_id": item_id, "seq": seq},
                           immutable=True, task_id=f"{item_id}-review-{seq}").apply_async()

    def index(self, job_id: str) -> None:
        """Bring the job's moments in the search index in line with it (a purge removes them)."""
        self.app.signature(TaskName.INDEX.value, kwargs={"job_id": job_id}, immutable=True
                           ).apply_async(retry_policy=API_PUBLISH_RETRY)

    def search(self, request: dict, timeout_s: float) -> dict | None:
        """Send a search to a query worker and wait for its answer (None: none came)."""
        from vidclip.jobs import replies

        if self._replies is None:
            self._replies = replies.client(self.settings)
        key = replies.reply_key(self.settings)
        self.app.signature(TaskName.SEARCH.value, kwargs={"reply_to": key, "request": request}
                           ).apply_async(retry_policy=API_PUBLISH_RETRY, expires=timeout_s)
        return replies.wait_reply(self._replies, key, timeout_s)

    def revoke(self, job_id: str) -> None:
        """Best effort: workers drop these task ids; the store decides anyway."""
        try:
            self.app.control.revoke([task_id(job_id, t) for t in (TaskName.ANALYZE,
                                                                   TaskName.CAPTION)])
        except Exception as exc:  # the cancel is already recorded in the store
            log.warning("revoke of job %s not broadcast: %s", job_id, exc)

    def ping(self, timeout: float = 2.0) -> None:
        with self.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)

    def close(self) -> None:
        if self._replies is not None:
            self._replies.close()
        self.app.close()
