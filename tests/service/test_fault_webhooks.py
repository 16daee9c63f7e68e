"""Fault: webhook receivers that hang, answer 500, or redirect to a private
address. Hanging and failing ones are retried a bounded number of times
with backoff and then given up (an event says so); a redirect is never
followed (the private target sees nothing) and not retried; and none of it
holds up the worker: jobs submitted alongside finish meanwhile."""

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
    event_counts,
    submit_many,
    upload,
    wait_final,
)
from tests.service.servers import ApiProcess

pytestmark = [pytest.mark.service, pytest.mark.slow, pytest.mark.timeout(180)]

RETRIES = 2
TIMEOUT_S = 1.0


def test_bad_receivers_are_bounded_and_never_followed(tmp_path, monkeypatch, start_worker, clip,
                                                      redis_url):
    from vidclip.jobs.store import JobStore

    clear_vidclip_env(monkeypatch)
    trap = HookServer("ok")  # the private address a redirect points at
    receivers = {"hang": HookServer("hang"), "fail": HookServer("fail"),
                 "redirect": HookServer(trap.url)}
    # The receivers are on 127.0.0.1, so private addresses are allowed here; the
    # redirect's target is refused by never following redirects at all.
    settings = build_settings(tmp_path, redis_url, port=free_port(), allow_private_urls=True,
                              webhook_timeout_s=TIMEOUT_S, webhook_max_retries=RETRIES)
    api = ApiProcess(settings, tmp_path / "api.log")
    worker = start_worker(settings)
    store = JobStore(settings.database_url)
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            hooked = {name: upload(http, clip, webhook_url=hook.url).json()["id"]
                      for name, hook in receivers.items()}
            plain = submit_many(http, clip, 3)
            started = time.monotonic()
            final = wait_final(store, [*hooked.values(), *plain], timeout=90)
        assert_all_succeeded(store, final, worker.log())
        plain_done = time.monotonic() - started

        def given_up() -> bool:
            return all(event_counts(store, job_id)["webhook_failed"] == 1
                       for job_id in hooked.values())

        deadline = time.monotonic() + 60
        while not given_up() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert given_up(), {n: event_counts(store, j) for n, j in hooked.items()}
        attempts = {name: len(hook.received) for name, hook in receivers.items()}
        assert attempts == {"hang": 1 + RETRIES, "fail": 1 + RETRIES, "redirect": 1}, attempts
        assert trap.received == []
        for job_id in hooked.values():
            assert event_counts(store, job_id)["webhook_delivered"] == 0
        # The worker was never held: the plain jobs did not wait for the retries.
        last_attempt = max(r["at"] for r in receivers["hang"].received)
        assert started + plain_done < last_attempt + TIMEOUT_S, (plain_done, last_attempt)
        print(f"webhook attempts {attempts}; all jobs done in {plain_done:.1f} s")
    finally:
        store.close()
        api.stop()
        worker.stop()
        for hook in (*receivers.values(), trap):
            hook.close()
