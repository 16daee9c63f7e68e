"""Tables of the review app: moderation reviews and their event log, text
revisions, policy versions and browser sessions.

They live in the job store's database beside the jobs (same ``Base``; a new
table or column needs its migration in :mod:`vidclip.jobs.migrations`).
Audit rows (review events, revisions, policy versions) are only ever
inserted, never updated or deleted by vidclip: they are the trail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vidclip.jobs.tables import Base, UTCDateTime, new_job_id, utcnow


class ReviewItem(Base):
    """One job in the moderation queue. ``version`` counts its events: every
    event's writer moves it from the version it read to the next (compare-and-set)."""

    __tablename__ = "vidclip_review_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("vidclip_jobs.id", ondelete="CASCADE"), unique=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    #: open, escalated, closed
    state: Mapped[str] = mapped_column(String(16), index=True)
    #: The highest score of a flagged category: the queue's order.
    top_score: Mapped[float] = mapped_column(Float, index=True)
    policy: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str | None] = mapped_column(String(32))
    #: The scene where the top flag starts: the item's picture in the queue.
    preview_scene: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewCategory(Base):
    """A category of a review item and its current decision."""

    __tablename__ = "vidclip_review_categories"
    __table_args__ = (UniqueConstraint("item_id", "category",
                                       name="uq_vidclip_review_categories_item_category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("vidclip_review_items.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(100), index=True)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    #: False for a near miss: scored just below the threshold, listed so that
    #: reviewers' answers can say what the threshold misses.
    flagged: Mapped[bool] = mapped_column()
    segments: Mapped[list] = mapped_column(JSON, default=list)
    #: pending, confirmed, dismissed, escalated
    decision: Mapped[str] = mapped_column(String(16), default="pending")


class ReviewEvent(Base):
    """One action on a review item, with the state before and after: append-only."""

    __tablename__ = "vidclip_review_events"
    __table_args__ = (UniqueConstraint("item_id", "seq", name="uq_vidclip_review_events_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("vidclip_review_items.id", ondelete="CASCADE"), index=True)
    #: 1, 2, ...: the item's version this event made.
    seq: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))
    #: confirm, dismiss, escalate, reopen, comment
    action: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    state_before: Mapped[str] = mapped_column(String(16))
    state_after: Mapped[str] = mapped_column(String(16))
    decision_before: Mapped[str | None] = mapped_column(String(16))
    decision_after: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TextRevision(Base):
    """A person's edit (or review without change) of one caption, description or
    summary. ``seq`` counts the revisions of that one text: an editor writes the
    next number after the one it read, so two edits of the same revision cannot
    both land (the unique constraint refuses the second)."""

    __tablename__ = "vidclip_text_revisions"
    __table_args__ = (UniqueConstraint("job_id", "field", "scene", "seq",
                                       name="uq_vidclip_text_revisions_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("vidclip_jobs.id", ondelete="CASCADE"), index=True)
    #: caption, description, summary or cue (a caption-track cue: ``scene`` is its index)
    field: Mapped[str] = mapped_column(String(16))
    #: The scene's index; -1 for the summary (NULLs would never clash in a unique key).
    scene: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyVersion(Base):
    """A moderation policy as a tenant changed it. Version 1 of a bundled
    policy is its YAML file and is not stored; 2, 3 ... are rows."""

    __tablename__ = "vidclip_policy_versions"
    __table_args__ = (UniqueConstraint("tenant", "name", "version",
                                       name="uq_vidclip_policy_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    #: The policy as the mapping its YAML holds (version included).
    document: Mapped[dict] = mapped_column(JSON)
    #: What changed, in words ("weapons: threshold 0.6 -> 0.72").
    change: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


Index("ix_vidclip_policy_versions_lookup", PolicyVersion.tenant, PolicyVersion.name)


class UiSession(Base):
    """A signed-in browser. The cookie holds a random token; the row holds its
    hash, who signed in and with which key (its id and hash: the key is checked
    again on every request, so revoking it ends its sessions)."""

    __tablename__ = "vidclip_ui_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(64))
    #: The stored key's id; None for a settings key or development mode.
    key_id: Mapped[str | None] = mapped_column(String(16))
    #: SHA-256 of the key's token; None in development mode.
    key_hash: Mapped[str | None] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
