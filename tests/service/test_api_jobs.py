"""The /v1/jobs routes without a worker: submission, idempotency, batches,
listing, cancelling queued jobs, results before they exist, health probes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY, free_port

pytestmark = pytest.mark.service

KEY = {"X-API-Key": API_KEY}


@pytest.fixture
def client(make_settings, clip):
    from api.app import create_app

    settings = make_settings()
    for name in ("a.mp4", "b.mp4"):
        (settings.media_root / name).write_bytes(clip.read_bytes())
    with TestClient(create_app(settings), headers=KEY) as client:
        yield client


def test_path_job_is_queued_with_links(client):
    r = client.post("/v1/jobs", json={"path": "a.mp4", "tag": "t1", "formats": ["json", "vtt"],
                                      "options": {"sampling": {"fps": 2}}})
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == f"/v1/jobs/{job['id']}" == job["links"]["self"]
    assert job["status"] == "queued" and job["tag"] == "t1" and job["formats"] == ["json", "vtt"]
    stored = client.app.state.store.get(job["id"]).options["analysis"]
    assert stored["sampling"]["fps"] == 2 and stored["tags"]["labels"] == ["cat", "dog", "car"]
    assert client.get(f"/v1/jobs/{job['id']}").json()["id"] == job["id"]


def test_idempotency_key_replays_and_refuses_a_different_body(client, clip):
    first = client.post("/v1/jobs", json={"path": "a.mp4"}, headers={"Idempotency-Key": "k-1"})
    again = client.post("/v1/jobs", json={"path": "a.mp4"}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 202 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post("/v1/jobs", json={"path": "b.mp4"}, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    upload = {"file": ("c.mp4", clip.read_bytes(), "video/mp4")}
    u1 = client.post("/v1/jobs", files=upload, headers={"Idempotency-Key": "k-2"})
    u2 = client.post("/v1/jobs", files=upload, headers={"Idempotency-Key": "k-2"})
    assert (u1.status_code, u2.status_code) == (202, 200) and u1.json()["id"] == u2.json()["id"]
    assert len(client.get("/v1/jobs").json()["items"]) == 2


def test_batch_is_all_or_nothing(client):
    bad = client.post("/v1/jobs/batch", json={"jobs": [{"path": "a.mp4"}, {"path": "zz.mp4"}]})
    assert bad.status_code == 422 and bad.json()["error"]["detail"] == {"index": 1}
    assert client.get("/v1/jobs").json()["items"] == []
    ok = client.post("/v1/jobs/batch", json={"jobs": [{"path": "a.mp4", "tag": "b"},
                                                      {"path": "b.mp4", "tag": "b"}]})
    assert ok.status_code == 202 and len(ok.json()["jobs"]) == 2


def test_list_filters_and_cursor(client):
    ids = [client.post("/v1/jobs", json={"path": "a.mp4", "tag": f"t{i % 2}"}).json()["id"]
           for i in range(5)]
    assert client.delete(f"/v1/jobs/{ids[0]}").status_code == 200
    cancelled = client.get("/v1/jobs", params={"status": "cancelled"}).json()["items"]
    assert [j["id"] for j in cancelled] == [ids[0]]
    assert len(client.get("/v1/jobs", params={"tag": "t1"}).json()["items"]) == 2
    page = client.get("/v1/jobs", params={"limit": 3}).json()
    rest = client.get("/v1/jobs", params={"limit": 3, "cursor": page["next_cursor"]}).json()
    assert [j["id"] for j in page["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None
    assert client.get("/v1/jobs", params={"since": "2999-01-01T00:00:00Z"}).json()["items"] == []
    assert client.get("/v1/jobs", params={"cursor": "nonsense"}).status_code == 422


def test_cancel_queued_then_purge(client):
    job = client.post("/v1/jobs", json={"path": "a.mp4"}).json()
    r = client.delete(f"/v1/jobs/{job['id']}")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    again = client.delete(f"/v1/jobs/{job['id']}")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_finished"
    assert client.delete(f"/v1/jobs/{job['id']}", params={"purge": "true"}).status_code == 200
    kinds = [e.kind for e in client.app.state.store.events(job["id"])]
    assert kinds == ["queued", "cancelled", "purged"]
    # the files of the path job were the operator's: never deleted
    assert (client.app.state.settings.media_root / "a.mp4").is_file()


def test_results_wait_for_success_and_unknown_ids_are_404(client):
    job = client.post("/v1/jobs", json={"path": "a.mp4"}).json()
    for suffix in ("result", "captions.vtt", "captions.srt", "tags.csv"):
        r = client.get(f"/v1/jobs/{job['id']}/{suffix}")
        assert r.status_code == 409 and r.json()["error"]["code"] == "not_ready"
    missing = "0" * 32
    assert client.get(f"/v1/jobs/{missing}").json()["error"]["code"] == "not_found"
    # Not a job id at all: no route matches it (GET /v1/jobs/batch is a 405, not this).
    assert client.get("/v1/jobs/not-an-id").json()["error"]["code"] == "not_found"
    assert client.get("/v1/jobs/batch").status_code == 405


def test_probes_and_openapi(client):
    assert client.get("/readyz").json() == {
        "status": "ok", "checks": {"store": "ok", "broker": "ok",
                                   "workers": "none live: jobs wait in the queue until a "
                                   "worker starts"}}
    spec = client.get("/openapi.json").json()
    assert "examples" in spec["components"]["schemas"]["JobCreate"]
    post = spec["paths"]["/v1/jobs"]["post"]
    assert {"multipart/form-data", "application/json"} <= set(post["requestBody"]["content"])
    assert post["responses"]["413"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorBody")


def test_broker_down_is_503_and_the_job_says_so(make_settings, clip):
    from api.app import create_app

    settings = make_settings(broker_url=f"redis://127.0.0.1:{free_port()}/0")
    (settings.media_root / "a.mp4").write_bytes(clip.read_bytes())
    with TestClient(create_app(settings), headers=KEY) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"]["detail"]["broker"] != "ok"
        r = client.post("/v1/jobs", json={"path": "a.mp4"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "broker_unavailable"
        job = client.get(f"/v1/jobs/{r.json()['error']['detail']['job_id']}").json()
        assert job["status"] == "failed" and job["error"]["code"] == "broker_unavailable"
