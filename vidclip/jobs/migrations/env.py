"""Alembic's environment for the job store: the connection comes from the runner.

:mod:`vidclip.jobs.migrate` opens the connection, takes the lock and puts
the connection in ``config.attributes["connection"]``; the migrations run
inside the transaction it began (PostgreSQL's DDL is transactional, and the
runner makes SQLite's so too), so a failed upgrade leaves nothing half done.
Batch mode is on: SQLite alters a table by copying it.
"""

from __future__ import annotations

from alembic import context

from vidclip.jobs import review_tables  # noqa: F401  (its tables join the metadata)
from vidclip.jobs.migrate import VERSION_TABLE
from vidclip.jobs.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the job store's migrations with `vidclip db upgrade` "
                       "(vidclip.jobs.migrate), which supplies the connection and the lock")
context.configure(connection=connection, target_metadata=Base.metadata,
                  version_table=VERSION_TABLE, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
