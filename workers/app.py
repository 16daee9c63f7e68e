"""The workers' Celery app.

    vidclip worker --queues analyze,caption --concurrency 1
    celery -A workers.app worker -Q analyze,caption     # the same, by hand

Settings come from ``VIDCLIP_*`` variables (:class:`vidclip.jobs.Settings`).
The model is loaded once per pool process, right after the fork
(``worker_process_init``), and reused by every job that process runs.
"""

from __future__ import annotations

import logging
import os

from celery import Celery, signals
from celery.exceptions import TimeLimitExceeded

from vidclip import logs
from vidclip.jobs.celeryconf import celery_config
from vidclip.jobs.names import TaskName
from vidclip.jobs.settings import Settings
from vidclip.jobs.status import JobStatus
from workers import metrics, runtime

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Celery:
    settings = settings or Settings()
    rt = runtime.install(runtime.Runtime(settings))
    app = Celery("vidclip", set_as_current=True)
    app.conf.update(celery_config(settings))
    # Loading a model takes longer than Celery's default 4 s start-up allowance.
    app.conf.worker_proc_alive_timeout = 300
    import workers.tasks  # noqa: F401  (registers the tasks on this app)

    # Tables first, so a worker started before the API finds them; the engine
    # is closed again so no connection crosses the fork into pool processes.
    rt.store.create_schema()
    rt.store.close()
    return app


@signals.setup_logging.connect
def _logging(loglevel=None, **_) -> None:
    """Celery leaves logging to us: one root handler, text or JSON, redacted."""
    settings = runtime.current().settings
    logs.add_secrets(settings.secret_values())
    logs.configure(settings.log_format, loglevel or logging.INFO)


@signals.worker_process_shutdown.connect
def _process_exited(pid=None, **_) -> None:
    metrics.process_exited(pid or os.getpid())


@signals.worker_process_init.connect
def _load_model(**_) -> None:
    threads = runtime.current().settings.torch_threads
    if threads:
        import torch

        torch.set_num_threads(threads)
    rt = runtime.current()
    if rt.preload_model:
        try:
            rt.encoder()
        except Exception as exc:  # a job will report it with its own message
            log.warning("model not loaded at start: %s", exc)
    rt.check_backends()  # /readyz reads what it found in the announcement
    rt.announce()


@signals.worker_ready.connect
def _load_model_shared(**_) -> None:
    """With shared batches the jobs run in threads of the main process: no pool
    process starts, so the model loads (and the worker announces itself) here."""
    if runtime.current().settings.shares_batches:
        _load_model()


@signals.worker_process_shutdown.connect
def _withdraw(**_) -> None:
    runtime.current().withdraw()


@signals.worker_shutdown.connect
def _withdraw_shared(**_) -> None:
    if runtime.current().settings.shares_batches:
        runtime.current().withdraw()


@signals.task_failure.connect
def _hard_time_limit(sender=None, task_id=None, exception=None, kwargs=None, **_) -> None:
    """The pool killed a task at the hard time limit: its job cannot say so itself."""
    if not isinstance(exception, TimeLimitExceeded) or sender is None:
        return
    if sender.name not in (TaskName.ANALYZE.value, TaskName.CAPTION.value):
        return
    job_id = (kwargs or {}).get("job_id")
    if job_id:
        limit = runtime.current().settings.task_time_limit_s
        if runtime.current().store.finish(
                job_id, JobStatus.FAILED, worker=None, error_code="timeout",
                error_message=f"the job was stopped at the hard limit of {limit} s."):
            from workers.tasks import notify

            notify(job_id)


def __getattr__(name: str):
    # ``celery -A workers.app`` looks for ``app``: build it from the environment then.
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
