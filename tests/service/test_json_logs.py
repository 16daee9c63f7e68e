"""JSON logs of a real API process and a real worker: every line is one JSON
object; every line a job causes (its tasks, its download, its webhook, the
core's lines while it runs) carries its job id and stage; and no line holds
an API key, the webhook secret or a signed URL's signature, at debug level."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.service.conftest import (
    API_KEY,
    build_settings,
    clear_vidclip_env,
    free_port,
    wait_for,
    wait_until_ready,
)
from tests.service.jobrun import HookServer, wait_final
from tests.service.servers import ApiProcess

pytestmark = [pytest.mark.service, pytest.mark.slow]

SIGNATURE = "Sig-0123456789abcdefSECRET"
WEBHOOK_SECRET = "webhook-secret-0123456789abcdef"


def _json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


def test_json_lines_carry_job_and_stage_and_no_secret(tmp_path, monkeypatch, clip,
                                                      start_worker, redis_url):
    from vidclip.jobs.store import JobStore

    clear_vidclip_env(monkeypatch)
    data = clip.read_bytes()

    class Media(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    media = ThreadingHTTPServer(("127.0.0.1", 0), Media)
    threading.Thread(target=media.serve_forever, daemon=True).start()
    signed = (f"http://127.0.0.1:{media.server_address[1]}/clip.mp4?X-Amz-Expires=600"
              f"&X-Amz-Signature={SIGNATURE}")
    hook = HookServer()
    settings = build_settings(tmp_path, redis_url, port=free_port(), allow_private_urls=True,
                              webhook_secret=WEBHOOK_SECRET, log_format="json")
    api = ApiProcess(settings, tmp_path / "api.log", "-vv")
    worker = start_worker(settings, "--loglevel", "debug")
    store = JobStore(settings.database_url)
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            r = http.post("/v1/jobs", json={"url": signed, "webhook_url": hook.url})
            assert r.status_code == 202, r.text
            job_id = r.json()["id"]
            assert wait_final(store, [job_id], 120)[job_id] == "succeeded", worker.log()[-3000:]
            http.get(f"/v1/jobs/{job_id}")
        assert wait_for(hook.jobs, lambda got: job_id in got, timeout=30)  # webhook lines too
    finally:
        store.close()
        api.stop()
        worker.stop()
        media.shutdown()
        hook.close()
    worker_text, api_text = worker.log(), api.log()
    for secret in (SIGNATURE, WEBHOOK_SECRET, API_KEY):
        assert secret not in worker_text and secret not in api_text, secret

    lines = _json_lines(worker_text)
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    ours = [line for line in lines if line.get("job_id") == job_id]
    stages = {line["stage"] for line in ours}
    assert {"analyze", "caption", "webhook"} <= stages or {"ingest", "caption"} <= stages, stages
    assert all(line["stage"] for line in ours), [line for line in ours if not line["stage"]]
    # Every line about this job, or from the download and webhook calls it made,
    # is labelled with it (one job ran: nothing else could have caused them).
    caused = [line for line in lines
              if job_id in line["message"] or line["logger"].startswith(("httpx", "httpcore"))]
    assert caused and all(line.get("job_id") == job_id for line in caused), \
        [line for line in caused if line.get("job_id") != job_id][:5]
    assert any("[redacted]" in line["message"] for line in caused)  # the signed URL, redacted
    api_lines = _json_lines(api_text)
    assert any('"GET /v1/jobs/' in line["message"] for line in api_lines)  # the access log
