"""The first release: jobs and their events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

No tenants yet: an Idempotency-Key is unique across the whole jobs table.
"""

from __future__ import annotations

from alembic import op

from vidclip.jobs.migrations.snapshots import first_release

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    first_release().create_all(op.get_bind())


def downgrade() -> None:
    first_release().drop_all(op.get_bind())
