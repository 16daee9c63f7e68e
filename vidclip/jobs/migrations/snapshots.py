"""Frozen copies of the job store's tables as revisions 0001 and 0002 made them.

Written out in full, never derived from :mod:`vidclip.jobs.tables`: that
module describes the newest schema and moves on with each revision, while a
revision (and the check that adopts a database made before migrations,
:func:`vidclip.jobs.migrate.adopt_legacy`) must keep meaning what it meant.
Types are the plain SQL ones (``UTCDateTime`` is ``DateTime`` in the database).
"""

from __future__ import annotations

import sqlalchemy as sa


def _job_columns() -> list[sa.Column]:
    """``vidclip_jobs`` of the first release (revision 0002 adds two columns last)."""
    return [
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("stage", sa.String(16)),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("stage_progress", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("source_kind", sa.String(8), nullable=False),
        sa.Column("source_value", sa.Text, nullable=False),
        sa.Column("source_name", sa.String(255)),
        sa.Column("media_path", sa.Text),
        sa.Column("tag", sa.String(200), index=True),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("request_hash", sa.String(64)),
        sa.Column("webhook_url", sa.Text),
        sa.Column("error_code", sa.String(64)),
        sa.Column("error_message", sa.Text),
        sa.Column("task_id", sa.String(64)),
        sa.Column("worker", sa.String(200)),
        sa.Column("heartbeat_at", sa.DateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("purge_requested", sa.Boolean, nullable=False),
        sa.Column("result_json", sa.Text),
        sa.Column("result_path", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
    ]


def _tenant_columns() -> list[sa.Column]:
    return [sa.Column("tenant", sa.String(64), nullable=False, server_default="default"),
            sa.Column("submitted_by", sa.String(100))]


def _job_events(metadata: sa.MetaData) -> None:
    sa.Table(
        "vidclip_job_events", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(32), sa.ForeignKey("vidclip_jobs.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16)),
        sa.Column("detail", sa.Text),
        sa.Column("worker", sa.String(200)),
        sa.Column("at", sa.DateTime, nullable=False),
    )


def first_release() -> sa.MetaData:
    """Revision 0001: jobs and their events; an Idempotency-Key unique over all jobs."""
    metadata = sa.MetaData()
    sa.Table("vidclip_jobs", metadata, *_job_columns(), sa.UniqueConstraint("idempotency_key"))
    _job_events(metadata)
    return metadata


def _job_id(**kwargs) -> sa.Column:
    return sa.Column("job_id", sa.String(32), sa.ForeignKey("vidclip_jobs.id", ondelete="CASCADE"),
                     nullable=False, **kwargs)


def _item_id() -> sa.Column:
    return sa.Column("item_id", sa.String(32),
                     sa.ForeignKey("vidclip_review_items.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def _api_keys(metadata: sa.MetaData) -> None:
    sa.Table(
        "vidclip_api_keys", metadata,
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False, index=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
        sa.UniqueConstraint("tenant", "name", name="uq_vidclip_api_keys_tenant_name"),
    )


def _reviews(metadata: sa.MetaData) -> None:
    sa.Table(
        "vidclip_review_items", metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        _job_id(unique=True),
        sa.Column("tenant", sa.String(64), nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("top_score", sa.Float, nullable=False, index=True),
        sa.Column("policy", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.String(32)),
        sa.Column("preview_scene", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "vidclip_review_categories", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _item_id(),
        sa.Column("category", sa.String(100), nullable=False, index=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("flagged", sa.Boolean, nullable=False),
        sa.Column("segments", sa.JSON, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.UniqueConstraint("item_id", "category",
                            name="uq_vidclip_review_categories_item_category"),
    )
    sa.Table(
        "vidclip_review_events", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _item_id(),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("category", sa.String(100)),
        sa.Column("note", sa.Text),
        sa.Column("state_before", sa.String(16), nullable=False),
        sa.Column("state_after", sa.String(16), nullable=False),
        sa.Column("decision_before", sa.String(16)),
        sa.Column("decision_after", sa.String(16)),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("item_id", "seq", name="uq_vidclip_review_events_seq"),
    )


def _revisions_policies_sessions(metadata: sa.MetaData) -> None:
    sa.Table(
        "vidclip_text_revisions", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _job_id(index=True),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("scene", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("job_id", "field", "scene", "seq",
                            name="uq_vidclip_text_revisions_seq"),
    )
    policies = sa.Table(
        "vidclip_policy_versions", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("change", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("tenant", "name", "version",
                            name="uq_vidclip_policy_versions_version"),
    )
    sa.Index("ix_vidclip_policy_versions_lookup", policies.c.tenant, policies.c.name)
    sa.Table(
        "vidclip_ui_sessions", metadata,
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16)),
        sa.Column("key_hash", sa.String(64)),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    )


def tenants_and_review_app() -> sa.MetaData:
    """Revision 0002, the baseline: every table of the last release before
    migrations (tenants, named keys, the review app)."""
    metadata = sa.MetaData()
    sa.Table("vidclip_jobs", metadata, *_job_columns(), *_tenant_columns(),
             sa.UniqueConstraint("tenant", "idempotency_key",
                                 name="uq_vidclip_jobs_tenant_idempotency_key"),
             sa.Index("ix_vidclip_jobs_tenant", "tenant"))
    _job_events(metadata)
    _api_keys(metadata)
    _reviews(metadata)
    _revisions_policies_sessions(metadata)
    return metadata


def tenant_columns() -> list[sa.Column]:
    """The two columns revision 0002 adds to ``vidclip_jobs``."""
    return _tenant_columns()
