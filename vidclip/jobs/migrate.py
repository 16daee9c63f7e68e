"""Migrations of the job store: bring its tables to this vidclip's schema, safely.

The schema's history is Alembic revisions in :mod:`vidclip.jobs.migrations`;
``JobStore.create_schema()`` (every API and worker process at start, the
``vidclip keys`` and ``vidclip db`` commands) calls :func:`upgrade`, which:

1. returns at once when the store is at the newest revision already (one
   read; the common start);
2. otherwise takes a lock for the whole upgrade, so processes that start
   together on a new or old database upgrade it once and the others wait:
   PostgreSQL, a transaction-scoped advisory lock (``pg_advisory_xact_lock``)
   held by the very transaction the DDL runs in (PostgreSQL's DDL is
   transactional, so a failed upgrade changes nothing); SQLite, a
   ``BEGIN EXCLUSIVE`` transaction on a connection of its own with
   transactional DDL and foreign keys off (SQLite alters a table by copying
   it, and dropping the old copy must not cascade into its children);
3. adopts a store made before migrations (``create_all`` of an earlier
   vidclip; no version table): its tables are compared with the frozen
   copies of the revision they match (:mod:`vidclip.jobs.migrations.snapshots`)
   and, if they agree, the store is stamped at that revision; a store whose
   tables match no release is refused untouched;
4. runs the revisions from there to ``head``.

The version is kept in ``vidclip_alembic_version`` (prefixed like every
table of ours, so a database shared with another Alembic project is fine).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, delete, event, inspect, table, text
from sqlalchemy.pool import NullPool

from vidclip.errors import ConfigError

log = logging.getLogger(__name__)

VERSION_TABLE = "vidclip_alembic_version"
SCRIPTS = "vidclip.jobs:migrations"
#: The advisory lock's key on PostgreSQL: "vidclipM" as a 64-bit number, ours alone.
PG_LOCK_KEY = int.from_bytes(b"vidclipM", "big") - 2**63
#: How long a SQLite process waits for another one's upgrade, seconds.
SQLITE_WAIT_S = 600
#: The table every release has had; its columns tell the releases apart.
JOBS = "vidclip_jobs"


class SchemaOutdatedError(ConfigError):
    """The store's schema is not one this vidclip can bring up to date."""

    code = "schema_outdated"


@dataclass(frozen=True)
class Upgrade:
    before: str | None
    after: str | None
    #: The revision a store made before migrations was stamped at; None if none was.
    adopted: str | None = None


@dataclass(frozen=True)
class Revision:
    revision: str
    down_revision: str | None
    doc: str


def alembic_config(connection: Connection | None = None):
    """Alembic's configuration of the job store (for ``alembic.command``; a new
    revision: ``command.revision(alembic_config(), "what changed", rev_id="0003")``)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    config.attributes["connection"] = connection
    return config


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    found = _scripts().get_current_head()
    assert found is not None
    return found


def history() -> list[Revision]:
    """Every revision, oldest first."""
    revisions = [Revision(r.revision, r.down_revision if isinstance(r.down_revision, str)
                          else None, r.doc) for r in _scripts().walk_revisions()]
    return revisions[::-1]


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def current(engine: Engine) -> str | None:
    """The store's revision; None for a new store or one made before migrations
    (and for a stamp whose tables were dropped by hand)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(JOBS):
            return None
        return _current(connection)


def is_legacy(engine: Engine) -> bool:
    """True for a store made before migrations (tables, no version)."""
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
    return JOBS in names and VERSION_TABLE not in names


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def upgrade(engine: Engine, target: str = "head") -> Upgrade:
    """Bring the store to ``target`` (see the module's docstring for how)."""
    from alembic import command
    from alembic.util import CommandError

    wanted = head() if target == "head" else target
    before = current(engine)
    if before == wanted:
        return Upgrade(before, before)
    with _locked(engine) as connection:
        adopted = adopt_legacy(connection, _describe(engine))
        before = _current(connection)
        try:
            command.upgrade(alembic_config(connection), target)
        except CommandError as exc:
            raise SchemaOutdatedError(
                f"the job store {_describe(engine)} is at revision {before!r}, which this "
                f"vidclip does not know ({exc}); it was upgraded by a newer vidclip: run that "
                "one, or restore the database's backup.") from None
        if connection.dialect.name == "sqlite":
            _check_foreign_keys(connection)
        done = Upgrade(before, _current(connection), adopted)
    if adopted:
        log.info("job store %s was made before migrations; its tables match revision %s, "
                 "stamped so", _describe(engine), adopted)
    if done.before != done.after:
        log.info("job store %s upgraded from %s to %s", _describe(engine),
                 done.before or "nothing", done.after)
    return done


def stamp(engine: Engine, revision: str) -> None:
    """Record ``revision`` without running anything (an operator's repair)."""
    from alembic import command

    with _locked(engine) as connection:
        command.stamp(alembic_config(connection), revision)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that no other upgrader can hold at once."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
            yield connection
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        private = _sqlite_engine(engine)
        try:
            with private.begin() as connection:
                yield connection
        finally:
            private.dispose()
    else:  # an in-memory SQLite database belongs to one process: nothing to race
        with engine.begin() as connection:
            yield connection


def _sqlite_engine(engine: Engine) -> Engine:
    """A connection to the same file with transactional DDL (SQLAlchemy's pysqlite
    recipe: the driver's own transaction handling off, ``BEGIN EXCLUSIVE`` ours)."""
    private = create_engine(engine.url, poolclass=NullPool,
                            connect_args={"timeout": SQLITE_WAIT_S})

    @event.listens_for(private, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(private, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN EXCLUSIVE")

    return private


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise SchemaOutdatedError(f"the upgrade would leave rows that point nowhere "
                                  f"({broken[:3]}); nothing was changed.")


def adopt_legacy(connection: Connection, where: str = "the job store") -> str | None:
    """Stamp a store made before migrations at the revision its tables match.

    Returns that revision, or None when there was nothing to adopt (a new
    store, or one under migrations already). A version stamp whose tables
    were dropped by hand is removed: the store is new again.
    """
    from alembic import command

    names = set(inspect(connection).get_table_names())
    if VERSION_TABLE in names:
        if JOBS not in names:
            connection.execute(delete(table(VERSION_TABLE)))
        return None
    if JOBS not in names:
        return None
    revision, problems = _legacy_match(connection, names)
    if problems:
        raise SchemaOutdatedError(
            f"{where} has vidclip tables that match no release ({'; '.join(problems)}); "
            "nothing was changed. Restore it from a backup, or point VIDCLIP_DATABASE_URL at "
            "another database.")
    if revision == "0002":
        # What the old start-up's create_all did: add the tables a store lacks.
        from vidclip.jobs.migrations.snapshots import tenants_and_review_app

        tenants_and_review_app().create_all(connection, checkfirst=True)
    command.stamp(alembic_config(connection), revision)
    return revision


def _legacy_match(connection: Connection, names: set[str]) -> tuple[str, list[str]]:
    """The revision a pre-migration store is at, and how its tables differ from it."""
    from vidclip.jobs.migrations.snapshots import first_release, tenants_and_review_app

    inspector = inspect(connection)
    jobs = {c["name"] for c in inspector.get_columns(JOBS)}
    revision = "0002" if "tenant" in jobs else "0001"
    first, baseline = first_release(), tenants_and_review_app()
    problems = []
    for name, frozen in baseline.tables.items():
        if name not in names:
            continue  # created by the upgrade
        if revision == "0001" and name in first.tables:
            frozen = first.tables[name]
        have = {c["name"] for c in inspector.get_columns(name)}
        want = {c.name for c in frozen.columns}
        if have != want:
            parts = [f"lacks {', '.join(sorted(want - have))}" if want - have else "",
                     f"has unknown {', '.join(sorted(have - want))}" if have - want else ""]
            problems.append(f"{name} " + " and ".join(p for p in parts if p))
    return revision, problems
