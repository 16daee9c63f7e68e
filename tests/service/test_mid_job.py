"""Acting on a job in the middle of its run, with a real worker process.

A worker killed with SIGKILL: the job is delivered again and ends
``succeeded`` exactly once. Two ways to die: the whole worker (machine lost;
Redis hands the task out again after the visibility timeout) and only the pool
process running the job (out-of-memory kill; Celery rejects the task back to
the queue at once). And a running job cancelled through the API stops at its
next batch, its files purged.
"""

from __future__ import annotations

import os
import signal

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY, SLOW_MODEL, wait_for

pytestmark = [pytest.mark.service, pytest.mark.slow]

FINAL = ("succeeded", "failed", "cancelled")
EVERY_FRAME = '{"sampling": {"strategy": "all"}}'


def _submit(client, clip) -> str:
    with open(clip, "rb") as fh:
        r = client.post("/v1/jobs", files={"file": ("long.mp4", fh, "video/mp4")},
                        data={"options": EVERY_FRAME})
    assert r.status_code == 202, r.text
    return r.json()["id"]


def _running(client, job_id: str, worker) -> dict:
    """Wait until a worker holds the job. (Progress is written at most once a
    second, so waiting for some of it could miss a short run altogether.)"""
    mid = wait_for(lambda: client.get(f"/v1/jobs/{job_id}").json(),
                   lambda j: j["status"] in FINAL or j["status"] == "running",
                   timeout=120, every=0.05)
    assert mid["status"] == "running", f"{mid}\n{worker.log()[-2000:]}"
    return mid


@pytest.mark.parametrize("victim", ["whole-worker", "pool-process"])
def test_killed_worker_job_succeeds_exactly_once(victim, make_settings, start_worker,
                                                 long_clip):
    from api.app import create_app

    # Short visibility timeout and lease so the test does not wait an hour.
    settings = make_settings(visibility_timeout_s=4, unacked_restore_interval_s=1, lease_s=3,
                             model=SLOW_MODEL)
    first = start_worker(settings)
    with TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) as client:
        store = client.app.state.store
        job_id = _submit(client, long_clip)
        _running(client, job_id, first)
        owner = store.get(job_id).worker
        if victim == "whole-worker":
            first.kill()
            again = start_worker(settings)
        else:
            os.kill(int(owner.split(":")[1]), signal.SIGKILL)  # the pool process
            again = first
        done = wait_for(lambda: client.get(f"/v1/jobs/{job_id}").json(),
                        lambda j: j["status"] in FINAL, timeout=240, every=0.5)
        assert done["status"] == "succeeded", f"{done}\n{again.log()[-3000:]}"
        events = store.events(job_id)
        kinds = [e.kind for e in events]
        assert kinds.count("analyzed") == 1 and kinds.count("succeeded") == 1, kinds
        starts = [e for e in events if e.kind == "started" and e.stage != "caption"]
        assert len(starts) >= 2 and done["attempts"] >= 2
        if victim == "whole-worker":  # the lease of the dead worker was taken over
            assert any("taken over" in (e.detail or "") for e in starts[1:]), events
        assert client.get(f"/v1/jobs/{job_id}/result").status_code == 200


def test_cancel_a_running_job(make_settings, start_worker, long_clip):
    from api.app import create_app

    settings = make_settings(model=SLOW_MODEL)
    worker = start_worker(settings)
    with TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) as client:
        job_id = _submit(client, long_clip)
        _running(client, job_id, worker)
        r = client.delete(f"/v1/jobs/{job_id}", params={"purge": "true"})
        assert r.status_code == 202 and r.json()["cancel_requested"]
        done = wait_for(lambda: client.get(f"/v1/jobs/{job_id}").json(),
                        lambda j: j["status"] in FINAL, timeout=60)
        assert done["status"] == "cancelled", f"{done}\n{worker.log()[-2000:]}"
        assert done["progress"]["overall"] < 1.0
        assert client.get(f"/v1/jobs/{job_id}/result").status_code == 409
        # purge asked for: the upload is gone once the worker stopped
        assert not (settings.media_dir / job_id).exists()
        # and the worker goes on with the next job (1 frame/s: a few frames)
        with open(long_clip, "rb") as fh:
            after = client.post("/v1/jobs", files={"file": ("next.mp4", fh, "video/mp4")}).json()
        final = wait_for(lambda: client.get(f"/v1/jobs/{after['id']}").json(),
                         lambda j: j["status"] in FINAL, timeout=120)
        assert final["status"] == "succeeded", final
