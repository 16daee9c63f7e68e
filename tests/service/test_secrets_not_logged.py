"""No secret in any log line: ``vidclip keys`` and ``vidclip serve`` run as an
operator runs them, at debug level, and everything they print is searched
for every key and the webhook secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from tests.service.conftest import API_KEY, REPO, build_settings, free_port, wait_until_ready

pytestmark = [pytest.mark.service, pytest.mark.slow]

NAMED_KEY = "named-settings-key-0123456789"
WEBHOOK_SECRET = "webhook-secret-0123456789abcdef"


def _env(settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDCLIP_")}
    env.update(settings.to_env(), PYTHONPATH=str(REPO))
    return env


def _vidclip(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vidclip._cli.main", "-vv", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60, check=False)


def test_keys_and_requests_leave_no_secret_in_the_logs(tmp_path, redis_url):
    settings = build_settings(
        tmp_path, redis_url, port=free_port(), webhook_secret=WEBHOOK_SECRET,
        keys=[{"name": "ci", "role": "submitter", "tenant": "acme", "key": NAMED_KEY}])
    env = _env(settings)
    made = _vidclip(env, "keys", "create", "--name", "bot", "--role", "submitter",
                    "--tenant", "acme")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("vck_") and made.stdout.count(token) == 1
    assert token not in made.stderr and "shown only now" in made.stderr
    listed = _vidclip(env, "keys", "list")
    assert "bot" in listed.stdout and "ci" in listed.stdout
    logs = made.stderr + listed.stdout + listed.stderr
    wrong = token[:-6] + "abcdef"

    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        serve = subprocess.Popen([sys.executable, "-m", "vidclip._cli.main", "-vv", "serve"],
                                 cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=30) as http:
                assert wait_until_ready(http) == 200, \
                    log_path.read_text()[-2000:]
                for key in (token, API_KEY, NAMED_KEY):
                    assert http.get("/v1/jobs", headers={"X-API-Key": key}).status_code == 200
                assert http.get("/v1/jobs", headers={"X-API-Key": wrong}).status_code == 401
                refused = http.post("/v1/jobs", headers={"X-API-Key": token},
                                    json={"url": "http://127.0.0.1/x.mp4"})
                assert refused.status_code == 422
                created = http.post("/v1/keys", headers={"X-API-Key": API_KEY},
                                    json={"name": "made-by-api", "role": "reviewer"})
                assert created.status_code == 201
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=30)
    logs += log_path.read_text()
    # What was searched: the access log, and debug lines (-vv).
    assert "GET /v1/jobs HTTP/1.1\" 200" in logs and "DEBUG " in logs
    for secret in (token, wrong, API_KEY, NAMED_KEY, created.json()["key"], WEBHOOK_SECRET):
        assert secret not in logs
