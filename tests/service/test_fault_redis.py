"""Fault: the broker (a private redis-server) is killed and restarted while 20
jobs are queued or running. Every job finishes exactly once: one stored
analysis, one success, one final webhook; none is lost. A submission while
Redis is down is a 503 in the usual error shape, never a hang."""

from __future__ import annotations

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
    HookServer,
    assert_all_succeeded,
    assert_each_succeeded_once,
    submit_many,
    upload,
    wait_count,
    wait_final,
)
from tests.service.servers import ApiProcess, PrivateRedis

pytestmark = [pytest.mark.service, pytest.mark.slow, pytest.mark.timeout(240)]

JOBS = 20


def test_redis_restart_loses_no_job_and_repeats_none(tmp_path, monkeypatch, start_worker, clip):
    from vidclip.jobs.store import JobStore

    clear_vidclip_env(monkeypatch)
    redis = PrivateRedis(tmp_path / "redis").start()
    hook = HookServer()
    settings = build_settings(tmp_path, redis.url, port=free_port(), allow_private_urls=True,
                              visibility_timeout_s=5, unacked_restore_interval_s=1, lease_s=3)
    api = ApiProcess(settings, tmp_path / "api.log")
    worker = start_worker(settings)
    store = JobStore(settings.database_url)
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            ids = submit_many(http, clip, JOBS, webhook_url=hook.url)
            # Restart in the middle of the run: some done, some running, most queued.
            assert wait_count(store, ids, "succeeded", 3, timeout=90) >= 3, worker.log()[-3000:]
            redis.kill()
            started = time.monotonic()
            refused = upload(http, clip)
            assert time.monotonic() - started < 15
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "broker_unavailable"
            time.sleep(1)
            redis.start()
            final = wait_final(store, ids, timeout=150)
        assert_all_succeeded(store, final, worker.log())
        assert_each_succeeded_once(store, ids)
        deadline = time.monotonic() + 30
        while set(hook.jobs()) != set(ids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert hook.jobs() == {job_id: 1 for job_id in ids}, hook.jobs()
        # The job refused while Redis was down failed visibly, and is the only other one.
        refused_job = store.get(refused.json()["error"]["detail"]["job_id"])
        assert refused_job.status == "failed" and refused_job.error_code == "broker_unavailable"
    finally:
        store.close()
        api.stop()
        worker.stop()
        redis.kill()
        hook.close()
