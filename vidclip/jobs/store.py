"""The job store: every query the API and the workers make, in one place.

SQLite by default (one machine; WAL and a busy timeout because the API and
several worker processes write to it), PostgreSQL through a
``postgresql+psycopg://`` URL for several machines.

Concurrency rule: a transaction never reads and then writes. Writers that
depend on what they read use compare-and-set ``UPDATE ... WHERE`` on the
values read, and retry; SQLite would otherwise answer "database is locked"
to a reader upgrading to a writer, and PostgreSQL needs no row locks.
"""

from __future__ import annotations

import base64
import builtins
import enum
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    and_,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from vidclip.jobs import migrate
from vidclip.jobs.keystore import KeyStore
from vidclip.jobs.migrate import SchemaOutdatedError  # noqa: F401  (raised by create_schema)
from vidclip.jobs.policies import PolicyStore
from vidclip.jobs.principal import DEFAULT_TENANT
from vidclip.jobs.reviews import ReviewStore
from vidclip.jobs.revisions import RevisionStore
from vidclip.jobs.sessions import SessionStore
from vidclip.jobs.status import FINAL_STATES, JobStatus
from vidclip.jobs.tables import Job, JobEvent, utcnow
from vidclip.progress import STAGES, overall_progress

_FINAL = [s.value for s in FINAL_STATES]


def _rowcount(result: Result) -> int:
    """Rows an UPDATE or DELETE changed (the compare-and-set's answer)."""
    return cast(CursorResult, result).rowcount


class Claim(enum.Enum):
    RUN = "run"            # this worker owns the job now
    BUSY = "busy"          # another live worker runs it; try again later
    ANALYZED = "analyzed"  # the analysis is already stored: go on to captions
    DONE = "done"          # final already: nothing to do
    FINISHED = "finished"  # this claim just ended it (too many attempts): notify
    CANCEL = "cancel"      # cancelled before this step ran: the caller finishes it
    MISSING = "missing"    # no such job (purged)


@dataclass(frozen=True)
class NewJob:
    options: dict
    source_kind: str
    source_value: str
    source_name: str | None = None
    media_path: str | None = None
    tag: str | None = None
    webhook_url: str | None = None
    idempotency_key: str | None = None
    request_hash: str | None = None
    id: str | None = None
    tenant: str = DEFAULT_TENANT
    #: The submitting key's name.
    submitted_by: str | None = None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")      # readers do not block the writer
    cursor.execute("PRAGMA busy_timeout=30000")    # writers wait for each other
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre-ping: a connection the server dropped (it restarted) is replaced, not
    # used; connect_timeout: an unreachable server is an error in seconds, not a hang.
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         pool_timeout=10, connect_args=connect_args)


def encode_cursor(job: Job) -> str:
    raw = f"{job.created_at.isoformat()}|{job.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError on a cursor this store did not make."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    when, _, job_id = raw.partition("|")
    if not job_id:
        raise ValueError("bad cursor")
    return datetime.fromisoformat(when), job_id


class JobStore:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._closed = False
        #: Named API keys live in the same database, and so does the review app's
        #: state (each in its own module, under the same concurrency rule).
        self.keys = KeyStore(self._session)
        self.reviews = ReviewStore(self._session)
        self.revisions = RevisionStore(self._session)
        self.policies = PolicyStore(self._session)
        self.sessions = SessionStore(self._session)

    @classmethod
    def from_settings(cls, settings) -> "JobStore":
        return cls(settings.database_url)

    def create_schema(self) -> None:
        """Bring the tables to this vidclip's schema: create them in a new database,
        run the migrations an older one needs, adopt one made before migrations
        (:mod:`vidclip.jobs.migrate`). Safe when several processes start at once:
        one upgrades under a lock, the others wait and find it done."""
        migrate.upgrade(self.engine)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True
        self.engine.dispose()

    def _tx(self) -> AbstractContextManager[Session]:
        return self._session.begin()

    @staticmethod
    def _event(session: Session, job_id: str, kind: str, status: str, stage: str | None = None,
               detail: str | None = None, worker: str | None = None) -> None:
        session.execute(insert(JobEvent).values(job_id=job_id, kind=kind, status=status,
                                                stage=stage, detail=detail, worker=worker,
                                                at=utcnow()))

    # -- submission (API) ----------------------------------------------------------------
    def create(self, new: NewJob) -> tuple[Job, bool]:
        """Insert a queued job; with an idempotency key already used, the old job."""
        return self.create_many([new])[0]

    def create_many(self, items: Iterable[NewJob]) -> list[tuple[Job, bool]]:
        out = []
        for new in items:
            fields = {k: v for k, v in new.__dict__.items() if v is not None}
            try:
                with self._tx() as session:
                    job = Job(status=JobStatus.QUEUED.value, stage_progress={}, **fields)
                    session.add(job)
                    session.flush()
                    self._event(session, job.id, "queued", JobStatus.QUEUED.value,
                                detail=new.source_kind)
                out.append((job, True))
            except IntegrityError:
                existing = (self.find_by_key(new.tenant, new.idempotency_key)
                            if new.idempotency_key else None)
                if existing is None:
                    raise
                out.append((existing, False))
        return out

    def find_by_key(self, tenant: str, key: str) -> Job | None:
        """The tenant's job made with this Idempotency-Key (keys are per tenant)."""
        with self._tx() as session:
            return session.scalars(select(Job).where(Job.tenant == tenant,
                                                     Job.idempotency_key == key)).first()

    def set_task_id(self, job_id: str, task_id: str) -> None:
        with self._tx() as session:
            session.execute(update(Job).where(Job.id == job_id).values(task_id=task_id))

    # -- reading -----------------------------------------------------------------------------
    def get(self, job_id: str, *, tenant: str | None = None) -> Job | None:
        """The job; with ``tenant``, only if it is that tenant's (None otherwise, the
        same answer as for no job at all)."""
        with self._tx() as session:
            job = session.get(Job, job_id)
        return None if job is None or tenant not in (None, job.tenant) else job

    def list(self, *, tenant: str | None = None, statuses: list[str] | None = None,
             since: datetime | None = None, tag: str | None = None, limit: int = 50,
             cursor: str | None = None) -> list[Job]:
        """Newest first; ``cursor`` continues after the last job of a page. ``tenant``
        None lists every tenant's jobs (operators; the API always passes one)."""
        query = select(Job)
        if tenant is not None:
            query = query.where(Job.tenant == tenant)
        if statuses:
            query = query.where(Job.status.in_(statuses))
        if since is not None:
            query = query.where(Job.created_at >= since)
        if tag is not None:
            query = query.where(Job.tag == tag)
        if cursor:
            when, last_id = decode_cursor(cursor)
            query = query.where(or_(Job.created_at < when,
                                    and_(Job.created_at == when, Job.id < last_id)))
        query = query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
        with self._tx() as session:
            return list(session.scalars(query))

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        with self._tx() as session:
            return set(session.scalars(select(Job.id).where(Job.id.in_(ids)))) if ids else set()

    def events(self, job_id: str) -> builtins.list[JobEvent]:
        with self._tx() as session:
            return list(session.scalars(
                select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id)))

    def count_events(self, job_id: str, kind: str) -> int:
        with self._tx() as session:
            return session.scalar(select(func.count()).select_from(JobEvent).where(
                JobEvent.job_id == job_id, JobEvent.kind == kind)) or 0

    def add_event(self, job_id: str, kind: str, detail: str | None = None,
                  worker: str | None = None) -> None:
        """A note in the history that changes nothing else (retry, webhook, purge)."""
        with self._tx() as session:
            status = session.scalar(select(Job.status).where(Job.id == job_id))
            if status is not None:
                self._event(session, job_id, kind, status, None, detail, worker)

    # -- worker side ----------------------------------------------------------------------------
    def claim(self, job_id: str, worker: str, *, lease_s: float, max_attempts: int | None = None,
              stage: str, on_takeover: Callable[[str], None] | None = None,
              holder_alive: Callable[[str], bool] | None = None
              ) -> tuple[Claim, Job | None]:
        """Take the job for ``worker``, unless it is final or another live worker holds it.

        ``max_attempts`` (the analyze task passes it) counts deliveries: a job
        whose worker died that often fails instead of killing another.
        ``on_takeover(previous_worker)`` is called when the job was taken from a
        worker whose lease ran out (a metric counts them). ``holder_alive(worker)``
        may know better than the lease: False ends the lease at once (the
        holder was a process of this machine that no longer exists).
        """
        for _ in range(20):
            job = self.get(job_id)
            if job is None:
                return Claim.MISSING, None
            if job.status in _FINAL:
                return Claim.DONE, job
            if job.cancel_requested:
                return Claim.CANCEL, job
            analysed = job.result_json is not None
            if stage == "caption" and not analysed:
                return Claim.DONE, job  # nothing to caption: the analyze task decides
            if stage != "caption" and analysed:
                return Claim.ANALYZED, job  # a redelivered analyze after its work was saved
            alive = (job.worker not in (None, worker) and job.heartbeat_at is not None
                     and utcnow() - job.heartbeat_at < timedelta(seconds=lease_s)
                     and (holder_alive is None or holder_alive(job.worker)))
            if alive:
                return Claim.BUSY, job
            if max_attempts is not None and job.attempts >= max_attempts:
                done = self.finish(
                    job_id, JobStatus.FAILED, worker=None, error_code="too_many_attempts",
                    error_message=f"the job was started {job.attempts} times and did not finish "
                    "(its worker stopped each time: out of memory, killed, or a fault that "
                    "kept coming back).")
                return (Claim.FINISHED if done else Claim.DONE), self.get(job_id)
            now = utcnow()
            values = {"status": JobStatus.RUNNING.value, "worker": worker, "heartbeat_at": now,
                      "stage": stage, "started_at": job.started_at or now, "updated_at": now}
            if max_attempts is not None:
                values["attempts"] = job.attempts + 1
            with self._tx() as session:
                changed = _rowcount(session.execute(update(Job).where(
                    Job.id == job_id, Job.status == job.status,
                    Job.worker.is_not_distinct_from(job.worker),
                    Job.heartbeat_at.is_not_distinct_from(job.heartbeat_at),
                ).values(**values)))
                if changed:
                    detail = f"attempt {values.get('attempts', job.attempts)}"
                    if job.worker not in (None, worker):
                        detail += f", taken over from {job.worker}"
                    self._event(session, job_id, "started", JobStatus.RUNNING.value, stage,
                                detail, worker)
            if changed:
                if job.worker not in (None, worker) and on_takeover is not None:
                    on_takeover(job.worker)
                return Claim.RUN, self.get(job_id)
        return Claim.BUSY, None

    def progress(self, job_id: str, worker: str, stage: str, stages: dict[str, float]) -> bool:
        """Record progress and renew the lease; False when the worker lost the job."""
        now = utcnow()
        with self._tx() as session:
            return bool(_rowcount(session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker, Job.status == JobStatus.RUNNING.value,
            ).values(stage=stage, stage_progress=dict(stages), progress=overall_progress(stages),
                     heartbeat_at=now, updated_at=now))))

    def release(self, job_id: str, worker: str, detail: str) -> bool:
        """Give a running job back (a retry comes later) without waiting out the lease."""
        with self._tx() as session:
            done = _rowcount(session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker, Job.status == JobStatus.RUNNING.value,
            ).values(worker=None, updated_at=utcnow())))
            if done:
                self._event(session, job_id, "retry", JobStatus.RUNNING.value, None, detail,
                            worker)
        return bool(done)

    def heartbeat(self, job_id: str, worker: str) -> bool:
        """Renew the lease of a running job; False when the worker lost it."""
        now = utcnow()
        with self._tx() as session:
            return bool(_rowcount(session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker, Job.status == JobStatus.RUNNING.value,
            ).values(heartbeat_at=now))))

    def set_media(self, job_id: str, worker: str, media_path: str) -> bool:
        with self._tx() as session:
            return bool(_rowcount(session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker).values(media_path=media_path))))

    def should_stop(self, job_id: str, worker: str) -> bool:
        """True when cancelled, or when this worker no longer owns the job."""
        with self._tx() as session:
            row = session.execute(select(Job.cancel_requested, Job.worker, Job.status)
                                  .where(Job.id == job_id)).first()
        return (row is None or row.cancel_requested or row.worker != worker
                or row.status != JobStatus.RUNNING.value)

    def save_partial(self, job_id: str, worker: str, result_json: str, stages: dict[str, float],
                     next_stage: str) -> bool:
        """Keep the analysis between the two tasks and release the job for the next one."""
        now = utcnow()
        with self._tx() as session:
            done = _rowcount(session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker, Job.status == JobStatus.RUNNING.value,
            ).values(result_json=result_json, stage=next_stage, stage_progress=dict(stages),
                     progress=overall_progress(stages), worker=None, heartbeat_at=now,
                     updated_at=now)))
            if done:
                self._event(session, job_id, "analyzed", JobStatus.RUNNING.value, next_stage,
                            None, worker)
        return bool(done)

    def finish(self, job_id: str, status: JobStatus, *, worker: str | None,
               error_code: str | None = None, error_message: str | None = None,
               result_json: str | None = None, result_path: str | None = None,
               detail: str | None = None, stages: Iterable[str] = ()) -> bool:
        """Move a job that is not final yet to a final state; False if it already was."""
        now = utcnow()
        values: dict[str, Any] = {
            "status": status.value, "finished_at": now, "updated_at": now, "worker": None,
            "error_code": error_code, "error_message": error_message, "cancel_requested": False}
        if status is JobStatus.SUCCEEDED:
            done_stages = {s for s in STAGES if s != "ingest"} | set(stages)
            values.update(progress=1.0, stage=None,
                          stage_progress={s: 1.0 for s in STAGES if s in done_stages})
        if result_json is not None:
            values["result_json"] = result_json
        if result_path is not None:
            values["result_path"] = result_path
        condition = [Job.id == job_id, Job.status.not_in(_FINAL)]
        if worker is not None:  # a worker may only finish a job it still owns
            condition.append(or_(Job.worker == worker, Job.worker.is_(None)))
        with self._tx() as session:
            done = _rowcount(session.execute(update(Job).where(*condition).values(**values)))
            if done:
                self._event(session, job_id, status.value, status.value, None,
                            detail or (f"{error_code}: {error_message}" if error_code else None),
                            worker)
        return bool(done)

    # -- API side: cancel and purge -------------------------------------------------------
    def request_cancel(self, job_id: str, *, purge: bool = False) -> Job | None:
        """Queued: cancelled now. Running: flagged; its worker stops at the next batch."""
        for _ in range(20):
            job = self.get(job_id)
            if job is None or job.status in _FINAL:
                return job
            if job.status == JobStatus.QUEUED.value and job.worker is None:
                if self.finish(job_id, JobStatus.CANCELLED, worker=None,
                               detail="cancelled while queued"):
                    return self.get(job_id)
                continue
            with self._tx() as session:
                done = _rowcount(session.execute(update(Job).where(
                    Job.id == job_id, Job.status == JobStatus.RUNNING.value,
                ).values(cancel_requested=True, purge_requested=purge,
                         updated_at=utcnow())))
                if done:
                    self._event(session, job_id, "cancel_requested", JobStatus.RUNNING.value,
                                job.stage)
            if done:
                return self.get(job_id)
        return self.get(job_id)

    def clear_results(self, job_id: str) -> None:
        """A purge: the result and people's edits of its texts go (reviews and
        their log stay: they are the audit trail)."""
        self.revisions.delete_for_job(job_id)
        with self._tx() as session:
            session.execute(update(Job).where(Job.id == job_id).values(
                result_json=None, result_path=None, media_path=None, purge_requested=False,
                updated_at=utcnow()))
            status = session.scalar(select(Job.status).where(Job.id == job_id))
            if status is not None:
                self._event(session, job_id, "purged", status)

    def finished_since(self, when: datetime) -> int:
        with self._tx() as session:
            return session.scalar(select(func.count()).select_from(Job).where(
                Job.status == JobStatus.SUCCEEDED.value, Job.finished_at >= when)) or 0


def check_safe(settings) -> None:
    """:meth:`Settings.check_safe`, counting the store's active keys when the
    settings name none (keys made with ``vidclip keys create`` are enough)."""
    stored = 0
    if not settings.dev_mode and not settings.has_configured_keys:
        store = JobStore(settings.database_url)
        try:
            store.create_schema()
            stored = store.keys.count_active()
        finally:
            store.close()
    settings.check_safe(stored)
