"""VIDCLIP_WORKER_SHARED_BATCH=N: one worker process takes N jobs at once with one
model (a thread each, frames merged into shared model calls), over real Redis and
PostgreSQL; each job ends as it would alone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY, wait_for

pytestmark = [pytest.mark.service, pytest.mark.slow]

FINAL = ("succeeded", "failed", "cancelled")


def test_one_process_runs_several_jobs_sharing_its_model(make_settings, start_worker, clip,
                                                          pg_url, tmp_path):
    from api.app import create_app

    settings = make_settings(database_url=pg_url, worker_shared_batch=3)
    worker = start_worker(settings, "--queues", "analyze,caption")
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(clip.read_bytes()[:1500])  # an MP4 cut short: fails in the worker
    with TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) as client:
        ids = []
        for path in (clip, clip, bad, clip):
            with open(path, "rb") as fh:
                r = client.post("/v1/jobs", files={"file": (path.name, fh, "video/mp4")},
                                data={"formats": "json"})
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        jobs = [wait_for(lambda i=i: client.get(f"/v1/jobs/{i}").json(),
                         lambda j: j["status"] in FINAL, timeout=180, every=0.5) for i in ids]
        log = worker.log()
        assert [j["status"] for j in jobs] == ["succeeded", "succeeded", "failed", "succeeded"], \
            f"{jobs}\n{log[-3000:]}"
        results = [client.get(f"/v1/jobs/{i}/result").json() for i, j in zip(ids, jobs)
                   if j["status"] == "succeeded"]
    assert "3 jobs at once in one process" in log
    assert log.count("model tiny-test loaded") == 1  # one model for every job
    scenes = [[(s["start_frame"], s["end_frame"]) for s in r["scenes"]] for r in results]
    tags = [[t["label"] for t in r["tags"]] for r in results]
    assert scenes[0] == scenes[1] == scenes[2] and tags[0] == tags[1] == tags[2]
