"""Upgrading the job store with its migrations, on SQLite and PostgreSQL.

A store made by the last release before migrations (its tables exactly as
that release's ``create_all`` made them: the baseline, revision 0002) and
one made before tenants (revision 0001) are filled with rows, adopted and
upgraded to the newest revision by ``create_schema()`` as a starting API
does; every row survives. A new store migrated from nothing has the very
tables ``vidclip.jobs.tables`` describes (a column added without its
migration fails here). Tables that match no release, and a store stamped by
a newer vidclip, are refused untouched; processes that start together on an
old store upgrade it once."""

from __future__ import annotations

import multiprocessing
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Column, MetaData, Text, create_engine, insert, inspect, text

from vidclip.jobs import migrate
from vidclip.jobs.apikeys import hash_token
from vidclip.jobs.migrations.snapshots import first_release, tenants_and_review_app
from vidclip.jobs.principal import Role
from vidclip.jobs.store import JobStore, NewJob, SchemaOutdatedError
from vidclip.jobs.tables import Base

pytestmark = pytest.mark.service

JOB = "a" * 32
KEY_ID = "0123456789ab"
TOKEN = f"vck_{KEY_ID}_{'s' * 43}"
WHEN = datetime(2025, 5, 1, 12, 0, 0)


def _rows(baseline: bool) -> dict[str, list[dict]]:
    """A row for every table of the release (the job's columns as it had them)."""
    job = dict(id=JOB, status="succeeded", progress=1.0, stage_progress={}, options={"a": 1},
               source_kind="url", source_value="https://example.org/a.mp4",
               idempotency_key="k", attempts=1, cancel_requested=False,
               purge_requested=False, result_json="{}", created_at=WHEN, updated_at=WHEN)
    rows = {"vidclip_jobs": [job],
            "vidclip_job_events": [dict(job_id=JOB, kind="queued", status="queued", at=WHEN)]}
    if not baseline:
        return rows
    job.update(tenant="acme", submitted_by="ana")
    return rows | {
        "vidclip_api_keys": [dict(id=KEY_ID, name="ana", role="admin", tenant="acme",
                                  secret_hash=hash_token(TOKEN), created_at=WHEN)],
        "vidclip_review_items": [dict(id="r" * 32, job_id=JOB, tenant="acme", state="open",
                                      top_score=0.8, policy="default", policy_version="1",
                                      version=1, created_at=WHEN, updated_at=WHEN)],
        "vidclip_review_categories": [dict(item_id="r" * 32, category="weapons", score=0.8,
                                           threshold=0.6, flagged=True,
                                           segments=[{"start_s": 0, "end_s": 1}],
                                           decision="pending")],
        "vidclip_review_events": [dict(item_id="r" * 32, seq=1, actor="ana", action="comment",
                                       note="look", state_before="open", state_after="open",
                                       at=WHEN)],
        "vidclip_text_revisions": [dict(job_id=JOB, field="summary", scene=-1, seq=1,
                                        before="old", after="new", author="ana", at=WHEN)],
        "vidclip_policy_versions": [dict(tenant="acme", name="default", version=2,
                                         document={"categories": []}, change="weapons: x",
                                         author="ana", created_at=WHEN)],
        "vidclip_ui_sessions": [dict(token_hash="t" * 64, name="ana", role="admin",
                                     tenant="acme", key_id=KEY_ID, key_hash=hash_token(TOKEN),
                                     csrf="c" * 32, created_at=WHEN, expires_at=WHEN)],
    }


def _make_old_store(url: str, metadata: MetaData, baseline: bool) -> None:
    engine = create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            for row in _rows(baseline).get(table.name, []):
                conn.execute(insert(table).values(**row))
    engine.dispose()


@pytest.fixture
def clean(database_url):
    """The test's database, emptied afterwards (the version table too)."""
    yield database_url
    engine = create_engine(database_url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {migrate.VERSION_TABLE}"))
    engine.dispose()


def _differences(store: JobStore) -> list:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(context, Base.metadata)
                if not (d[0] == "remove_table" and d[1].name == migrate.VERSION_TABLE)]


def test_a_new_store_is_migrated_to_exactly_the_tables_of_this_vidclip(clean):
    store = JobStore(clean)
    try:
        store.create_schema()
        assert migrate.current(store.engine) == migrate.head()
        assert _differences(store) == []
        store.create_schema()  # at head: nothing to do
    finally:
        store.close()


def _check_baseline_rows(store: JobStore) -> None:
    job = store.get(JOB, tenant="acme")
    assert job is not None and job.submitted_by == "ana" and job.options == {"a": 1}
    assert [e.kind for e in store.events(JOB)] == ["queued"]
    principal, revoked = store.keys.find(TOKEN)
    assert principal.name == "ana" and not revoked
    review = store.reviews.for_job(JOB, "acme")
    assert review is not None and review.policy == "default"
    assert [c.category for c in review.categories] == ["weapons"]
    assert [e.note for e in review.events] == ["look"]
    assert [r.after for r in store.revisions.list(JOB)] == ["new"]
    assert store.policies.latest("acme", "default").version == 2
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM vidclip_ui_sessions")).scalar() == 1


def test_the_last_release_before_migrations_is_adopted_and_upgraded(clean):
    _make_old_store(clean, tenants_and_review_app(), baseline=True)
    store = JobStore(clean)
    try:
        store.create_schema()
        assert migrate.current(store.engine) == migrate.head()
        _check_baseline_rows(store)
        assert _differences(store) == []
    finally:
        store.close()


def test_a_store_from_before_tenants_is_upgraded_with_its_jobs_and_events(clean):
    _make_old_store(clean, first_release(), baseline=False)
    store = JobStore(clean)
    try:
        store.create_schema()
        old = store.get(JOB, tenant="default")
        assert old is not None and old.submitted_by is None and old.result_json == "{}"
        # SQLite copies the jobs table to change it: its events must not cascade away.
        assert [e.kind for e in store.events(JOB)] == ["queued"]
        assert store.find_by_key("default", "k").id == JOB
        _, created = store.create(NewJob(options={}, source_kind="url", source_value="x",
                                         idempotency_key="k", tenant="acme"))
        assert created  # an Idempotency-Key is per tenant now
        assert store.keys.create("ana", Role.ADMIN, "acme")[1].startswith("vck_")
        assert _differences(store) == []
    finally:
        store.close()


def test_tables_that_match_no_release_are_refused_untouched(clean):
    metadata = first_release()
    metadata.tables["vidclip_jobs"].append_column(Column("colour", Text))
    _make_old_store(clean, metadata, baseline=False)
    store = JobStore(clean)
    try:
        with pytest.raises(SchemaOutdatedError, match="vidclip_jobs has unknown colour"):
            store.create_schema()
        names = set(inspect(store.engine).get_table_names())
        assert migrate.VERSION_TABLE not in names and "vidclip_api_keys" not in names
    finally:
        store.close()


def test_a_store_upgraded_by_a_newer_vidclip_is_refused(clean):
    store = JobStore(clean)
    try:
        store.create_schema()
        with store.engine.begin() as conn:
            conn.execute(text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '9999'"))
        with pytest.raises(SchemaOutdatedError, match=r"'9999'.*newer vidclip"):
            store.create_schema()
    finally:
        store.close()


def _start(url: str, barrier) -> None:
    barrier.wait()
    store = JobStore(url)
    store.create_schema()
    store.close()


def test_processes_starting_together_on_an_old_store_upgrade_it_once(clean):
    _make_old_store(clean, first_release(), baseline=False)
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_start, args=(clean, barrier)) for _ in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * 4
    store = JobStore(clean)
    try:
        assert migrate.current(store.engine) == migrate.head()
        assert [e.kind for e in store.events(JOB)] == ["queued"]
    finally:
        store.close()


def test_the_db_commands_show_and_upgrade_the_store(tmp_path, monkeypatch):
    from tests.service.conftest import clear_vidclip_env
    from vidclip._cli.main import cli

    clear_vidclip_env(monkeypatch)
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    _make_old_store(url, tenants_and_review_app(), baseline=True)
    monkeypatch.setenv("VIDCLIP_DATABASE_URL", url)
    runner = CliRunner()
    shown = runner.invoke(cli, ["db", "current"])
    assert shown.exit_code == 0 and "made before migrations" in shown.output, shown.output
    history = runner.invoke(cli, ["db", "history"])
    assert history.exit_code == 0 and "0001" in history.output and "0002" in history.output
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "adopted at 0002" in upgraded.output and migrate.head() in upgraded.output
    shown = runner.invoke(cli, ["db", "current"])
    assert f"{migrate.head()} (head)" in shown.output, shown.output
