"""The caption track, the scene captions and the transcripts through the real
API: each route renders the stored result with people's cue edits."""

from __future__ import annotations

import pytest

from tests.results import MARKUP_TEXT, heard_and_read
from tests.service.test_api_reviews import api, finished  # noqa: F401  (the fixture)
from vidclip.output.captions import read_ttml

pytestmark = pytest.mark.service


def get(api, job: dict, path: str):  # noqa: F811
    return api.call("sam", "GET", f"/v1/jobs/{job['id']}/{path}")


def test_captions_are_the_speech_and_scenes_are_the_picture(api):  # noqa: F811
    job = finished(api, heard_and_read("a.mp4"))
    vtt = get(api, job, "captions.vtt")
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert "Kind: captions" in vtt.text and "Welcome to the harbour." in vtt.text
    assert "[music]" in vtt.text and "Scene 0 shows" not in vtt.text
    assert "Welcome to the harbour." in get(api, job, "captions.srt").text
    ttml = get(api, job, "captions.ttml")
    assert ttml.headers["content-type"].startswith("application/ttml+xml")
    assert read_ttml(ttml.text) is not None and "Welcome to the harbour." in ttml.text
    scenes = get(api, job, "scenes.vtt").text
    assert "Scene 0 shows a harbour." in scenes and "Welcome" not in scenes
    assert "Scene 0 shows a harbour." in get(api, job, "scenes.srt").text
    links = api.call("sam", "GET", f"/v1/jobs/{job['id']}").json()["links"]
    assert links["captions_ttml"].endswith("/captions.ttml")
    assert links["scenes_vtt"].endswith("/scenes.vtt")


def test_a_cue_edit_reaches_all_three_caption_files(api):  # noqa: F811
    job = finished(api, heard_and_read("a.mp4"))
    saved = api.call("rui", "POST", f"/v1/jobs/{job['id']}/revisions", json={
        "field": "cue", "scene": 0, "base": 0, "text": "Welcome to the quay."})
    assert saved.status_code == 201, saved.text
    for path in ("captions.vtt", "captions.srt", "captions.ttml"):
        text = get(api, job, path).text
        assert "Welcome to the quay." in text and "Welcome to the harbour." not in text, path


def test_without_a_transcript(api):  # noqa: F811
    """No caption file hands out the scene descriptions as captions: each says 404
    no_transcript and names the tracks of the picture, which answer under their names."""
    job = finished(api, heard_and_read("a.mp4", speech=False))
    for path in ("captions.vtt", "captions.srt", "captions.ttml"):
        missing = get(api, job, path)
        assert missing.status_code == 404, path
        assert missing.json()["error"]["code"] == "no_transcript", path
        assert "/scenes.vtt" in missing.json()["error"]["message"], path
        assert "Scene 0 shows" not in missing.text, path
    scenes = get(api, job, "scenes.vtt")
    assert scenes.status_code == 200 and "Scene 0 shows a harbour." in scenes.text
    assert "Kind: descriptions" in scenes.text  # what it is, not captions
    described = get(api, job, "descriptions.vtt")
    assert described.status_code == 200 and "Kind: descriptions" in described.text
    text = get(api, job, "transcript.txt").text
    assert "No transcript of the speech" in text and "A harbour, shot 0." in text


def test_the_transcripts_say_who_said_what_and_escape_it(api):  # noqa: F811
    job = finished(api, heard_and_read("a.mp4"))
    text = get(api, job, "transcript.txt").text
    assert "S1: Welcome to the harbour." in text and "S2: Thanks for having me." in text
    page = get(api, job, "transcript.html")
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="en">' in html and html.count("<h1>") == 1 and "<time datetime=" in html
    assert MARKUP_TEXT not in html and "&lt;img src=x onerror=window.pwned=2&gt;" in html
    said, seen, written = (html.index(s) for s in ("Welcome to the harbour.",
                                                   "A harbour, shot 0.", "GRAND OPENING"))
    assert seen < said < written  # in time order: 0.0 s, 0.5 s, 1.0 s


def test_the_routes_are_in_the_openapi_document(api):  # noqa: F811
    paths = api.client.get("/openapi.json").json()["paths"]
    for name in ("captions.vtt", "captions.srt", "captions.ttml", "scenes.vtt", "scenes.srt",
                 "transcript.txt", "transcript.html"):
        assert f"/v1/jobs/{{job_id}}/{name}" in paths, name
