"""The job store on SQLite and on PostgreSQL: submission, leases, guarded
transitions, cancel, listing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from vidclip.jobs.status import JobStatus
from vidclip.jobs.store import Claim, JobStore, NewJob
from vidclip.jobs.tables import utcnow

pytestmark = pytest.mark.service


def _new(**kw) -> NewJob:
    return NewJob(**{"options": {"formats": ["json"]}, "source_kind": "url",
                     "source_value": "https://example.org/a.mp4", **kw})


def test_idempotency_key_returns_the_first_job(store):
    first, created = store.create(_new(idempotency_key="k"))
    again, created_again = store.create(_new(idempotency_key="k", tag="other"))
    assert created and not created_again and again.id == first.id and again.tag is None


def test_one_worker_at_a_time_and_takeover_after_the_lease(store):
    job, _ = store.create(_new())
    claim, running = store.claim(job.id, "w1", lease_s=0.5, max_attempts=3, stage="decode")
    assert claim is Claim.RUN and running.status == "running" and running.attempts == 1
    assert store.claim(job.id, "w2", lease_s=0.5, max_attempts=3, stage="decode")[0] is Claim.BUSY
    time.sleep(0.6)  # w1 stopped renewing: it died
    claim, taken = store.claim(job.id, "w2", lease_s=0.5, max_attempts=3, stage="decode")
    assert claim is Claim.RUN and taken.attempts == 2
    # The old owner learns it lost the job and cannot finish it.
    assert not store.progress(job.id, "w1", "encode", {"encode": 0.5})
    assert store.should_stop(job.id, "w1")
    assert not store.finish(job.id, JobStatus.SUCCEEDED, worker="w1")
    assert store.finish(job.id, JobStatus.SUCCEEDED, worker="w2", result_json="{}")


def test_redelivered_analyze_skips_to_captions_and_finish_happens_once(store):
    job, _ = store.create(_new())
    store.claim(job.id, "w1", lease_s=5, max_attempts=3, stage="decode")
    assert store.save_partial(job.id, "w1", '{"a": 1}', {"decode": 1.0, "encode": 1.0}, "caption")
    assert store.claim(job.id, "w2", lease_s=5, max_attempts=3, stage="decode")[0] is Claim.ANALYZED
    assert store.claim(job.id, "w2", lease_s=5, stage="caption")[0] is Claim.RUN
    assert store.finish(job.id, JobStatus.SUCCEEDED, worker="w2", result_json='{"a": 2}')
    assert not store.finish(job.id, JobStatus.SUCCEEDED, worker="w2")
    assert store.claim(job.id, "w3", lease_s=5, stage="caption")[0] is Claim.DONE
    kinds = [e.kind for e in store.events(job.id)]
    assert kinds == ["queued", "started", "analyzed", "started", "succeeded"]
    assert store.get(job.id).progress == 1.0


def test_too_many_deliveries_fail_the_job(store):
    job, _ = store.create(_new())
    for n in range(2):
        store.claim(job.id, f"w{n}", lease_s=0.01, max_attempts=2, stage="decode")
        time.sleep(0.02)
    claim, failed = store.claim(job.id, "w9", lease_s=0.01, max_attempts=2, stage="decode")
    assert claim is Claim.FINISHED and failed.status == "failed"
    assert failed.error_code == "too_many_attempts"


def test_cancel_queued_now_running_at_the_next_batch(store):
    queued, _ = store.create(_new())
    assert store.request_cancel(queued.id).status == "cancelled"
    assert store.claim(queued.id, "w", lease_s=5, max_attempts=3, stage="decode")[0] is Claim.DONE
    running, _ = store.create(_new())
    store.claim(running.id, "w", lease_s=5, max_attempts=3, stage="decode")
    flagged = store.request_cancel(running.id, purge=True)
    assert flagged.status == "running" and flagged.cancel_requested and flagged.purge_requested
    assert store.should_stop(running.id, "w")
    store.finish(running.id, JobStatus.FAILED, worker="w", error_code="x")  # w died
    waiting, _ = store.create(_new())
    store.claim(waiting.id, "w", lease_s=5, max_attempts=3, stage="decode")
    store.save_partial(waiting.id, "w", "{}", {}, "caption")
    store.request_cancel(waiting.id)  # between analyze and caption
    assert store.claim(waiting.id, "w2", lease_s=5, stage="caption")[0] is Claim.CANCEL


def test_list_filters_and_pages(store):
    ids = [store.create(_new(tag="a" if i % 2 else "b"))[0].id for i in range(5)]
    store.request_cancel(ids[0])
    assert {j.id for j in store.list(statuses=["cancelled"])} == {ids[0]}
    assert len(store.list(tag="a")) == 2
    assert store.list(since=utcnow() + timedelta(hours=1)) == []
    from vidclip.jobs.store import encode_cursor

    first = store.list(limit=2)
    rest = store.list(limit=10, cursor=encode_cursor(first[-1]))
    assert [j.id for j in first + rest] == ids[::-1]


def _create_schema_at(url: str, barrier) -> None:
    barrier.wait()
    store = JobStore(url)
    store.create_schema()
    store.close()


def test_processes_starting_together_all_get_the_schema(database_url):
    """An API and its workers start at once on a new database: none may fail."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(6)
    procs = [ctx.Process(target=_create_schema_at, args=(database_url, barrier))
             for _ in range(6)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
    try:
        assert [p.exitcode for p in procs] == [0] * 6
    finally:
        from vidclip.jobs.tables import Base

        store = JobStore(database_url)
        Base.metadata.drop_all(store.engine)
        store.close()
