"""Tenants, named API keys and the review app: the baseline of migrations.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-01

Jobs get a tenant (the jobs from before belong to ``default``) and the name
of the key that submitted them; an Idempotency-Key is unique per tenant. The
tables of named keys, reviews, text revisions, policy versions and browser
sessions are created where missing: a store that an earlier vidclip started
on may have some of them already (its ``create_all`` added new tables).
"""

from __future__ import annotations

from alembic import op

from vidclip.jobs.migrations.snapshots import tenant_columns, tenants_and_review_app

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Names for the constraints the first release left unnamed, so that SQLite's
#: copy of the table (batch mode) can drop the old unique key by name.
NAMING = {"uq": "%(table_name)s_%(column_0_name)s_key"}


def upgrade() -> None:
    with op.batch_alter_table("vidclip_jobs", naming_convention=NAMING) as batch:
        for column in tenant_columns():
            batch.add_column(column)
        batch.create_index("ix_vidclip_jobs_tenant", ["tenant"])
        batch.drop_constraint("vidclip_jobs_idempotency_key_key", type_="unique")
        batch.create_unique_constraint("uq_vidclip_jobs_tenant_idempotency_key",
                                       ["tenant", "idempotency_key"])
    tenants_and_review_app().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    metadata = tenants_and_review_app()
    for name in ("vidclip_ui_sessions", "vidclip_policy_versions", "vidclip_text_revisions",
                 "vidclip_review_events", "vidclip_review_categories", "vidclip_review_items",
                 "vidclip_api_keys"):
        metadata.tables[name].drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("vidclip_jobs", naming_convention=NAMING) as batch:
        batch.drop_constraint("uq_vidclip_jobs_tenant_idempotency_key", type_="unique")
        batch.drop_index("ix_vidclip_jobs_tenant")
        batch.drop_column("submitted_by")
        batch.drop_column("tenant")
        batch.create_unique_constraint("vidclip_jobs_idempotency_key_key", ["idempotency_key"])
