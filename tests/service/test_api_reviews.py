"""The review app's JSON routes through the real API: the video with Range,
text revisions (and the tracks that follow them), the moderation queue and
its log, the calibration report and policy versions; tenants walled off."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.results import MARKUP_EVIDENCE
from vidclip.jobs.principal import Role
from vidclip.jobs.status import JobStatus
from vidclip.schema import (
    Captions,
    ModelInfo,
    Moderation,
    ModerationCategory,
    ModerationSegment,
    SamplingInfo,
    Scene,
    Timings,
    VideoAnalysis,
    VideoInfo,
)

pytestmark = pytest.mark.service


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]

    @property
    def store(self):
        return self.client.app.state.store

    def call(self, who: str, method: str, url: str, **kw):
        return self.client.request(method, url, headers={"X-API-Key": self.tokens[who]}, **kw)


@pytest.fixture
def api(make_settings, clip):
    from api.app import create_app

    settings = make_settings()
    (settings.media_root / "a.mp4").write_bytes(clip.read_bytes())
    with TestClient(create_app(settings)) as client:
        keys = client.app.state.store.keys
        tokens = {name: keys.create(name, role, tenant)[1] for name, role, tenant in (
            ("sam", Role.SUBMITTER, "acme"), ("rui", Role.REVIEWER, "acme"),
            ("ana", Role.ADMIN, "acme"), ("olga", Role.ADMIN, "globex"))}
        yield Api(client, tokens)


def analysis(**scores: float) -> VideoAnalysis:
    cats = [ModerationCategory(category=c, score=s, threshold=0.6, flagged=s >= 0.6,
                               segments=[ModerationSegment(start_s=0.5, end_s=1.5, score=s)])
            for c, s in scores.items()]
    return VideoAnalysis(
        vidclip_version="0",
        video=VideoInfo(source="a.mp4", duration_s=10.0, fps=25, width=160, height=96,
                        frame_count=250, codec="h264", decoder="decord"),
        model=ModelInfo(name="tiny-test", embedding_dim=64, device="cpu", kind="custom"),
        sampling=SamplingInfo(strategy="fps", fps=1.0, frames=2),
        scenes=[Scene(index=0, start_s=0.0, end_s=5.0, start_frame=0, end_frame=125,
                      caption="A cat."),
                Scene(index=1, start_s=5.0, end_s=10.0, start_frame=125, end_frame=250,
                      caption="A dog.", description="A dog runs.")],
        tags=[], moderation=Moderation(flagged=any(c.flagged for c in cats), categories=cats,
                                       policy_version="1"),
        captions=Captions(summary="A cat and a dog.", backend="template"), timings=Timings())


def finished(api: Api, result: VideoAnalysis | None = None, who: str = "sam") -> dict:
    job = api.call(who, "POST", "/v1/jobs", json={"path": "a.mp4"}).json()
    result = result or analysis()
    api.store.finish(job["id"], JobStatus.SUCCEEDED, worker=None,
                     result_json=result.model_dump_json())
    api.store.reviews.open_for_job(job["id"], job["tenant"], result.moderation, result.scenes)
    return job


def test_the_video_is_served_with_range_requests(api, clip):
    job = api.call("sam", "POST", "/v1/jobs", json={"path": "a.mp4"}).json()
    whole = api.call("sam", "GET", f"/v1/jobs/{job['id']}/media")
    assert whole.status_code == 200 and whole.content == clip.read_bytes()
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == (
        "video/mp4")
    part = api.client.get(f"/v1/jobs/{job['id']}/media", headers={
        "X-API-Key": api.tokens["sam"], "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == clip.read_bytes()[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{clip.stat().st_size}"
    assert api.call("olga", "GET", f"/v1/jobs/{job['id']}/media").status_code == 404


def test_an_edit_is_a_revision_and_the_tracks_use_it(api):
    job = finished(api)
    url = f"/v1/jobs/{job['id']}/revisions"
    vtt_url = f"/v1/jobs/{job['id']}/scenes.vtt"
    assert "not reviewed by a person" in api.call("sam", "GET", vtt_url).text
    edit = {"field": "caption", "scene": 1, "base": 0, "text": "A brown dog <b>runs</b> & jumps."}
    saved = api.call("rui", "POST", url, json=edit)
    assert saved.status_code == 201, saved.text
    assert saved.json()["author"] == "rui" and saved.json()["before"] == "A dog."
    assert "never run as markup" in saved.json()["note"]
    vtt = api.call("sam", "GET", vtt_url).text
    assert "A brown dog &lt;b&gt;runs&lt;/b&gt; &amp; jumps." in vtt.replace("\n", " ")
    srt = api.call("sam", "GET", f"/v1/jobs/{job['id']}/scenes.srt").text
    assert "A brown dog <b>runs</b>" in srt.replace("\n", " ")
    result = api.call("sam", "GET", f"/v1/jobs/{job['id']}/result").json()
    assert result["scenes"][1]["caption_review"]["reviewed_by"] == "rui"
    assert result["scenes"][0]["caption_review"] is None  # not reviewed: as written
    # A review without change, then an edit from a stale base.
    kept = api.call("rui", "POST", url, json={"field": "caption", "scene": 0, "base": 0})
    assert kept.status_code == 201 and not kept.json()["changed"]
    # Every caption reviewed by a person: the track no longer says a machine wrote it.
    assert "not reviewed by a person" not in api.call("sam", "GET", vtt_url).text
    stale = api.call("ana", "POST", url, json={**edit, "text": "A dog."})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "edit_conflict"
    assert stale.json()["error"]["detail"]["current"]["after"].startswith("A brown dog")
    listed = api.call("sam", "GET", url).json()["items"]
    assert [(r["field"], r["scene"], r["seq"], r["author"]) for r in listed] == [
        ("caption", 1, 1, "rui"), ("caption", 0, 1, "rui")]


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("x" * 10_000, "10,000 characters long"), ("a\x07b", "control")])
def test_bad_edits_get_a_clear_message(api, text, message):
    job = finished(api)
    r = api.call("rui", "POST", f"/v1/jobs/{job['id']}/revisions",
                 json={"field": "caption", "scene": 0, "base": 0, "text": text})
    assert r.status_code == 422 and message in r.json()["error"]["message"]


def test_a_cue_edit_keeps_its_lines_warns_and_is_refused_where_no_cue_is(api):
    from tests.results import heard_and_read

    job = finished(api, heard_and_read("a.mp4"))
    url = f"/v1/jobs/{job['id']}/revisions"
    text = "Welcome aboard, all of you, to the old harbour of Kingsport.\r\nMind the gap."
    saved = api.call("rui", "POST", url, json={"field": "cue", "scene": 0, "base": 0,
                                                "text": text})
    assert saved.status_code == 201, saved.text
    body = saved.json()
    assert body["after"] == text.replace("\r\n", "\n")  # as typed: not rewrapped
    assert body["before"] == "Welcome to the harbour." and body["field"] == "cue"
    assert body["warnings"] == ["line 1 is 60 characters long; the style allows 42",
                                "it reads at 38.9 characters a second; the style allows 20"]
    cue = api.call("sam", "GET", f"/v1/jobs/{job['id']}/result").json()["caption_track"]["cues"][0]
    assert cue["text"] == body["after"] and cue["review"]["reviewed_by"] == "rui"
    kept = api.call("rui", "POST", url, json={"field": "cue", "scene": 2, "base": 0})
    assert kept.status_code == 201 and kept.json()["warnings"] == []
    stale = api.call("ana", "POST", url, json={"field": "cue", "scene": 0, "base": 0,
                                                "text": "Hello."})
    assert stale.status_code == 409 and "caption cue 0" in stale.json()["error"]["message"]
    assert stale.json()["error"]["detail"]["current"]["after"] == body["after"]
    for edit, message in (({"scene": 9}, "the caption track has 4 cues"),
                          ({"scene": None}, "the cue's index for a cue"),
                          ({"text": "  \n "}, "cue: the text is empty")):
        bad = api.call("rui", "POST", url, json={"field": "cue", "scene": 1, "base": 0,
                                                 "text": "Hi.", **edit})
        assert bad.status_code == 422 and message in bad.json()["error"]["message"], bad.text
    mute = finished(api, heard_and_read("a.mp4", speech=False))
    none = api.call("rui", "POST", f"/v1/jobs/{mute['id']}/revisions",
                    json={"field": "cue", "scene": 0, "base": 0, "text": "Hi."})
    assert none.status_code == 422 and "no caption cues" in none.json()["error"]["message"]
    review = api.call("rui", "GET", "/v1/reviews").json()["items"]
    segments = [s for i in review if i["job_id"] == job["id"] for c in i["categories"]
                for s in c["segments"]]
    assert {(s["source"], s["evidence"]) for s in segments} >= {("speech", MARKUP_EVIDENCE),
                                                                ("text", "NO PARKING")}


def test_edits_need_a_reviewer_of_the_tenant(api):
    job = finished(api)
    url = f"/v1/jobs/{job['id']}/revisions"
    edit = {"field": "summary", "base": 0, "text": "Two pets."}
    assert api.call("sam", "POST", url, json=edit).status_code == 403
    for method, kw in (("GET", {}), ("POST", {"json": edit})):
        assert api.call("olga", method, url, **kw).status_code == 404
    assert api.call("ana", "POST", url, json=edit).status_code == 201


def test_the_queue_its_events_and_the_report(api):
    job = finished(api, analysis(weapons=0.9, drugs=0.7, violence=0.55))
    quiet = finished(api, analysis(weapons=0.2))
    items = api.call("rui", "GET", "/v1/reviews", params={"state": "open"}).json()["items"]
    assert [i["job_id"] for i in items] == [job["id"]] and quiet["id"] not in str(items)
    item = items[0]
    assert item["preview_scene"] == 0  # the flags start at 0.5 s, in scene 0
    assert [(c["category"], c["flagged"]) for c in item["categories"]] == [
        ("weapons", True), ("drugs", True), ("violence", False)]
    assert api.call("rui", "GET", "/v1/reviews", params={"category": "violence"}
                    ).json()["items"] == []
    events = f"/v1/reviews/{item['id']}/events"
    first = api.call("rui", "POST", events, json={"action": "confirm", "category": "weapons",
                                                   "note": "<i>rifle</i>", "seen": 0})
    assert first.status_code == 201 and first.json()["review"]["state"] == "open"
    # ana decides from the page she opened before rui's event.
    late = api.call("ana", "POST", events, json={"action": "dismiss", "category": "drugs",
                                                  "seen": 0}).json()
    assert late["review"]["state"] == "closed" and [e["actor"] for e in late["concurrent"]] == [
        "rui"]
    assert "rui acted on this item after you opened it" in late["message"]
    log = api.call("rui", "GET", f"/v1/reviews/{item['id']}").json()["events"]
    assert [(e["actor"], e["action"], e["category"], e["state_before"], e["state_after"])
            for e in log] == [("rui", "confirm", "weapons", "open", "open"),
                              ("ana", "dismiss", "drugs", "open", "closed")]
    assert log[0]["note"] == "<i>rifle</i>"
    bad = api.call("rui", "POST", events, json={"action": "confirm", "category": "guns"})
    assert bad.status_code == 422 and "no category 'guns'" in bad.json()["error"]["message"]
    report = api.call("rui", "GET", "/v1/moderation/report",
                      params={"target_precision": 0.9}).json()
    by = {c["category"]: c for c in report["categories"]}
    assert report["reviewed"] == 2 and report["policy_version"] == 1
    assert (by["weapons"]["confirmed"], by["weapons"]["dismissed"]) == (1, 0)
    assert (by["drugs"]["confirmed"], by["drugs"]["dismissed"]) == (0, 1)
    assert by["weapons"]["bands"][9]["confirmed"] == 1 and by["drugs"]["bands"][7][
        "dismissed"] == 1
    assert by["weapons"]["suggested"]["precision"] == 1.0 and by["drugs"]["suggested"] is None


def test_reviews_are_walled_by_tenant_and_role(api):
    job = finished(api, analysis(weapons=0.9))
    item = api.call("rui", "GET", "/v1/reviews").json()["items"][0]
    assert api.call("olga", "GET", "/v1/reviews").json()["items"] == []
    assert api.call("olga", "GET", f"/v1/reviews/{item['id']}").status_code == 404
    r = api.call("olga", "POST", f"/v1/reviews/{item['id']}/events",
                 json={"action": "dismiss", "category": "weapons"})
    assert r.status_code == 404
    assert api.call("sam", "GET", "/v1/reviews").status_code == 403
    assert api.call("rui", "GET", f"/v1/reviews/{item['id']}").json()["events"] == []
    api.call("ana", "DELETE", f"/v1/jobs/{job['id']}", params={"purge": "true"})
    gone = api.call("rui", "POST", f"/v1/reviews/{item['id']}/events",
                    json={"action": "confirm", "category": "weapons"})
    assert gone.status_code == 410 and "purged" in gone.json()["error"]["message"]


def test_applying_a_threshold_writes_a_version_that_new_jobs_use(api):
    url = "/v1/moderation/policies/default/versions"
    change = {"base_version": 1, "thresholds": {"weapons": 0.72}, "note": "toys"}
    assert api.call("rui", "POST", url, json=change).status_code == 403
    made = api.call("ana", "POST", url, json=change)
    assert made.status_code == 201 and made.json()["version"] == 2
    assert made.json()["change"] == "weapons: threshold 0.6 -> 0.72"
    again = api.call("ana", "POST", url, json=change)
    assert again.status_code == 409 and "version 2 now" in again.json()["error"]["message"]
    bad = api.call("ana", "POST", url, json={"base_version": 2, "thresholds": {"nope": 0.5}})
    assert bad.status_code == 422 and "no enabled category 'nope'" in bad.text
    old = {j["id"] for j in api.call("sam", "GET", "/v1/jobs").json()["items"]}
    job = api.call("sam", "POST", "/v1/jobs", json={
        "path": "a.mp4", "options": {"moderation": {"enabled": True}}}).json()
    assert job["policy"] == {"name": "default", "version": 2} and job["id"] not in old
    stored = api.store.get(job["id"]).options["analysis"]["moderation"]["document"]
    assert [c["threshold"] for c in stored["categories"] if c["name"] == "weapons"] == [0.72]
    other = api.call("olga", "POST", "/v1/jobs", json={
        "path": "a.mp4", "options": {"moderation": {"enabled": True}}}).json()
    assert other["policy"] == {"name": "default", "version": 1}
    versions = api.call("rui", "GET", url).json()["items"]
    assert [(v["version"], v["author"]) for v in versions] == [(1, "vidclip"), (2, "ana")]
    assert api.call("ana", "GET", "/v1/moderation/policies/nope/versions").status_code == 404
