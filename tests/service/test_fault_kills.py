"""Fault: workers killed with SIGKILL 20 times at random moments during a run
of 20 jobs. Mostly the pool process running a job (what the OOM killer
does; Celery puts the task back at once), at a random moment while it
runs a job, every tenth kill the whole worker
(machine lost; Redis hands its tasks out again after the visibility
timeout). A pool process killed while it starts makes Celery stop the whole
worker; the test then starts it again, as a supervisor would. Every job
finishes exactly once, with one webhook, and when the run ends no job is
held by a worker and no task is left unacknowledged."""

from __future__ import annotations

import json
import os
import random
import signal
import time

import httpx
import pytest

from tests.service.conftest import (
    API_KEY,
    build_settings,
    clear_vidclip_env,
    free_port,
    wait_until_ready,
)
from tests.service.jobrun import (
    FINAL,
    HookServer,
    SlowMedia,
    assert_all_succeeded,
    assert_each_succeeded_once,
    statuses,
    wait_final,
)
from tests.service.servers import ApiProcess, PrivateRedis

pytestmark = [pytest.mark.service, pytest.mark.slow, pytest.mark.timeout(300)]

JOBS = 20
KILLS = 20
#: Each job fetches its video from a server that takes this long to send it, so
#: a job runs long enough for a kill to land inside it on a fast or a busy CPU.
FETCH_S = 1.5


def _running_job_pid(store, ids, wait_s: float = 10.0) -> int | None:
    """The pool process of a job that is running now (its worker id is host:pid:run)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        for job in store.list(statuses=["running"], limit=JOBS):
            if job.id in ids and job.worker:
                return int(job.worker.split(":")[1])
        time.sleep(0.05)
    return None


def test_twenty_kills_lose_and_repeat_nothing(tmp_path, monkeypatch, start_worker, clip):
    """(Kills land mid-download, mid-analysis and mid-caption alike.)"""
    from vidclip.jobs.store import JobStore

    seed = int(os.environ.get("VIDCLIP_TEST_SEED", time.time()))
    rng = random.Random(seed)
    clear_vidclip_env(monkeypatch)
    redis = PrivateRedis(tmp_path / "redis").start()
    hook = HookServer()
    media = SlowMedia(clip.read_bytes(), FETCH_S)
    # Short timeouts so the test does not wait for hours; attempts high enough
    # that a job unlucky enough to be killed several times still succeeds.
    settings = build_settings(tmp_path, redis.url, port=free_port(), allow_private_urls=True,
                              visibility_timeout_s=6, unacked_restore_interval_s=1, lease_s=2,
                              max_attempts=KILLS + 5)
    api = ApiProcess(settings, tmp_path / "api.log")
    worker = start_worker(settings)
    store = JobStore(settings.database_url)
    kills = {"pool": 0, "worker": 0}
    restarts = 0
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            ids = []
            for _ in range(JOBS):
                r = http.post("/v1/jobs", json={"url": media.url, "webhook_url": hook.url})
                assert r.status_code == 202, r.text
                ids.append(r.json()["id"])
            deadline = time.monotonic() + 150
            while sum(kills.values()) < KILLS and time.monotonic() < deadline:
                if all(s in FINAL for s in statuses(store, ids).values()):
                    break
                time.sleep(rng.uniform(0.1, 1.0))
                if worker.proc.poll() is not None:
                    # A pool process killed while starting up makes Celery give up
                    # ("Could not start worker processes"); its supervisor (here the
                    # test, in production systemd or Docker) starts it again.
                    worker = start_worker(settings)
                    restarts += 1
                    continue
                if sum(kills.values()) % 10 == 9:
                    worker.kill()
                    worker = start_worker(settings)
                    kills["worker"] += 1
                    continue
                pid = _running_job_pid(store, ids)
                if pid is not None:  # none while the worker (re)starts: try again
                    time.sleep(rng.uniform(0.0, 0.4))
                    try:
                        os.kill(pid, signal.SIGKILL)
                        kills["pool"] += 1
                    except ProcessLookupError:
                        pass
            final = wait_final(store, ids, timeout=200)
        assert sum(kills.values()) == KILLS, (kills, seed, final, worker.log()[-3000:])
        assert_all_succeeded(store, final, worker.log())
        assert_each_succeeded_once(store, ids)
        deadline = time.monotonic() + 30
        while hook.jobs() != {job_id: 1 for job_id in ids} and time.monotonic() < deadline:
            time.sleep(0.2)
        assert hook.jobs() == {job_id: 1 for job_id in ids}, (hook.jobs(), seed)
        # Nothing left held: no task of ours waits for an acknowledgement (the last
        # webhook's is acknowledged a moment after its POST).
        def held() -> list[str]:
            tasks = [json.loads(v)[0]["headers"]["id"] for v in redis.client().hvals("unacked")]
            return [t for t in tasks if t.split("-")[0] in ids]

        deadline = time.monotonic() + 15
        while held() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not held(), held()
        attempts = sum(store.get(j).attempts for j in ids)
        print(f"seed {seed}: kills {kills}, restarts after a start-up kill {restarts}, "
              f"analyze attempts {attempts} for {JOBS} jobs")
    finally:
        store.close()
        api.stop()
        worker.stop()
        redis.kill()
        hook.close()
        media.close()
