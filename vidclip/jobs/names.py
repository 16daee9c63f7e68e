"""Task and queue names: the one place both the API (which sends tasks by
name) and the workers (which register them) read them from."""

from __future__ import annotations

from enum import StrEnum


class TaskName(StrEnum):
    ANALYZE = "vidclip.analyze"
    CAPTION = "vidclip.caption"
    WEBHOOK = "vidclip.webhook"
    #: A review item was closed: its job's webhook hears the decisions.
    REVIEW_WEBHOOK = "vidclip.review_webhook"
    #: Bring a job's moments in the search index up to date (add, or remove once purged).
    INDEX = "vidclip.index"
    #: Embed a search query and search the index; the answer goes back through Redis.
    SEARCH = "vidclip.search"


class Queue(StrEnum):
    #: decode + encode + tag + segment + moderate: model-bound, one process per GPU.
    ANALYZE = "analyze"
    #: captions and webhooks: I/O bound, many at once.
    CAPTION = "caption"
    #: The search index's one writer: run exactly one worker process on it.
    INDEX = "index"
    #: Search queries: a worker that keeps the model loaded embeds and searches.
    QUERY = "query"


#: Where each task goes (before the deployment's queue prefix).
TASK_QUEUES = {
    TaskName.ANALYZE: Queue.ANALYZE,
    TaskName.CAPTION: Queue.CAPTION,
    TaskName.WEBHOOK: Queue.CAPTION,
    TaskName.REVIEW_WEBHOOK: Queue.CAPTION,
    TaskName.INDEX: Queue.INDEX,
    TaskName.SEARCH: Queue.QUERY,
}


def task_id(job_id: str, task: TaskName) -> str:
    """Deterministic Celery task ids, so a job's tasks can be revoked by job id."""
    return f"{job_id}-{task.value.rsplit('.', 1)[-1]}"
