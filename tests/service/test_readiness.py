"""/readyz and /v1/info say what the live workers' speech and text backends
resolved to, and /readyz fails when one says its configured backend cannot
load: records in the real Redis, written by the worker runtime itself and by a
real worker process."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY, FAST_OPTIONS, wait_for

pytestmark = pytest.mark.service

KEY = {"X-API-Key": API_KEY}


def _options(**parts):
    return {**FAST_OPTIONS, **parts}


def _runtime(settings):
    from workers.runtime import Runtime

    rt = Runtime(settings)
    rt.queues = ["analyze"]
    return rt


@pytest.fixture
def empty_model_dir(tmp_path):
    """A whisper model directory without its model.bin: loading it fails at once,
    with no download tried."""
    folder = tmp_path / "faster-whisper-missing"
    folder.mkdir()
    return folder


def test_no_workers_is_said_and_is_not_a_failure(make_settings):
    from api.app import create_app

    with TestClient(create_app(make_settings()), headers=KEY) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["workers"].startswith("none live")
    assert "speech" not in ready.json()["checks"]


def test_a_worker_whose_named_speech_backend_cannot_load_makes_readyz_503(
        make_settings, empty_model_dir):
    from api.app import create_app

    speech = {"backend": "whisper", "model": str(empty_model_dir)}
    settings = make_settings(default_options=_options(speech=speech))
    rt = _runtime(settings)
    rt.check_backends()
    assert rt._speech.choice is None and rt._speech.state.error
    rt.announce()
    try:
        with TestClient(create_app(settings), headers=KEY) as client:
            ready = wait_for(lambda: client.get("/readyz"), lambda r: r.status_code == 503, 10)
            info = client.get("/v1/info").json()
    finally:
        rt.withdraw()
    body = ready.json()["error"]
    assert body["code"] == "not_ready" and "speech" in body["message"]
    assert body["detail"]["workers"] == "1 live"
    assert body["detail"]["speech"].startswith(rt.worker_id().rsplit(":", 1)[0])
    assert "cannot load:" in body["detail"]["speech"]
    assert body["detail"]["text"] == "off"  # the text reader is fine: only speech fails
    (state,) = info["queues"]["analyze"]["speech"]
    assert state["configured"] == "whisper" and state["backend"] is None
    assert "model.bin" in state["error"] or "Unable" in state["error"]


def test_auto_resolves_once_at_start_is_ready_and_serves_the_jobs(make_settings, tmp_path):
    """``auto`` without whisper weights falls back to the bundled pocketsphinx: ready,
    the fallback said, and the jobs' pipelines reuse the recogniser loaded at start."""
    pytest.importorskip("pocketsphinx")
    from api.app import create_app
    from vidclip.jobs.options import server_defaults
    from vidclip.jobs.presence import Presence

    settings = make_settings(default_options=_options(speech={"backend": "auto"}),
                             cache_dir=tmp_path / "cache")
    rt = _runtime(settings)
    rt.check_backends()
    state = rt._speech.state
    if state.backend == "whisper":
        pytest.skip("faster-whisper weights are on this machine: auto picks them")
    assert state.backend == "pocketsphinx" and state.error is None
    assert "faster-whisper" in state.fallback_reason
    rt.announce()
    try:
        presence = Presence(settings.broker_url, settings.queue_prefix)
        (record,) = wait_for(presence.workers, lambda rs: len(rs) == 1, 10)
        presence.close()
        with TestClient(create_app(settings), headers=KEY) as client:
            ready = client.get("/readyz")
    finally:
        rt.withdraw()
    assert record.speech == state and record.text is not None and record.text.backend == "off"
    assert ready.status_code == 200, ready.text
    said = ready.json()["checks"]["speech"]
    assert said.startswith("pocketsphinx (") and "[auto]: no faster-whisper weights" in said
    # A job with the default options hears with the recogniser loaded at start; one
    # that asks for other speech options chooses its own.
    config = server_defaults(settings)
    assert rt._loaded(rt._speech, config.speech) is rt._speech.choice
    other = config.speech.model_copy(update={"language": "de"})
    assert rt._loaded(rt._speech, other) is None


def test_a_real_worker_announces_a_text_reader_that_cannot_load(make_settings, start_worker):
    """A worker process whose jobs default to a named reader that cannot load:
    /readyz turns 503 once the worker is up, and says which worker and why."""
    from api.app import create_app

    text = {"backend": "openai", "options": {"base_url": "not a url", "model": ""}}
    settings = make_settings(default_options=_options(text=text))
    worker = start_worker(settings, "-Q", "analyze")
    try:
        with TestClient(create_app(settings), headers=KEY) as client:
            ready = wait_for(lambda: client.get("/readyz"), lambda r: r.status_code == 503, 90)
    except AssertionError:
        pytest.fail("worker never announced itself; its log:\n" + worker.log()[-3000:])
    detail = ready.json()["error"]["detail"]
    assert detail["text"].split(": ", 1)[1].startswith("cannot load:"), detail
    assert detail["speech"] == "off"
