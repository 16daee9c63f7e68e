"""The job store's tables (SQLAlchemy 2 declarative): the newest schema.

The schema's history is in :mod:`vidclip.jobs.migrations` (Alembic), which
``JobStore.create_schema()`` runs at every start (:mod:`vidclip.jobs.migrate`).
A change to a table here needs its revision there: the upgrade test
(``tests/service/test_store_upgrade.py``) compares a store migrated from
nothing with these classes and fails on any difference.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from vidclip.jobs.principal import DEFAULT_TENANT


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_job_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "vidclip_jobs"
    #: An Idempotency-Key belongs to its tenant: two tenants may use the same one.
    __table_args__ = (UniqueConstraint("tenant", "idempotency_key",
                                       name="uq_vidclip_jobs_tenant_idempotency_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    status: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage_progress: Mapped[dict] = mapped_column(JSON, default=dict)
    options: Mapped[dict] = mapped_column(JSON)
    source_kind: Mapped[str] = mapped_column(String(8))
    source_value: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(255))
    media_path: Mapped[str | None] = mapped_column(Text)
    tag: Mapped[str | None] = mapped_column(String(200), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    #: Hash of the submitted JSON, so a key reused for another request is refused.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    webhook_url: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[str | None] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    purge_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # The analysis JSON: without captions after the analyze task, final after
    # the caption task. Kept in the store so no machine needs a shared disk
    # to read results.
    result_json: Mapped[str | None] = mapped_column(Text)
    result_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Added by revision 0002 (tenants).
    #: The tenant of the key that submitted the job; only that tenant's keys see it.
    tenant: Mapped[str] = mapped_column(String(64), default=DEFAULT_TENANT,
                                        server_default=DEFAULT_TENANT, index=True)
    #: The name (never the secret) of the key that submitted the job.
    submitted_by: Mapped[str | None] = mapped_column(String(100))


class JobEvent(Base):
    """One status transition (or delivery) of a job, in order."""

    __tablename__ = "vidclip_job_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("vidclip_jobs.id", ondelete="CASCADE"), index=True)
    #: queued, started, analyzed, succeeded, failed, cancelled, cancel_requested,
    #: retry, purged, webhook_delivered, webhook_failed
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    """A named API key: its role, its tenant, and a hash of the token (never the token).

    The token is ``vck_<id>_<secret>``: ``id`` is this row's key, not secret,
    so a request's key is found without the secret taking part in the query;
    the hash is then compared in constant time (see ``vidclip.jobs.apikeys``).
    A revoked key stays, so its name keeps meaning one key in the audit trail.
    """

    __tablename__ = "vidclip_api_keys"
    __table_args__ = (UniqueConstraint("tenant", "name", name="uq_vidclip_api_keys_tenant_name"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    #: SHA-256 of the whole token, hex.
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
