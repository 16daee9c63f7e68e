"""Security checks at scale: path traversal through ``{"path": ...}`` and every
file name a client controls; URL sources and webhooks redirected to loopback,
private and link-local addresses, and names that resolve there (in a private
network namespace where a "public" server exists); webhook signatures a
receiver verifies as docs/service.md says, replays refused; and one tenant's key
fuzzed over every route that takes a job id finds none of another tenant's
jobs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.conftest import API_KEY, REPO
from vidclip.jobs.principal import Role

pytestmark = pytest.mark.service

KEY = {"X-API-Key": API_KEY}

TRAVERSALS = [
    "../../etc/passwd", "/etc/passwd", "..", "../", "./../../etc/passwd", "sub/../../x.mp4",
    "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd", "..\\..\\windows\\win.ini",
    "clip.mp4\x00.txt", "\x00", "/proc/self/environ", "/dev/zero", "~/clip.mp4",
    "sub", "link-out.mp4", "loop.mp4", "fifo.mp4", "a" * 300, "a" * 5000, "\u2025/etc/passwd",
    "..\u2215..\u2215etc\u2215passwd", "/root/../etc/passwd", "file:///etc/passwd",
    " ../../etc/passwd", "clip.mp4/..", "",
]


@pytest.fixture
def client(make_settings, clip, tmp_path):
    from api.app import create_app

    settings = make_settings()
    root = settings.media_root
    (root / "clip.mp4").write_bytes(clip.read_bytes())
    (root / "sub").mkdir()
    (tmp_path / "outside.mp4").write_bytes(clip.read_bytes())
    (root / "link-out.mp4").symlink_to(tmp_path / "outside.mp4")
    (root / "loop.mp4").symlink_to(root / "loop.mp4")
    os.mkfifo(root / "fifo.mp4")
    with TestClient(create_app(settings), headers=KEY) as c:
        yield c


@pytest.mark.parametrize("path", TRAVERSALS, ids=lambda p: repr(p)[:40])
def test_path_traversal_is_refused_never_a_500(client, path, tmp_path):
    before = {p for p in tmp_path.rglob("*")}
    r = client.post("/v1/jobs", json={"path": path})
    # Refused by the schema (empty, over 4000 characters) or by the media root check.
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] in ("path_not_allowed", "invalid_request"), r.text
    assert client.app.state.store.list() == []
    assert {p for p in tmp_path.rglob("*")} - before == set()


def test_the_media_root_itself_is_fine(client):
    assert client.post("/v1/jobs", json={"path": "clip.mp4"}).status_code == 202
    assert client.post("/v1/jobs", json={"path": "sub/../clip.mp4"}).status_code == 202


FILENAMES = ["../../../tmp/evil.mp4", "/etc/cron.d/x.mp4", "..", ".", "a/b/c.mp4",
             "..\\..\\evil.mp4", "clip\x00.sh", "\u202egnp.mp4", "CON", "a" * 600,
             "<script>alert(1)</script>.mp4", "%2e%2e%2fevil.mp4", ""]


@pytest.mark.parametrize("name", FILENAMES, ids=lambda n: repr(n)[:30])
def test_upload_file_names_never_reach_the_disk(client, clip, name, tmp_path):
    before = {p for p in tmp_path.rglob("*")}
    r = client.post("/v1/jobs", files={"file": (name, clip.read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    job = r.json()
    written = {p for p in tmp_path.rglob("*")} - before
    settings = client.app.state.settings
    folder = settings.media_dir / job["id"]
    assert {p for p in written if p.is_file()} == {folder / "source.mp4"}, written
    shown = job["source"].get("name")
    assert shown is None or ("/" not in shown and "\\" not in shown and "\x00" not in shown
                             and len(shown) <= 255), shown


def test_key_names_in_paths_are_checked(client):
    for name in ("../../etc", "..", "a%2f..%2fb", "x" * 300):
        r = client.delete(f"/v1/keys/{name}")
        assert r.status_code in (404, 422) and "error" in r.json(), (name, r.text)


# -- URLs: a private network namespace where a public server exists -----------------
def _unshare_works() -> str | None:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare or ip is not installed"
    done = subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True,
                          text=True, check=False)
    return None if done.returncode == 0 else f"cannot make namespaces: {done.stderr.strip()}"


@pytest.mark.slow
def test_redirects_and_names_to_private_addresses_are_never_followed(tmp_path, clip):
    reason = _unshare_works()
    if reason:
        pytest.skip(reason)
    from tests.service.netns_probe import HOSTS, PUBLIC, TRAPS

    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n" + "".join(f"{ip} {name}\n"
                                                         for name, ip in HOSTS.items()))
    addresses = " && ".join(f"ip addr add {ip}/32 dev lo" for ip in [PUBLIC, *TRAPS.values()])
    script = (f"ip link set lo up && {addresses} && mount --bind {hosts} /etc/hosts && "
              f"exec {sys.executable} -m tests.service.netns_probe {clip}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDCLIP_")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(["unshare", "--net", "--mount", "--propagation", "private", "sh",
                           "-c", script], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    fetched = report["fetch"]
    assert fetched.pop("/clip.mp4").startswith("ok "), report  # a public source works
    for path, outcome in fetched.items():
        assert outcome.startswith("url_not_allowed:"), (path, outcome)
    assert report["check"]["media.example.com"] == "allowed"
    for name in ("evil.example.com", "intranet.example.com", "metadata.example.com"):
        assert "loopback, private or link-local" in report["check"][name], report["check"]
    assert report["webhook"].startswith("webhook_refused:"), report["webhook"]
    assert report["trap_hits"] == [], report  # no request ever reached a private address


# -- webhook signatures, verified the documented way ----------------------------------
def _documented_verifier():
    """The receiver code docs/service.md shows, run as written."""
    text = (REPO / "docs" / "service.md").read_text()
    code = re.search(r"```python\n(# verify a vidclip webhook.*?)```", text, re.S)
    assert code, "docs/service.md: the webhook verification example is missing"
    scope: dict = {}
    exec(code.group(1), scope)
    return scope["verify"]


def test_webhook_signatures_carry_a_timestamp_and_replays_fail():
    from vidclip.jobs.webhook import payload, sign

    verify = _documented_verifier()
    secret = "a-webhook-secret-of-some-length"
    body = payload({"id": "abc", "status": "succeeded"})
    now = int(time.time())
    header = sign(secret, body, timestamp=now)
    assert verify(secret, header, body)
    assert not verify(secret, header, body + b" ")  # tampered
    assert not verify("another-secret-entirely!", header, body)
    old = sign(secret, body, timestamp=now - 3600)  # captured an hour ago, replayed now
    assert not verify(secret, old, body)
    assert not verify(secret, header.replace(f"t={now}", f"t={now + 1}"), body)


# -- tenants: one key fuzzed over every route that takes a job id ----------------------
@pytest.fixture
def two_tenants(make_settings, clip):
    from api.app import create_app

    settings = make_settings()
    (settings.media_root / "clip.mp4").write_bytes(clip.read_bytes())
    with TestClient(create_app(settings)) as c:
        keys = c.app.state.store.keys
        acme = {"X-API-Key": keys.create("acme-admin", Role.ADMIN, "acme")[1]}
        globex = {"X-API-Key": keys.create("globex-admin", Role.ADMIN, "globex")[1]}
        theirs = [c.post("/v1/jobs", json={"path": "clip.mp4", "tag": f"g{n}"},
                         headers=globex).json()["id"] for n in range(3)]
        ours = c.post("/v1/jobs", json={"path": "clip.mp4"}, headers=acme).json()["id"]
        yield c, acme, theirs, ours


def _job_routes(app) -> list[tuple[str, str]]:
    return sorted((method.upper(), path) for path, item in app.openapi()["paths"].items()
                  if "{job_id}" in path for method in item)


def test_no_route_that_takes_a_job_id_shows_another_tenants_job(two_tenants):
    client, acme, theirs, ours = two_tenants
    routes = _job_routes(client.app)
    assert len(routes) >= 10, routes

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(route=st.sampled_from(routes), job_id=st.sampled_from(theirs),
           purge=st.sampled_from([None, "true", "false"]), accept=st.sampled_from(
               ["*/*", "application/json", "text/html"]))
    def probe(route, job_id, purge, accept):
        method, path = route
        params = {"purge": purge} if purge and method == "DELETE" else None
        url = re.sub(r"\{(?!job_id)[^}]+\}", "0", path.replace("{job_id}", job_id))
        r = client.request(method, url, params=params, headers={**acme, "Accept": accept})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (route, r.text)

    probe()
    # Lists, filters and pages of acme's key hold acme's job alone.
    for query in ({}, {"status": "queued"}, {"tag": "g0"}, {"limit": 500},
                  {"since": "2000-01-01T00:00:00Z"}):
        items = client.get("/v1/jobs", params=query, headers=acme).json()["items"]
        assert {j["id"] for j in items} <= {ours}, (query, items)
    # and nothing was cancelled or purged by the probing
    assert all(client.app.state.store.get(j).status == "queued" for j in theirs)
