"""A review's final decision reaches the job's webhook: a real job through a real
worker enters the queue, reviewers close it over HTTP, and the worker posts
``review.closed`` (signed) to a local receiver."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.service.conftest import API_KEY, LiveServer, wait_for
from tests.service.test_webhook import SECRET, Receiver, receiver  # noqa: F401
from vidclip.jobs.apikeys import settings_key_name
from vidclip.jobs.webhook import EVENT_HEADER, SIGNATURE_HEADER, verify_signature

pytestmark = [pytest.mark.service, pytest.mark.slow]


@pytest.mark.timeout(300)
def test_closing_a_review_tells_the_jobs_webhook(make_settings, start_worker, clip,
                                                 receiver):  # noqa: F811
    from api.app import create_app

    settings = make_settings(allow_private_urls=True, webhook_secret=SECRET)
    (settings.media_root / "a.mp4").write_bytes(clip.read_bytes())
    start_worker(settings)
    with LiveServer(create_app(settings)) as server, httpx.Client(
            base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
        # Thresholds so low that the clip is flagged whatever the tiny model sees.
        low = {c: 0.0001 for c in ("sexual_content", "violence", "weapons", "drugs",
                                   "self_harm", "hate_symbols")}
        assert http.post("/v1/moderation/policies/default/versions", json={
            "base_version": 1, "thresholds": low}).status_code == 201
        job = http.post("/v1/jobs", json={
            "path": "a.mp4", "webhook_url": receiver,
            "options": {"moderation": {"enabled": True}}}).json()
        done = wait_for(lambda: http.get(f"/v1/jobs/{job['id']}").json(),
                        lambda j: j["status"] in ("succeeded", "failed"), timeout=180)
        assert done["status"] == "succeeded", done
        items = http.get("/v1/reviews").json()["items"]
        assert [i["job_id"] for i in items] == [job["id"]]
        item = items[0]
        flagged = [c["category"] for c in item["categories"] if c["flagged"]]
        for n, category in enumerate(flagged):
            action = "confirm" if n == 0 else "dismiss"
            r = http.post(f"/v1/reviews/{item['id']}/events",
                          json={"action": action, "category": category})
            assert r.status_code == 201, r.text
        assert r.json()["review"]["state"] == "closed"

        def review_posts():
            return [(h, b) for h, b in Receiver.received
                    if h.get(EVENT_HEADER) == "review.closed"]

        posts = wait_for(review_posts, bool, timeout=60)
    assert posts, "no review.closed delivery"
    headers, body = posts[0]
    assert verify_signature(SECRET, headers[SIGNATURE_HEADER], body)
    sent = json.loads(body)
    assert sent["event"] == "review.closed" and sent["job"]["id"] == job["id"]
    decisions = {c["category"]: c["decision"] for c in sent["review"]["categories"]
                 if c["flagged"]}
    assert decisions[flagged[0]] == "confirmed"
    assert all(decisions[c] == "dismissed" for c in flagged[1:])
    assert {e["actor"] for e in sent["review"]["events"]} == {settings_key_name(API_KEY)}
    assert sent["review"]["state"] == "closed" and sent["review"]["closed_by_event"] == len(
        flagged)
