"""Log lines for operators: plain text or JSON, each line a job causes carrying
its job id and stage, and no line carrying a secret.

``configure(fmt, level)`` installs one handler on the root logger (the CLI
calls it for every command; ``--log-format json`` or ``VIDCLIP_LOG_FORMAT=json``).

*Which job.* :func:`job_context` marks the code that works on a job (a task
body, an API request about one); :func:`set_stage` moves its stage on. The
mark is a context variable, so concurrent requests and threads pools each
see their own. A thread started without the caller's context (the core's
decoder thread) still logs under the job when it is the only one its
process runs, which is how prefork workers run jobs. Celery's own lines
("Task vidclip.analyze[<job>-analyze] received") name the job in the task
id, and are labelled from it.

*No secrets.* Every formatted line, exception text included, goes through
:func:`redact`: query strings and user-info of URLs (signed URLs carry their
signature there), ``vck_`` key tokens, and every value registered with
:func:`add_secrets` (keys and secrets from settings) are replaced.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

FORMATS = ("text", "json")
REDACTED = "[redacted]"


@dataclass
class JobLog:
    job_id: str
    stage: str | None = None


_current: contextvars.ContextVar[JobLog | None] = contextvars.ContextVar("vidclip_job",
                                                                        default=None)
_running: dict[int, JobLog] = {}
_running_lock = threading.Lock()


@contextmanager
def job_context(job_id: str, stage: str | None = None) -> Iterator[JobLog]:
    """Lines logged inside carry ``job_id`` and the current stage."""
    mark = JobLog(job_id, stage)
    token = _current.set(mark)
    with _running_lock:
        _running[id(mark)] = mark
    try:
        yield mark
    finally:
        with _running_lock:
            _running.pop(id(mark), None)
        _current.reset(token)


def set_stage(stage: str) -> None:
    mark = current_job()
    if mark is not None:
        mark.stage = stage


def current_job() -> JobLog | None:
    mark = _current.get()
    if mark is not None:
        return mark
    with _running_lock:
        if len(_running) == 1:  # a thread of the one job this process runs
            return next(iter(_running.values()))
    return None


#: Celery task ids of jobs: ``<32 hex job id>-<task>`` (vidclip.jobs.names.task_id).
_TASK_ID = re.compile(r"\b([0-9a-f]{32})-(analyze|caption|webhook)\b")


class JobFilter(logging.Filter):
    """Adds ``job_id`` and ``stage`` to every record (None when no job). Outside a
    job's context (a worker's main process receiving, handing out and
    acknowledging tasks) a line naming one job's task ids belongs to that job."""

    def filter(self, record: logging.LogRecord) -> bool:
        mark = current_job()
        job_id, stage = (mark.job_id, mark.stage) if mark else (None, None)
        if job_id is None and record.args:
            found = [m.groups() for m in _TASK_ID.finditer(record.getMessage())]
            if found and len({job for job, _ in found}) == 1:
                job_id, stage = found[0]  # (a chain names its next task too)
        record.job_id, record.stage = job_id, stage
        return True


# -- secrets --------------------------------------------------------------------------
_secrets: set[str] = set()
_URL_QUERY = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^\s\"'<>?#\\]*)\?[^\s\"'<>#\\]*")
_URL_USERINFO = re.compile(r"(\b[a-zA-Z][\w+.-]*://)[^\s/@\"'<>\\]+@")
_TOKEN = re.compile(r"\bvck_[A-Za-z0-9_\-]{8,}")


def add_secrets(values: Iterable[str | None]) -> None:
    """Values that must never appear in a line (API keys, webhook secret, passwords)."""
    _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    text = _URL_QUERY.sub(rf"\1?{REDACTED}", text)
    text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
    text = _TOKEN.sub(f"vck_{REDACTED}", text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s%(job)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        job_id, stage = getattr(record, "job_id", None), getattr(record, "stage", None)
        record.job = f" [job {job_id}{' ' + stage if stage else ''}]" if job_id else ""
        return redact(super().format(record))


def _json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    class Formatter(JsonFormatter):
        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    return Formatter("%(levelname)s %(name)s %(message)s %(job_id)s %(stage)s",
                     rename_fields={"levelname": "level", "name": "logger"}, timestamp="time")


def configure(fmt: str = "text", level: int = logging.WARNING) -> None:
    """One stderr handler on the root logger, with job labels and redaction."""
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r}: choose {' or '.join(FORMATS)}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_json_formatter() if fmt == "json" else TextFormatter())
    handler.addFilter(JobFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
