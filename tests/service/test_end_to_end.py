"""End to end over real HTTP: the API (uvicorn), a real Celery worker process
with the tiny model, real Redis, and the job store on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from PIL import Image

from tests.service.conftest import (API_KEY, LiveServer, WorkerProcess, build_settings,
                                    wait_for)
from vidclip.jobs.webhook import SIGNATURE_HEADER, verify_signature

pytestmark = [pytest.mark.service, pytest.mark.slow]

SECRET = "end-to-end-webhook-secret"
FINAL = ("succeeded", "failed", "cancelled")


class Hooks(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802
        self.received.append((dict(self.headers),
                              self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Service:
    def __init__(self, http: httpx.Client, settings, worker: WorkerProcess, hook_url: str):
        self.http, self.settings, self.worker, self.hook_url = http, settings, worker, hook_url

    def job(self, job_id: str) -> dict:
        return self.http.get(f"/v1/jobs/{job_id}").json()

    def wait(self, job_id: str, until=lambda j: j["status"] in FINAL, timeout=90.0) -> dict:
        job = wait_for(lambda: self.job(job_id), until, timeout)
        assert until(job), f"job stuck at {job}\n--- worker log ---\n{self.worker.log()[-3000:]}"
        return job

    def upload(self, path, **fields) -> dict:
        with open(path, "rb") as fh:
            r = self.http.post("/v1/jobs", files={"file": (path.name, fh, "video/mp4")},
                               data=fields)
        assert r.status_code == 202, r.text
        return r.json()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(request, tmp_path_factory, redis_url):
    from api.app import create_app
    from tests.service.conftest import clear_vidclip_env

    base = tmp_path_factory.mktemp(f"e2e-{request.param}")
    db = (f"sqlite:///{base / 'jobs.db'}" if request.param == "sqlite"
          else request.getfixturevalue("pg_url"))
    Hooks.received = []
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    with pytest.MonkeyPatch.context() as mp:
        clear_vidclip_env(mp)
        settings = build_settings(base, redis_url, database_url=db, allow_private_urls=True,
                                  webhook_secret=SECRET)
        worker = WorkerProcess(settings, base / "worker.log")
        try:
            with LiveServer(create_app(settings)) as server, httpx.Client(
                    base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
                yield Service(http, settings, worker,
                              f"http://127.0.0.1:{hooks.server_address[1]}/hook")
        finally:
            worker.stop()
            hooks.shutdown()
            if request.param == "postgresql":
                from vidclip.jobs.store import JobStore
                from vidclip.jobs.tables import Base

                store = JobStore(db)
                Base.metadata.drop_all(store.engine)
                store.close()


def test_upload_to_captions(service, clip):
    job = service.upload(clip, tag="e2e", webhook_url=service.hook_url, formats="json,vtt,csv")
    done = service.wait(job["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"]["overall"] == 1.0 and done["attempts"] == 1
    links = done["links"]
    result = service.http.get(links["result"]).json()
    assert result["video"]["source"] == clip.name and len(result["scenes"]) == 2
    assert result["captions"]["summary"]
    vtt = service.http.get(links["scenes_vtt"])
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT") and "-->" in vtt.text
    assert "-->" in service.http.get(links["scenes_srt"]).text
    # Speech is off here: no caption track, and no scene descriptions under its name.
    missing = service.http.get(links["captions_vtt"])
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_transcript"
    rows = list(csv.DictReader(io.StringIO(service.http.get(links["tags_csv"]).text)))
    assert {r["label"] for r in rows} <= {"cat", "dog", "car"} and rows
    # accessibility outputs, whatever formats the job asked for
    described = service.http.get(links["descriptions_vtt"]).text
    assert described.startswith("WEBVTT") and "Kind: descriptions" in described
    text = service.http.get(links["transcript_txt"]).text
    # One entry per change of picture: the clip's two shots may share their tags.
    assert result["captions"]["summary"] in text and "[0:00 - 0:0" in text
    assert "not reviewed by a person" in text and "NOTE" in described
    page = service.http.get(links["transcript_html"])
    assert page.headers["content-type"].startswith("text/html") and "<html" in page.text
    # one JPEG per scene, made while analysing
    for scene in range(len(result["scenes"])):
        picture = service.http.get(links["thumbnail"].format(scene=scene))
        assert picture.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(picture.content)).format == "JPEG"
    missing = service.http.get(links["thumbnail"].format(scene=len(result["scenes"])))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    # the formats asked for were written beside the stored result
    outdir = service.settings.results_dir / job["id"]
    # (and the moments' vectors, which the archive index is built from)
    assert sorted(p.name for p in outdir.iterdir()) == ["result.json", "result.moments.npz",
                                                        "result.scenes.vtt", "result.tags.csv",
                                                        "result.thumbnails"]
    hook = wait_for(lambda: [h for h in Hooks.received if job["id"].encode() in h[1]], bool, 30)
    assert hook, "webhook not delivered"
    headers, body = hook[0]
    assert verify_signature(SECRET, headers[SIGNATURE_HEADER], body)
    assert b'"status":"succeeded"' in body


def test_bad_video_fails_the_job_and_the_worker_carries_on(service, clip, tmp_path):
    broken = tmp_path / "broken.mp4"  # an MP4 header (passes the sniff) and nothing after
    broken.write_bytes(clip.read_bytes()[:600])
    failed = service.wait(service.upload(broken)["id"])
    assert failed["status"] == "failed", failed
    from vidclip.decode import probe
    from vidclip.errors import InputError

    with pytest.raises(InputError) as core:  # what the core itself says of this file
        probe(broken)
    assert failed["error"]["code"] == core.value.code
    reason = core.value.message.split(": ", 1)[-1]
    assert failed["error"]["message"] == f"broken.mp4: {reason}"  # no server path in it
    after = service.wait(service.upload(clip)["id"])
    assert after["status"] == "succeeded"


def test_url_job_downloads_then_analyses(service, clip):
    class Files(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            data = clip.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    files = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{files.server_address[1]}/archive/clip.mp4"
        r = service.http.post("/v1/jobs", json={"url": url})
        assert r.status_code == 202, r.text
        done = service.wait(r.json()["id"])
    finally:
        files.shutdown()
    assert done["status"] == "succeeded", done
    assert done["progress"]["stages"]["ingest"] == 1.0


def test_info_names_each_queues_workers_and_their_model(service):
    def info():
        return service.http.get("/v1/info").json()

    seen = wait_for(info, lambda i: i["queues"]["analyze"]["workers"] >= 1, 60)
    analyze, caption = seen["queues"]["analyze"], seen["queues"]["caption"]
    assert [m["name"] for m in analyze["models"]] == ["tiny-test"]
    assert analyze["models"][0]["kind"] == "custom" and not analyze["models"][0].get(
        "fallback_reason")
    assert caption["workers"] >= 1 and caption["caption_backends"] == ["template"]
    assert service.http.get("/v1/info", headers={"X-API-Key": "wrong"}).status_code == 401
