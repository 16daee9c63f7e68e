"""What the API refuses: no key, non-video content, oversize uploads, private
URLs, paths outside the media root, hostile filenames -- and that a refused
upload leaves nothing behind."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY, REPO

pytestmark = pytest.mark.service

KEY = {"X-API-Key": API_KEY}
BOUNDARY = "vidclip-test-boundary"


@pytest.fixture
def api(make_settings):
    from api.app import create_app

    def open_client(**overrides):
        settings = make_settings(**overrides)
        return TestClient(create_app(settings)), settings

    return open_client


def _files_under(path):
    return {p for p in path.rglob("*") if p.is_file()}


def multipart(data: bytes, filename: str = "clip.mp4", **fields: str) -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: video/mp4\r\n\r\n'.encode() + data
                 + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def test_missing_or_wrong_key_is_401(api):
    client, _ = api()
    with client:
        for headers in ({}, {"X-API-Key": "not-the-key-at-all"}):
            r = client.get("/v1/jobs", headers=headers)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
            assert r.headers["www-authenticate"] == "ApiKey"
        assert client.get("/v1/jobs", headers=KEY).status_code == 200
        assert client.get("/healthz").status_code == 200  # probes need no key


def test_dev_mode_needs_no_key(api):
    client, _ = api(api_keys=[], dev_mode=True)
    with client:
        assert client.get("/v1/jobs").status_code == 200


def test_unsafe_settings_refuse_to_start(make_settings):
    from api.app import create_app
    from vidclip.jobs.settings import UnsafeSettingsError

    with pytest.raises(UnsafeSettingsError):
        create_app(make_settings(api_keys=[]))


def test_non_video_upload_is_415_and_leaves_nothing(api, tmp_path):
    client, settings = api()
    before = _files_under(tmp_path)
    with client:
        r = client.post("/v1/jobs", headers=KEY,
                        files={"file": ("notes.mp4", b"just some text\n" * 50, "video/mp4")})
    assert r.status_code == 415, r.text
    assert r.json()["error"]["code"] == "unsupported_media"
    assert "looks like text" in r.json()["error"]["message"]
    assert _files_under(settings.media_dir) == set()
    assert {p for p in _files_under(tmp_path) - before if "media" in p.parts} == set()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversize_upload_is_413(api, clip, chunked):
    client, settings = api(upload_max_bytes=20_000)
    body = multipart(clip.read_bytes() + b"\x00" * 2_000_000)
    headers = {**KEY, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    content = (body[i:i + 65536] for i in range(0, len(body), 65536)) if chunked else body
    with client:
        r = client.post("/v1/jobs", headers=headers, content=content)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    assert _files_under(settings.media_dir) == set()


def test_hostile_filename_stays_a_label(api, clip, tmp_path):
    client, settings = api()
    before = _files_under(tmp_path)
    with client:
        r = client.post("/v1/jobs", headers=KEY,
                        files={"file": ("../../etc/passwd.mp4", clip.read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["source"] == {"kind": "upload", "name": "passwd.mp4"}
    written = _files_under(tmp_path) - before
    stored = [p for p in written if p.suffix == ".mp4"]
    assert stored == [settings.media_dir / job["id"] / "source.mp4"]
    assert all(p.is_relative_to(settings.data_dir) for p in written)
    assert not list(tmp_path.rglob("passwd*"))


@pytest.mark.parametrize("body, code", [
    ({"url": "http://127.0.0.1:8000/clip.mp4"}, "url_not_allowed"),
    ({"url": "http://[::1]/clip.mp4"}, "url_not_allowed"),
    ({"url": "file:///etc/passwd"}, "url_not_allowed"),
    ({"path": "../../etc/passwd"}, "path_not_allowed"),
    ({"path": "/etc/passwd"}, "path_not_allowed"),
    ({"path": "clip.mp4", "webhook_url": "http://10.0.0.8/hook"}, "url_not_allowed"),
    ({"path": "clip.mp4", "options": {"model": {"name": "ViT-L-14"}}}, "invalid_request"),
    ({"path": "clip.mp4", "options": {"tags": {"vocabulary": "/etc/hosts"}}},
     "invalid_request"),
], ids=["loopback-url", "ipv6-loopback-url", "file-url", "path-escape", "absolute-path",
        "private-webhook", "model-per-job", "vocabulary-path"])
def test_refused_sources_and_options_are_422(api, clip, body, code):
    client, settings = api()
    (settings.media_root / "clip.mp4").write_bytes(clip.read_bytes())
    with client:
        r = client.post("/v1/jobs", headers=KEY, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code
    assert client.app.state.store.list() == []


def test_private_urls_when_allowed(api):
    client, _ = api(allow_private_urls=True)
    with client:
        r = client.post("/v1/jobs", headers=KEY, json={"url": "http://127.0.0.1:9/clip.mp4"})
    assert r.status_code == 202 and r.json()["source"]["kind"] == "url"


def assert_no_model_code(script: str) -> None:
    """Run ``script`` in a fresh interpreter, then check it loaded no model code."""
    code = (script + "\nimport sys\n"
            "bad = [m for m in ('torch', 'open_clip', 'decord', 'av', 'vidclip.pipeline', "
            "'vidclip.encode', 'vidclip.decode', 'vidclip.segment') if m in sys.modules]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_api_imports_no_model_code():
    assert_no_model_code(
        "import api.app, api.routers.results\n"
        "from vidclip.jobs.settings import Settings\n"
        "api.app.create_app(Settings(dev_mode=True, data_dir='/tmp/vidclip-import-check'))")
