"""Fault: the job store (a throwaway PostgreSQL cluster) stops in the middle of
a run and comes back. While it is down the API answers 503 in the usual
error shape, quickly (not 500, not a hang); afterwards the API and the
worker carry on by themselves (stale pooled connections are pre-pinged and
replaced), and every job finishes exactly once."""

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
    assert_all_succeeded,
    assert_each_succeeded_once,
    submit_many,
    upload,
    wait_count,
    wait_final,
)
from tests.service.servers import ApiProcess, PrivatePostgres

pytestmark = [pytest.mark.service, pytest.mark.slow, pytest.mark.timeout(240)]

JOBS = 10
DOWN_S = 6.0


def _refused_quickly(call) -> httpx.Response:
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < 10, "the API hung while the store was down"
    return response


def test_postgres_restart_is_503_then_recovers(tmp_path, monkeypatch, start_worker, clip,
                                               redis_url):
    from vidclip.jobs.store import JobStore

    clear_vidclip_env(monkeypatch)
    pg = PrivatePostgres().init()
    pg.start()
    settings = build_settings(tmp_path, redis_url, port=free_port(), database_url=pg.url,
                              lease_s=3, retry_backoff_s=0.5)
    api = ApiProcess(settings, tmp_path / "api.log")
    worker = start_worker(settings)
    store = JobStore(settings.database_url)
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            ids = submit_many(http, clip, JOBS)
            assert wait_count(store, ids, "succeeded", 2, timeout=90) >= 2, worker.log()[-3000:]
            pg.stop("fast")
            down_since = time.monotonic()
            answers = [_refused_quickly(lambda: http.get(f"/v1/jobs/{ids[-1]}")),
                       _refused_quickly(lambda: http.get("/v1/jobs")),
                       _refused_quickly(lambda: upload(http, clip))]
            for answer in answers:
                assert answer.status_code == 503, answer.text
                assert answer.json()["error"]["code"] == "store_unavailable"
                assert answer.headers["Retry-After"].isdigit()
            ready = _refused_quickly(lambda: http.get("/readyz"))
            assert ready.status_code == 503 and "store" in ready.json()["error"]["message"]
            time.sleep(max(0.0, DOWN_S - (time.monotonic() - down_since)))
            pg.start()
            # The API recovers by itself: same process, same pool.
            assert http.get(f"/v1/jobs/{ids[0]}").status_code == 200
            final = wait_final(store, ids, timeout=150)
        assert_all_succeeded(store, final, worker.log())
        assert_each_succeeded_once(store, ids)
        assert store.list(limit=100).__len__() == JOBS  # the refused upload made no job
    finally:
        store.close()
        api.stop()
        worker.stop()
        pg.remove()
