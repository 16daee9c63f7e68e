"""``vidclip up``: the single-machine path of the README, as a user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.service.conftest import REPO, build_settings, free_port, wait_for, wait_until_ready

pytestmark = [pytest.mark.service, pytest.mark.slow]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose (its parent exited without reaping).
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(")")[-1].split()[0] != "Z"


def test_up_serves_a_job_and_stops_its_worker_on_sigterm(tmp_path, redis_url, clip):
    settings = build_settings(tmp_path, redis_url, port=free_port(), api_keys=[])
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDCLIP_")}
    env.update(settings.to_env(), HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO),
               VIDCLIP_CACHE_DIR=os.environ.get("VIDCLIP_CACHE_DIR", ""))
    log = open(tmp_path / "up.log", "wb")
    up = subprocess.Popen([sys.executable, "-m", "vidclip._cli.main", "up", "--dev"], cwd=REPO,
                          env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=30) as http:
            assert wait_until_ready(http) == 200, \
                (tmp_path / "up.log").read_text()[-2000:]
            with open(clip, "rb") as fh:  # no API key: --dev
                job = http.post("/v1/jobs", files={"file": (clip.name, fh, "video/mp4")},
                                data={"formats": "json,vtt"}).json()
            done = wait_for(lambda: http.get(f"/v1/jobs/{job['id']}").json(),
                            lambda j: j["status"] in ("succeeded", "failed"), timeout=120)
            assert done["status"] == "succeeded", (tmp_path / "up.log").read_text()[-3000:]
            assert http.get(f"/v1/jobs/{job['id']}/scenes.vtt").text.startswith("WEBVTT")
        workers = _children(up.pid)
        assert workers, "up started no worker process"
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=60) != -signal.SIGKILL
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in workers), "the worker outlived vidclip up"
    finally:
        if up.poll() is None:
            up.kill()
        log.close()
