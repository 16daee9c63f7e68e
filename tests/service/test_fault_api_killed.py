"""Fault: the API process is killed (SIGKILL) while clients stream uploads to
it. No partial upload ever becomes a job, and the partial files it leaves
are removed by the API once it runs again (uploads nothing has written to
for VIDCLIP_UPLOAD_STALE_S, that no job owns)."""

from __future__ import annotations

import threading
import time

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
from tests.service.jobrun import upload
from tests.service.servers import ApiProcess

pytestmark = [pytest.mark.service, pytest.mark.slow, pytest.mark.timeout(120)]

UPLOADS = 4
BOUNDARY = "vidclip-test-boundary"


def _slow_body(clip_bytes: bytes, stop: threading.Event):
    """A multipart body that starts with a real video and then trickles on."""
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"big.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode() + clip_bytes
    for _ in range(2000):
        if stop.is_set():
            return
        yield b"\0" * 65536
        time.sleep(0.02)


def _stream(url: str, clip_bytes: bytes, stop: threading.Event, outcomes: list) -> None:
    headers = {"X-API-Key": API_KEY,
               "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    try:
        r = httpx.post(f"{url}/v1/jobs", content=_slow_body(clip_bytes, stop), headers=headers,
                       timeout=60)
        outcomes.append(r.status_code)
    except httpx.HTTPError as exc:
        outcomes.append(type(exc).__name__)


def test_api_killed_mid_upload_leaves_no_job_and_no_file(tmp_path, monkeypatch, clip,
                                                         redis_url):
    from vidclip.jobs.store import JobStore

    clear_vidclip_env(monkeypatch)
    settings = build_settings(tmp_path, redis_url, port=free_port(), upload_stale_s=1.0)
    media = settings.media_dir
    api = ApiProcess(settings, tmp_path / "api.log")
    stop, outcomes = threading.Event(), []
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
        clients = [threading.Thread(target=_stream, args=(api.url, clip.read_bytes(), stop,
                                                          outcomes)) for _ in range(UPLOADS)]
        for client in clients:
            client.start()
        # Wait until every upload is on disk and growing, then kill the API.
        parts = wait_for(lambda: sorted(media.glob("*/source.part")),
                         lambda found: len(found) == UPLOADS, timeout=30)
        assert len(parts) == UPLOADS, api.log()[-2000:]
        time.sleep(0.5)
        api.kill()
        stop.set()
        for client in clients:
            client.join(timeout=30)
        assert len(outcomes) == UPLOADS and all(isinstance(o, str) for o in outcomes), outcomes
        assert all(p.exists() for p in parts)  # what a killed process leaves behind

        api = ApiProcess(settings, tmp_path / "api-again.log")
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            left = wait_for(lambda: sorted(media.iterdir()), lambda found: not found, timeout=20)
            assert not left, left
            assert http.get("/v1/jobs").json()["items"] == []
            # and uploads work as before
            r = upload(http, clip)
            assert r.status_code == 202, r.text
            time.sleep(2.5)  # a finished upload is a job's: never swept
            assert (media / r.json()["id"]).is_dir()
        store = JobStore(settings.database_url)
        assert len(store.list()) == 1
        store.close()
    finally:
        stop.set()
        api.stop()
