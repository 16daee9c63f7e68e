"""A job store made before tenants: refused at start with a clear message, and
the upgrade steps of docs/operations.md (run here as written there) bring its jobs across
to the tenant ``default``, on PostgreSQL and on SQLite."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, text

from tests.service.conftest import REPO
from vidclip.jobs.store import JobStore, NewJob, SchemaOutdatedError
from vidclip.jobs.tables import Base, Job, JobEvent, utcnow

pytestmark = pytest.mark.service

NEW_COLUMNS = ("tenant", "submitted_by")


def _version1_tables() -> MetaData:
    """The two tables as they were before tenants: no tenant or submitted_by
    column, and an Idempotency-Key unique across the whole table."""
    metadata = MetaData()
    columns = []
    for column in Job.__table__.columns:
        if column.name == "idempotency_key":
            columns.append(Column("idempotency_key", String(200), unique=True))
        elif column.name not in NEW_COLUMNS:
            columns.append(column._copy())
    Table(Job.__tablename__, metadata, *columns)
    JobEvent.__table__.to_metadata(metadata)
    return metadata


def _fill_version1(engine) -> None:
    metadata = _version1_tables()
    metadata.create_all(engine)
    jobs, events = (metadata.tables[t.__tablename__] for t in (Job, JobEvent))
    now = utcnow().replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(insert(jobs).values(
            id="a" * 32, status="succeeded", progress=1.0, stage_progress={}, options={},
            source_kind="url", source_value="https://example.org/a.mp4", idempotency_key="k",
            attempts=1, cancel_requested=False, purge_requested=False, result_json="{}",
            created_at=now, updated_at=now))
        conn.execute(insert(events).values(job_id="a" * 32, kind="queued", status="queued",
                                           at=now))


def _documented_upgrade() -> tuple[str, str]:
    """The PostgreSQL statements and the SQLite copy script of docs/operations.md."""
    page = (REPO / "docs" / "operations.md").read_text()
    section = page[page.index("## Upgrading the job store"):]
    postgres = re.search(r"```sql\n(.*?)```", section, re.DOTALL).group(1)
    sqlite_script = re.search(r'db\.executescript\("""\n(.*?)"""\)', section, re.DOTALL).group(1)
    return postgres, sqlite_script


def _check_upgraded(url: str) -> None:
    store = JobStore(url)
    try:
        store.create_schema()
        old = store.get("a" * 32, tenant="default")
        assert old is not None and old.submitted_by is None and old.result_json == "{}"
        assert [e.kind for e in store.events(old.id)] == ["queued"]
        # The old key is the default tenant's now; another tenant may reuse it.
        assert store.find_by_key("default", "k").id == old.id
        _, created = store.create(NewJob(options={}, source_kind="url", source_value="x",
                                         idempotency_key="k", tenant="acme"))
        assert created
    finally:
        Base.metadata.drop_all(store.engine)
        store.close()


def test_an_old_store_is_refused_with_the_way_out(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _fill_version1(create_engine(url))
    store = JobStore(url)
    with pytest.raises(SchemaOutdatedError,
                       match=r"no submitted_by, tenant.*'Upgrading the job store' "
                             r"in docs/operations\.md"):
        store.create_schema()
    store.close()


def test_the_postgresql_upgrade(pg_url):
    engine = create_engine(pg_url)
    _fill_version1(engine)
    statements, _ = _documented_upgrade()
    with engine.begin() as conn:
        for statement in statements.split(";"):
            if statement.strip():
                conn.execute(text(statement))
    engine.dispose()
    _check_upgraded(pg_url)


def test_the_sqlite_upgrade(tmp_path):
    old = tmp_path / "vidclip-v1.db"
    _fill_version1(create_engine(f"sqlite:///{old}"))
    new = tmp_path / "vidclip.db"
    JobStore(f"sqlite:///{new}").create_schema()  # what `vidclip keys list` does first
    _, script = _documented_upgrade()
    db = sqlite3.connect(new)
    db.executescript(script.replace("'vidclip-v1.db'", f"'{Path(old)}'"))
    db.close()
    _check_upgraded(f"sqlite:///{new}")
