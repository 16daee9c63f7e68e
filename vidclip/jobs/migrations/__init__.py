"""The job store's schema history, as Alembic revisions (``versions/``).

Run through :mod:`vidclip.jobs.migrate` (``JobStore.create_schema()`` and
``vidclip db upgrade``), never with a hand-written ``alembic.ini``: the
runner holds the lock that keeps two starting processes apart and adopts a
database made before migrations existed. Each revision that creates tables
keeps a frozen copy of them (``snapshot()``), written out in full rather
than imported from ``vidclip.jobs.tables``: the tables module changes with
the next revision, a revision never does.
"""
