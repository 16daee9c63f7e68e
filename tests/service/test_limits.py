"""Per-key submission limits, shared through Redis: two API apps (as two API
processes would) draw on one budget per key; over the rate is 429 with
Retry-After, over the queued cap too, and places come back when a job
starts (a real worker) or is cancelled."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY, wait_for
from vidclip.jobs.principal import Role

pytestmark = pytest.mark.service


def _apps(settings, n: int = 2) -> list[TestClient]:
    from api.app import create_app

    return [TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) for _ in range(n)]


def _refused(r, code: str) -> None:
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == code
    assert int(r.headers["Retry-After"]) >= 1


def test_rate_limit_is_shared_by_api_processes_and_per_key(make_settings, clip):
    settings = make_settings(submit_rate_per_minute=3)
    (settings.media_root / "clip.mp4").write_bytes(clip.read_bytes())
    first, second = _apps(settings)
    with first, second:
        other = {"X-API-Key": first.app.state.store.keys.create("other", Role.SUBMITTER,
                                                                "default")[1]}
        for n in range(3):
            client = (first, second)[n % 2]
            assert client.post("/v1/jobs", json={"path": "clip.mp4"}).status_code == 202
        _refused(second.post("/v1/jobs", json={"path": "clip.mp4"}), "rate_limited")
        _refused(first.post("/v1/jobs", files={"file": ("a.mp4", clip.read_bytes())}),
                 "rate_limited")
        # A batch counts each job; another key has its own budget.
        _refused(first.post("/v1/jobs/batch", json={"jobs": [{"path": "clip.mp4"}] * 4},
                            headers=other), "rate_limited")
        r = first.post("/v1/jobs/batch", json={"jobs": [{"path": "clip.mp4"}] * 3},
                       headers=other)
        assert r.status_code == 202, r.text
        assert len(first.app.state.store.list()) == 6  # refused submissions made no job


@pytest.mark.slow
def test_queued_cap_frees_places_as_jobs_start_or_are_cancelled(make_settings, clip,
                                                                  start_worker):
    settings = make_settings(max_queued_per_key=2)
    (settings.media_root / "clip.mp4").write_bytes(clip.read_bytes())
    first, second = _apps(settings)
    with first, second:
        a = first.post("/v1/jobs", json={"path": "clip.mp4"}).json()["id"]
        second.post("/v1/jobs", json={"path": "clip.mp4"})
        _refused(second.post("/v1/jobs", json={"path": "clip.mp4"}), "too_many_queued")
        _refused(first.post("/v1/jobs", files={"file": ("a.mp4", clip.read_bytes())}),
                 "too_many_queued")
        assert first.delete(f"/v1/jobs/{a}").json()["status"] == "cancelled"
        assert first.post("/v1/jobs", json={"path": "clip.mp4"}).status_code == 202
        _refused(first.post("/v1/jobs", json={"path": "clip.mp4"}), "too_many_queued")
        # A worker takes the queued jobs: their places come back.
        start_worker(settings)
        store = first.app.state.store
        done = wait_for(lambda: [j.status for j in store.list()],
                        lambda s: s.count("succeeded") == 2, timeout=120)
        assert done.count("succeeded") == 2, done
        for _ in range(2):
            assert second.post("/v1/jobs", json={"path": "clip.mp4"}).status_code == 202
