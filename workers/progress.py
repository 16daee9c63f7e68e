"""Progress, cancellation and the lease of one running job, as the pipeline sees them.

The pipeline calls ``reporter(stage, fraction)`` and polls
``reporter.should_cancel()`` between batches; both are cheap because store
writes and reads are throttled. A background thread renews the job's lease
even through stages that report nothing (model load, a long caption call),
so only a dead worker loses its job.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import SQLAlchemyError

from vidclip import logs
from vidclip.jobs.store import JobStore

log = logging.getLogger(__name__)

WRITE_EVERY_S = 0.5
POLL_EVERY_S = 0.5


class JobReporter:
    def __init__(self, store: JobStore, job_id: str, worker: str, *, lease_s: float,
                 stages: dict[str, float] | None = None):
        self.store = store
        self.job_id = job_id
        self.worker = worker
        self.stages: dict[str, float] = dict(stages or {})
        self.lost = False
        self._lock = threading.Lock()
        self._last_write = 0.0
        self._last_poll = 0.0
        self._stop_flag = False
        self._beat_every = max(lease_s / 4, 0.2)
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job_id[:8]}", daemon=True)

    def __enter__(self) -> "JobReporter":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._halt.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._halt.wait(self._beat_every):
            try:
                if not self.store.heartbeat(self.job_id, self.worker):
                    self.lost = True
            except SQLAlchemyError as exc:  # the next beat may get through
                log.warning("lease renewal of job %s failed: %s", self.job_id, exc)

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        logs.set_stage(stage)
        with self._lock:
            self.stages[stage] = max(self.stages.get(stage, 0.0), min(float(fraction), 1.0))
            if now - self._last_write < WRITE_EVERY_S and fraction < 1.0:
                return
            self._last_write = now
            snapshot = dict(self.stages)
        try:
            if not self.store.progress(self.job_id, self.worker, stage, snapshot):
                self.lost = True
        except SQLAlchemyError as exc:  # progress is best effort; the result is not
            log.warning("progress of job %s not saved: %s", self.job_id, exc)

    def should_cancel(self) -> bool:
        now = time.monotonic()
        if self.lost or self._stop_flag:
            return True
        if now - self._last_poll >= POLL_EVERY_S:
            self._last_poll = now
            try:
                self._stop_flag = self.store.should_stop(self.job_id, self.worker)
            except SQLAlchemyError as exc:
                log.warning("cancel check of job %s failed: %s", self.job_id, exc)
        return self._stop_flag
