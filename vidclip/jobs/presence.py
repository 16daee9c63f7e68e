"""Which workers are up, on which queues, running which model.

Every worker process writes one small record to the broker's Redis, and
writes it again every :data:`BEAT_S` seconds with an expiry of
:data:`TTL_S`: a worker that dies drops out by itself, with no one to
clean up after it. The API reads the records to tell clients which model
each queue's workers run (``GET /v1/info``), since a service that fell back
to the offline encoder must say so before anyone trusts its tags, and
whether the speech and text backends the jobs default to loaded
(``GET /readyz``).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

TTL_S = 30
BEAT_S = 10
_PREFIX = "vidclip:worker:"


class BackendState(BaseModel):
    """What a worker's speech recogniser or text reader resolved to when it started.

    ``error`` is set when the configured backend cannot load: every job would
    then go without its transcript (or on-screen text), so /readyz fails. An
    ``auto`` that degraded to ``none`` is not an error (a deployment without
    the extra installed runs that way on purpose); ``fallback_reason`` says why.
    """

    configured: str = Field(description="The option the jobs default to (auto, off, a name).")
    backend: str | None = Field(None, description="What it resolved to (whisper, "
                                "pocketsphinx, rapidocr, ..., off, or none); None when it "
                                "cannot load.")
    model: str | None = None
    fallback_reason: str | None = None
    error: str | None = Field(None, description="Why the configured backend cannot load.")

    def summary(self) -> str:
        """One line for /readyz: ``cannot load: <reason>`` or what runs, and why."""
        if self.error is not None:
            return f"cannot load: {self.error}"
        name = self.backend or "none"
        if self.model:
            name += f" ({self.model})"
        if self.configured not in ("off", self.backend):
            name += f" [{self.configured}]"
        return f"{name}: {self.fallback_reason}" if self.fallback_reason else name


class WorkerRecord(BaseModel):
    worker: str = Field(description="host:pid of the worker process.")
    queues: list[str]
    #: The image model (vidclip.schema.ModelInfo as JSON); None for caption-only workers.
    model: dict[str, Any] | None = None
    captions: str = Field(description="The caption backend the worker runs.")
    text_reader: str | None = Field(None, description="The on-screen text reader the "
                                    "worker's jobs default to (text.backend).")
    #: What the jobs' default speech and text options resolved to at the worker's
    #: start; None for workers that do not analyse (and for older workers).
    speech: BackendState | None = None
    text: BackendState | None = None
    version: str
    started_at: datetime


class Presence:
    """Read and write worker records in the broker's Redis (one per deployment prefix)."""

    def __init__(self, broker_url: str, queue_prefix: str = ""):
        import redis

        self._redis = redis.Redis.from_url(broker_url, socket_timeout=2,
                                           socket_connect_timeout=2)
        self._pattern = f"{queue_prefix}{_PREFIX}"

    def announce(self, record: WorkerRecord, ttl_s: int = TTL_S) -> None:
        self._redis.set(self._pattern + record.worker, record.model_dump_json(), ex=ttl_s)

    def forget(self, worker: str) -> None:
        self._redis.delete(self._pattern + worker)

    def workers(self) -> list[WorkerRecord]:
        records = []
        for key in self._redis.scan_iter(match=self._pattern + "*", count=200):
            # A synchronous client returns bytes; redis-py types get() for both clients.
            raw = cast(bytes | None, self._redis.get(key))
            if raw is None:  # expired between the scan and the read
                continue
            try:
                records.append(WorkerRecord.model_validate(json.loads(raw)))
            except ValueError:
                log.warning("ignoring a malformed worker record under %r", key)
        return sorted(records, key=lambda r: r.worker)

    def close(self) -> None:
        self._redis.close()


class Heartbeat:
    """Announces ``record`` now and every :data:`BEAT_S` seconds until :meth:`stop`."""

    def __init__(self, presence: Presence, record: WorkerRecord):
        self.presence = presence
        self.record = record
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="vidclip-presence", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _beat(self) -> None:
        while True:
            try:
                self.presence.announce(self.record)
            except Exception as exc:  # the broker may be restarting; the next beat retries
                log.warning("worker presence not announced: %s", exc)
            if self._halt.wait(BEAT_S):
                return

    def stop(self) -> None:
        self._halt.set()
        self._thread.join(timeout=5)
        try:
            self.presence.forget(self.record.worker)
        except Exception as exc:  # it expires by itself
            log.info("worker presence not withdrawn: %s", exc)


def now() -> datetime:
    return datetime.now(UTC)
