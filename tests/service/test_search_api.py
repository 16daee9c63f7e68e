"""/v1/search over real HTTP: the API, one real worker on every queue (the index's one
writer and the query worker among them) with the tiny model, real Redis."""

from __future__ import annotations

import io
import os
import uuid

import httpx
import pytest
from PIL import Image

from tests.service.conftest import API_KEY, LiveServer, WorkerProcess, build_settings, wait_for
from tests.service.jobrun import upload, wait_final

pytestmark = [pytest.mark.service]

OTHER_KEY = f"globex-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def service(tmp_path_factory, redis_url, clip):
    from api.app import create_app

    base = tmp_path_factory.mktemp("search-service")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("VIDCLIP_") and name != "VIDCLIP_CACHE_DIR":
                mp.delenv(name)
        settings = build_settings(base, redis_url, keys=[
            {"name": "globex", "role": "admin", "tenant": "globex", "key": OTHER_KEY}],
            search_timeout_s=30.0)
        worker = WorkerProcess(settings, base / "worker.log", "-Q", "analyze,caption,index,query")
        try:
            with LiveServer(create_app(settings)) as server, httpx.Client(
                    base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=60) as http:
                job_id = upload(http, clip).json()["id"]
                final = wait_final(_store(settings), [job_id], timeout=90)
                assert final[job_id] == "succeeded", worker.log()[-3000:]
                found = wait_for(lambda: http.get("/v1/search", params={"q": "a dog"}),
                                 lambda r: r.status_code == 200 and r.json()["hits"], 60, 0.2)
                assert found.status_code == 200 and found.json()["hits"], (
                    found.text, worker.log()[-3000:])
                yield http, server, settings, job_id, worker
        finally:
            worker.stop()


def _store(settings):
    from vidclip.jobs.store import JobStore

    return JobStore(settings.database_url)


def test_a_text_search_returns_moments_with_time_ranges_and_links(service, clip):
    http, _, _, job_id, _ = service
    r = http.get("/v1/search", params={"q": "a dog", "top": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"] == "a dog" and 1 <= len(body["hits"]) <= 5
    hit = body["hits"][0]
    assert hit["job_id"] == job_id and hit["source"] == clip.name and hit["kind"] == "scene"
    assert 0 <= hit["start_s"] < hit["end_s"] <= 2.01 and 0 <= hit["score"] <= 1
    assert {t["label"] for t in hit["tags"]} <= {"cat", "dog", "car"}
    picture = http.get(hit["links"]["thumbnail"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert hit["links"]["page"].startswith(f"/ui/jobs/{job_id}?t=")


def test_an_image_search_finds_the_moments_too(service):
    http = service[0]
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 200)).save(buffer, "PNG")
    r = http.post("/v1/search", files={"image": ("q.png", buffer.getvalue(), "image/png")},
                  data={"top": "3"})
    assert r.status_code == 200, r.text
    assert r.json()["query"] is None and 1 <= len(r.json()["hits"]) <= 3


def test_another_tenant_finds_nothing_of_ours(service):
    http = service[0]
    other = http.get("/v1/search", params={"q": "a dog"}, headers={"X-API-Key": OTHER_KEY})
    assert other.status_code == 200 and other.json()["hits"] == []


@pytest.mark.parametrize("params, code, message", [
    ({"q": "   "}, "bad_query", "empty"),
    ({"q": "x" * 10_000}, "bad_query", "10,000 characters"),
], ids=["empty", "10k-chars"])
def test_bad_text_queries_are_refused_before_any_worker(service, params, code, message):
    r = service[0].get("/v1/search", params=params)
    assert r.status_code == 422 and r.json()["error"]["code"] == code
    assert message in r.json()["error"]["message"]


def test_an_upload_that_is_not_an_image_is_refused(service):
    r = service[0].post("/v1/search", files={"image": ("q.png", b"%PDF-1.4 nope", "image/png")})
    assert r.status_code == 422 and "not an image" in r.json()["error"]["message"]


def _with_words(settings, job_id: str, *segments, on_screen=()) -> None:
    """Give a finished job's stored result a transcript (and on-screen text), as a
    recogniser would have, and ask the index's writer to index the job again."""
    from sqlalchemy import update

    from api.queue import JobQueue
    from tests.spoken import transcript
    from vidclip.jobs.tables import Job
    from vidclip.schema import VideoAnalysis

    store = _store(settings)
    result = VideoAnalysis.model_validate_json(store.get(job_id).result_json)
    spoken = result.model_copy(update={"transcript": transcript(*segments),
                                       "on_screen_text": list(on_screen)})
    with store._tx() as session:
        session.execute(update(Job).where(Job.id == job_id).values(
            result_json=spoken.model_dump_json()))
    queue = JobQueue(settings)
    try:
        queue.index(job_id)
    finally:
        queue.close()


def test_what_was_said_and_written_is_found_in_every_mode(service):
    from tests.spoken import said, written

    http, _, settings, job_id, worker = service
    _with_words(settings, job_id, said("Meet the harbour master <b>at noon</b>.", 0.4),
                on_screen=[written("NO PARKING", 1.0, 1.8)])
    found = wait_for(lambda: http.get("/v1/search", params={"q": "harbour master",
                                                            "mode": "text"}),
                     lambda r: r.status_code == 200 and r.json()["hits"], 60, 0.2)
    assert found.status_code == 200 and found.json()["hits"], worker.log()[-3000:]
    body = found.json()
    assert body["mode"] == "text"
    [hit] = body["hits"]
    assert (hit["job_id"], hit["found"], hit["kind"], hit["start_s"]) == (
        job_id, "speech", "speech", 0.4)
    assert hit["snippet"] == "Meet the harbour master <b>at noon</b>."
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["harbour master"]
    assert hit["links"]["page"] == f"/ui/jobs/{job_id}?t=0.4"
    hybrid = http.get("/v1/search", params={"q": "no parking"}).json()
    assert hybrid["mode"] == "hybrid" and hybrid["hits"][0]["found"] == "text"
    assert "text" in hybrid["hits"][0]["found_by"] and hybrid["hits"][0]["fused"] > 0
    visual = http.get("/v1/search", params={"q": "no parking", "mode": "visual"}).json()
    assert all(h["found"] == "visual" and h["snippet"] is None for h in visual["hits"])
    other = http.get("/v1/search", params={"q": "harbour master", "mode": "text"},
                     headers={"X-API-Key": OTHER_KEY})
    assert other.status_code == 200 and other.json()["hits"] == []


@pytest.mark.parametrize("params, message", [
    ({"q": "?!...", "mode": "text"}, "no words"),
    ({"q": "a dog", "mode": "audio"}, "mode"),
], ids=["no-words", "unknown-mode"])
def test_bad_modes_and_wordless_text_queries_are_refused(service, params, message):
    r = service[0].get("/v1/search", params=params)
    assert r.status_code == 422 and message in r.json()["error"]["message"]


def test_a_purged_job_leaves_the_search_and_the_index(service, clip):
    http, _, settings, _, worker = service
    job_id = upload(http, clip).json()["id"]
    assert wait_final(_store(settings), [job_id], timeout=90)[job_id] == "succeeded"
    mine = wait_for(lambda: http.get("/v1/search", params={"q": "a dog", "top": 20}).json(),
                    lambda b: any(h["job_id"] == job_id for h in b["hits"]), 60, 0.2)
    assert any(h["job_id"] == job_id for h in mine["hits"]), worker.log()[-2000:]
    assert http.delete(f"/v1/jobs/{job_id}", params={"purge": "true"}).status_code == 200
    # At once from the API (the job has no result any more), then from the index itself.
    hits = http.get("/v1/search", params={"q": "a dog", "top": 20}).json()["hits"]
    assert all(h["job_id"] != job_id for h in hits)
    from vidclip.index.archive import MomentIndex

    def indexed() -> set[str]:
        with MomentIndex.only(settings.index_dir) as index:
            return set(index.catalog.video_keys())

    assert job_id not in wait_for(indexed, lambda keys: job_id not in keys, 30, 0.2)
