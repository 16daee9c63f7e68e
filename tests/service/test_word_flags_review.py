"""Flags from what was said and written reach the moderation queue like the picture's:
in the queue's JSON with their source, evidence and rule, and on the review page as
text (markup in a transcript is never run)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.spoken import analysis, said, transcript, visual_moderation, written
from vidclip.jobs.status import JobStatus
from vidclip.moderate import parse_policy
from vidclip.text_moderation.apply import moderate_words
from vidclip.text_moderation.moderator import WordModerator

pytestmark = pytest.mark.service

POLICY = parse_policy({"name": "default", "categories": [
    {"name": "weapons", "threshold": 0.6, "prompts": ["a gun"]},
    {"name": "threats", "threshold": 0.9, "lexicon": ["i will kill you"]}]})
SAID = "Stop. I'll kill you"


@pytest.fixture
def client(make_settings, clip):
    from api.app import create_app

    settings = make_settings(dev_mode=True, api_keys=[], keys=[])
    (settings.media_root / "a.mp4").write_bytes(clip.read_bytes())
    with TestClient(create_app(settings)) as client:
        yield client


def test_speech_and_text_flags_enter_the_queue_with_their_evidence(client):
    result = moderate_words(WordModerator(POLICY), analysis(
        moderation=visual_moderation([("weapons", 0.2, 0.6)]),
        speech=transcript(said(SAID, 2.0)), on_screen=[written("I WILL KILL YOU", 12, 14)],
        source="a.mp4"))
    job = client.post("/v1/jobs", json={"path": "a.mp4"}).json()
    store = client.app.state.store
    store.finish(job["id"], JobStatus.SUCCEEDED, worker=None, result_json=result.model_dump_json())
    item_id = store.reviews.open_for_job(job["id"], job["tenant"], result.moderation,
                                         result.scenes)
    assert item_id is not None
    [item] = client.get("/v1/reviews").json()["items"]
    threats = next(c for c in item["categories"] if c["category"] == "threats")
    assert threats["flagged"] and [(s["source"], s["rule"], s["evidence"])
                                   for s in threats["segments"]] == [
        ("speech", "lexicon", "I'll kill you"), ("text", "lexicon", "I WILL KILL YOU")]
    page = client.get(f"/ui/reviews/{item_id}")
    assert page.status_code == 200
    assert "· said</button>" in page.text and "· on screen</button>" in page.text
    assert '<q class="evidence" title="lexicon match">I&#39;ll kill you</q>' in page.text


def test_markup_in_the_evidence_is_shown_as_text(client):
    markup = 'I will <b onmouseover="alert(1)">kill</b> you'
    result = moderate_words(WordModerator(POLICY), analysis(
        on_screen=[written(markup, 1.0, 3.0)], source="a.mp4"))
    job = client.post("/v1/jobs", json={"path": "a.mp4"}).json()
    store = client.app.state.store
    store.finish(job["id"], JobStatus.SUCCEEDED, worker=None, result_json=result.model_dump_json())
    item_id = store.reviews.open_for_job(job["id"], job["tenant"], result.moderation,
                                         result.scenes)
    page = client.get(f"/ui/reviews/{item_id}").text
    assert markup not in page and 'onmouseover="alert' not in page
    assert "I will &lt;b onmouseover=&#34;alert(1)&#34;&gt;kill&lt;/b&gt; you" in page
