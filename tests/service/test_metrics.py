"""Prometheus metrics, scraped as Prometheus would: the API's /metrics
(requests by route template, jobs from the store, queues from Redis), a
multi-process API summing its processes, and a worker serving all its pool
processes on one port, through a pool process's death."""

from __future__ import annotations

import os
import signal

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.service.conftest import (
    API_KEY,
    build_settings,
    clear_vidclip_env,
    free_port,
    wait_for,
    wait_until_ready,
)
from tests.service.jobrun import upload, wait_final
from tests.service.servers import ApiProcess

pytestmark = pytest.mark.service


def scrape(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample by name and labels."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_api_metrics(make_settings, clip):
    from api.app import create_app

    settings = make_settings()
    (settings.media_root / "clip.mp4").write_bytes(clip.read_bytes())
    with TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) as client:
        before = scrape(client.get("/metrics").text)
        ids = [client.post("/v1/jobs", json={"path": "clip.mp4"}).json()["id"] for _ in range(3)]
        client.delete(f"/v1/jobs/{ids[0]}")
        client.get(f"/v1/jobs/{ids[1]}")
        client.get("/v1/jobs", headers={"X-API-Key": "wrong-key-0123456789"})
        client.get("/no/such/page")
        client.app.state.metrics._at = 0.0  # no cached counts
        r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    after = scrape(r.text)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("vidclip_http_requests_total", method="POST", route="/v1/jobs",
                 status="202") == 3
    assert delta("vidclip_http_requests_total", method="GET", route="/v1/jobs/{job_id}",
                 status="200") == 1
    assert delta("vidclip_http_requests_total", method="GET", route="/v1/jobs",
                 status="401") == 1
    assert delta("vidclip_http_requests_total", method="GET", route="unmatched",
                 status="404") == 1
    assert delta("vidclip_http_request_duration_seconds_count", method="POST",
                 route="/v1/jobs") == 3
    assert not any(i in r.text for i in ids), "job ids must never become labels"
    assert value(after, "vidclip_jobs_submitted_total") == 3
    assert value(after, "vidclip_jobs_finished_total", status="cancelled", error_code="") == 1
    assert value(after, "vidclip_jobs", status="queued") == 2
    assert value(after, "vidclip_oldest_queued_job_age_seconds") > 0
    # The cancelled job's analyze task is still in the queue (workers drop it).
    assert value(after, "vidclip_queue_depth", queue="analyze") == 3
    assert value(after, "vidclip_dependency_up", dependency="store") == 1
    assert value(after, "vidclip_dependency_up", dependency="broker") == 1


@pytest.mark.slow
def test_api_processes_are_summed(tmp_path, monkeypatch, redis_url):
    clear_vidclip_env(monkeypatch)
    settings = build_settings(tmp_path, redis_url, port=free_port(),
                              metrics_dir=tmp_path / "metrics")
    api = ApiProcess(settings, tmp_path / "api.log", serve_args=("--workers", "2"))
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            for _ in range(40):  # fresh connections: uvicorn's processes share them out
                httpx.get(f"{api.url}/healthz")
            samples = scrape(http.get("/metrics").text)
        assert value(samples, "vidclip_http_requests_total", method="GET", route="/healthz",
                     status="200") == 40
        pids = {p.name.rsplit("_", 1)[-1] for p in (tmp_path / "metrics").glob("counter_*.db")}
        assert len(pids) == 2, pids  # both processes counted some
    finally:
        api.stop()


@pytest.mark.slow
def test_worker_metrics_survive_a_pool_process(tmp_path, monkeypatch, redis_url, clip,
                                               start_worker):
    from api.app import create_app

    clear_vidclip_env(monkeypatch)
    port = free_port()
    settings = build_settings(tmp_path, redis_url, worker_metrics_port=port, lease_s=60)
    worker = start_worker(settings)
    url = f"http://127.0.0.1:{port}/metrics"

    def worker_samples():
        try:
            return scrape(httpx.get(url, timeout=5).text)
        except httpx.HTTPError:
            return None

    with TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) as client:
        store = client.app.state.store
        first = upload(client, clip).json()["id"]
        assert wait_final(store, [first], 120)[first] == "succeeded", worker.log()[-3000:]
        one = wait_for(worker_samples, lambda s: s is not None and value(
            s, "vidclip_task_duration_seconds_count", task="caption", outcome="done") == 1)
        assert one is not None, worker.log()[-3000:]
        assert value(one, "vidclip_frames_decoded_total") >= 50
        assert value(one, "vidclip_images_encoded_total") >= 2
        assert value(one, "vidclip_encode_seconds_total") > 0
        for stage in ("decode", "encode", "segment", "tag", "caption"):
            assert value(one, "vidclip_stage_duration_seconds_count", stage=stage) == 1, stage
        assert value(one, "vidclip_model_load_duration_seconds_count", model="tiny-test") >= 1

        # The pool process dies (OOM kill) holding a job: its replacement takes the job
        # over, and the totals of both processes are summed on the same port.
        second = upload(client, clip, options='{"sampling": {"strategy": "all"}}').json()["id"]
        holder = wait_for(lambda: store.get(second).worker, lambda w: w is not None,
                          every=0.02)
        assert holder, "the second job finished before it could be killed"
        os.kill(int(holder.split(":")[1]), signal.SIGKILL)
        assert wait_final(store, [second], 120)[second] == "succeeded", worker.log()[-3000:]
        two = wait_for(worker_samples, lambda s: s is not None and value(
            s, "vidclip_task_duration_seconds_count", task="caption", outcome="done") == 2)
    assert value(two, "vidclip_frames_decoded_total") > value(one, "vidclip_frames_decoded_total")
    assert value(two, "vidclip_lease_takeovers_total") == 1
    assert value(two, "vidclip_stage_duration_seconds_count", stage="decode") == 2
