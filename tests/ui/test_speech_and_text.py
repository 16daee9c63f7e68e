"""What was said and written, in the review app: the speech lane seeks the
player into a cue, cues are edited like scene captions (kept as typed, warned
where they break the style, refused when someone saved first), the edits reach
the result, the player and the caption files; on-screen text is boxed over the
picture where the result says it is; markup in words is shown as text; a
result with no speech or text shows no empty lanes.

The results are written into the store by hand (``tests.results``), the way
the worker writes them, over a real clip; no worker runs.
"""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_MEDIA
from tests.results import (
    MARKUP_CUE,
    MARKUP_EVIDENCE,
    MARKUP_TEXT,
    TITLE_BOX,
    heard_and_read,
    store_finished,
)
from tests.ui.conftest import api, look, sign_in, wait_js

pytestmark = [pytest.mark.service, pytest.mark.slow]

#: Anamorphic (704x576 stored, 16:9 shown: 1024x576), H.264 for Chromium. At a
#: short viewport the page's player shows it between bars at its sides.
CLIP = SHARED_MEDIA / "issue-195-aspect-ratio.mp4"
SHOWN = (1024, 576)
PLAYER = "document.getElementById('player')"


def result(**kw):
    return heard_and_read(CLIP.name, 25.12, *SHOWN, fps=25.0, **kw)


def new_job(service, **kw) -> str:
    return store_finished(service.store, service.settings, CLIP, result(**kw))


@pytest.fixture(scope="module")
def spoken(hand_service) -> str:
    return new_job(hand_service)


def open_video(page, service, job: str, who: str = "rui") -> None:
    sign_in(page, service, who, f"/ui/jobs/{job}")
    wait_js(page, f"{PLAYER}.readyState >= 1")


def now(page) -> float:
    return page.evaluate(f"{PLAYER}.currentTime")


def edit(block, text: str) -> None:
    block.locator("summary", has_text="Edit").click()
    block.locator("textarea").fill(text)
    block.get_by_role("button", name="Save").click()


def test_the_speech_lane_seeks_into_a_cue_and_shows_speakers_and_sounds(hand_service, spoken,
                                                                        new_page):
    page = new_page()
    open_video(page, hand_service, spoken)
    segs = page.locator(".lanes .speech-seg")
    assert segs.count() == 4
    assert page.locator(".lanes .sound-seg").get_attribute("data-cue") == "2"
    assert [segs.nth(i).evaluate("e => e.classList.contains('speaker-change')")
            for i in range(4)] == [False, True, False, True]
    assert "new speaker, S2" in segs.nth(1).text_content()
    segs.nth(1).click()
    wait_js(page, f"{PLAYER}.currentTime >= 2.6 && {PLAYER}.currentTime < 4.6")
    # The cue's text comes into view in the transcript panel, marked as playing.
    assert page.get_by_role("tab", name="Transcript").get_attribute("aria-selected") == "true"
    wait_js(page, "document.getElementById('speech-1').classList.contains('current')")
    assert page.locator("#speech-1").get_attribute("aria-current") == "true"
    assert page.locator("#speech-1 .speaker").text_content() == "Speaker S2"
    # By keyboard: a cue is a button; the panel's tabs follow the arrow keys.
    segs.nth(3).focus()
    segs.nth(3).press("Enter")
    wait_js(page, f"{PLAYER}.currentTime >= 6.0 && {PLAYER}.currentTime < 7.8")
    page.get_by_role("tab", name="Transcript").press("ArrowLeft")
    assert page.get_by_role("tab", name="Scenes").get_attribute("aria-selected") == "true"
    assert page.locator("#panel-speech").is_hidden() and page.locator("#cue-0").is_visible()
    page.get_by_role("tab", name="Scenes").press("ArrowRight")
    page.locator("#speech-2 .time").click()
    wait_js(page, f"{PLAYER}.currentTime >= 4.8 && {PLAYER}.currentTime < 5.8")
    look(page, "video-speech-lane")


def test_a_cue_edit_is_kept_as_typed_warned_and_in_the_result(hand_service, spoken, new_page):
    page = new_page()
    open_video(page, hand_service, spoken)
    page.get_by_role("tab", name="Transcript").click()
    block = page.locator("#speech-0 .text-block")
    edited = "Welcome aboard, all of you, to the old harbour of Kingsport.\nMind the gap."
    edit(block, "  Welcome aboard,  all of you, to the old harbour of Kingsport.\n\n"
                "Mind the gap.  ")
    block.locator(".review-badge.reviewed", has_text="Reviewed by rui").wait_for()
    assert block.locator("[data-role='text']").text_content() == edited
    warnings = block.locator("[data-role='warnings'] li").all_text_contents()
    assert warnings == ["line 1 is 60 characters long; the style allows 42",
                        "it reads at 38.9 characters a second; the style allows 20"]
    assert page.locator(".speech-seg[data-cue='0'] .seg-text").text_content() == \
        edited.replace("\n", " ")
    look(page, "video-cue-edited")
    page.reload()  # stored, with its history, its warnings worked out again
    block.locator("summary", has_text="History (1)").click()
    assert block.locator("ins").text_content() == edited
    assert block.locator("[data-role='warnings'] li").count() == 2
    assert block.locator(".review-badge").text_content().startswith("Reviewed by rui")
    with api(hand_service, "sam") as http:
        result = http.get(f"/v1/jobs/{spoken}/result").json()
    cues = result["caption_track"]["cues"]
    assert cues[0]["text"] == edited and cues[0]["review"]["reviewed_by"] == "rui"
    assert cues[2]["text"] == "[music]" and cues[2]["review"] is None
    assert result["scenes"][0]["caption_review"] is None  # the scene captions as they were


def test_a_saved_edit_shows_in_the_players_captions(hand_service, new_page):
    """Whatever the captions route renders (the scene captions, or the caption
    track once its writers read ``caption_track``), a saved edit of it shows in
    the player's track without a reload of the page."""
    job = new_job(hand_service)
    page = new_page()
    open_video(page, hand_service, job)
    cue_texts = ("[...(document.querySelector('#player track[kind=captions]').track.cues "
                 "|| [])].map((c) => c.text)")
    wait_js(page, f"{cue_texts}.length > 0")
    speech_track = "Welcome to the harbour." in page.evaluate(cue_texts)
    if speech_track:
        page.get_by_role("tab", name="Transcript").click()
    block = page.locator("#speech-0 .text-block" if speech_track
                         else "#cue-0 .text-block[data-field='caption']")
    edit(block, "A quay in the evening light.")
    block.locator(".review-badge.reviewed").wait_for()
    wait_js(page, f"{cue_texts}.includes('A quay in the evening light.')")


def test_cue_edits_reach_the_caption_files(hand_service, new_page):
    job = new_job(hand_service)
    with api(hand_service, "rui") as http:
        assert "Welcome to the harbour." in http.get(f"/v1/jobs/{job}/captions.vtt").text
        saved = http.post(f"/v1/jobs/{job}/revisions", json={
            "field": "cue", "scene": 0, "base": 0, "text": "Welcome to the quay."})
        assert saved.status_code == 201, saved.text
    page = new_page()
    open_video(page, hand_service, job)
    page.get_by_role("tab", name="Transcript").click()
    for name in ("WebVTT", "SubRip", "TTML"):
        with page.expect_download() as download:
            page.locator("#panel-speech").get_by_role("link", name=name).click()
        text = download.value.path().read_text()
        assert "Welcome to the quay." in text and "Welcome to the harbour." not in text, name


def test_two_reviewers_editing_one_cue_the_second_gets_the_winning_text(hand_service, spoken,
                                                                        new_page):
    rui, ana = new_page(), new_page()
    for page, who in ((rui, "rui"), (ana, "ana")):
        open_video(page, hand_service, spoken, who)
        page.get_by_role("tab", name="Transcript").click()
    mine, theirs = rui.locator("#speech-3 .text-block"), ana.locator("#speech-3 .text-block")
    edit(mine, "I will help you.")
    mine.locator(".review-badge.reviewed").wait_for()
    edit(theirs, "I will hold you.")
    message = theirs.locator(".form-message")
    message.filter(has_text="changed by someone else").wait_for()
    assert "Saved by rui: \u201cI will help you.\u201d" in message.text_content()
    assert theirs.locator("[data-role='text']").text_content() == "I will help you."
    assert theirs.locator("textarea").input_value() == "I will hold you."  # nothing lost
    theirs.scroll_into_view_if_needed()
    look(ana, "video-cue-conflict")
    theirs.get_by_role("button", name="Save").click()  # now over the text she has seen
    theirs.locator(".review-badge", has_text="Reviewed by ana").wait_for()
    with api(hand_service, "sam") as http:
        revisions = http.get(f"/v1/jobs/{spoken}/revisions").json()["items"]
        cue = http.get(f"/v1/jobs/{spoken}/result").json()["caption_track"]["cues"][3]
    assert [(r["author"], r["after"]) for r in revisions if r["scene"] == 3] == [
        ("rui", "I will help you."), ("ana", "I will hold you.")]
    assert cue["text"] == "I will hold you."


def test_words_and_on_screen_text_with_markup_are_shown_as_text(hand_service, spoken,
                                                                new_page):
    page = new_page()
    open_video(page, hand_service, spoken)
    page.get_by_role("tab", name="Transcript").click()
    assert page.locator("#speech-1 [data-role='text']").text_content() == MARKUP_CUE
    assert page.locator(".text-seg[data-text-item='2'] .seg-text").text_content() == MARKUP_TEXT
    assert page.locator(".evidence-item.source-speech q").text_content() == MARKUP_EVIDENCE
    assert "said: " + MARKUP_EVIDENCE in page.locator(".flag-seg.source-speech").get_attribute(
        "aria-label")
    page.locator(".text-seg[data-text-item='2']").click()  # its box is drawn: no markup in it
    wait_js(page, "!document.querySelector('.text-box[data-text-item=\"2\"]').hidden")
    found = "#review-root b, #review-root i, #review-root script, #review-root img[src=x]"
    assert page.evaluate("window.pwned") is None and page.locator(found).count() == 0
    page.goto(f"{hand_service.url}/ui/reviews")
    item = page.locator("a.queue-link", has_text=CLIP.name).first
    assert MARKUP_EVIDENCE in item.locator(".q-words").text_content()
    look(page, "queue-speech-evidence")
    item.click()
    page.wait_for_url("**/ui/reviews/*")
    said = page.locator(".seg-item", has_text="said")
    assert said.locator("q.evidence").text_content() == MARKUP_EVIDENCE
    assert page.locator(".seg-item", has_text="on screen").locator("q.evidence").text_content() == \
        "NO PARKING"
    assert page.evaluate("window.pwned") is None and page.locator("main i, main img[src=x]") \
        .count() == 0
    look(page, "review-speech-evidence")


BOX_RECT = """(i) => {
    const video = document.getElementById('player');
    const box = document.querySelector(`.text-box[data-text-item="${i}"]`);
    const v = video.getBoundingClientRect(), b = box.getBoundingClientRect();
    return {video: [v.left, v.top, v.width, v.height], box: [b.left, b.top, b.width, b.height],
            natural: [video.videoWidth, video.videoHeight], hidden: box.hidden};
}"""


def expected_box(video: list[float], natural: list[int], box: list[float]) -> list[float]:
    """Where a box of frame fractions lies over a <video> showing its picture with
    object-fit: contain (centred, bars on two sides)."""
    left, top, width, height = video
    scale = min(width / natural[0], height / natural[1])
    pw, ph = natural[0] * scale, natural[1] * scale
    x, y = left + (width - pw) / 2, top + (height - ph) / 2
    x0, y0, x1, y1 = box
    return [x + x0 * pw, y + y0 * ph, (x1 - x0) * pw, (y1 - y0) * ph]


def assert_placed(page, item: int, box: list[float]) -> dict:
    # Shown once the seek has landed; its border is drawn inside its own rectangle,
    # so rectangles compare whole.
    wait_js(page, f"!document.querySelector('.text-box[data-text-item=\"{item}\"]').hidden")
    got = page.evaluate(BOX_RECT, item)
    want = expected_box(got["video"], got["natural"], box)
    assert got["box"] == pytest.approx(want, abs=1.5), (got, want)
    return got


def test_text_boxes_are_drawn_where_the_text_is_over_the_picture(hand_service, spoken,
                                                                 new_page):
    page = new_page(viewport=(1440, 640))  # a short window: the player has bars at its sides
    open_video(page, hand_service, spoken)
    page.locator(".text-seg[data-text-item='1']").click()  # 2.0 s: the title and the sign
    wait_js(page, f"{PLAYER}.currentTime >= 2.0")
    got = assert_placed(page, 0, TITLE_BOX)
    assert got["natural"] == list(SHOWN)  # the browser shows the pixels' aspect too
    video_w, video_h = got["video"][2], got["video"][3]
    assert video_w - video_h * 16 / 9 > 50, "the picture should leave bars at the sides here"
    assert_placed(page, 1, [0.7, 0.4, 0.9, 0.55])
    assert page.locator(".text-box[data-text-item='2']").is_hidden()  # not on screen yet
    look(page, "video-text-boxes")
    page.get_by_label("Show boxes around on-screen text").uncheck()
    assert page.locator("#text-overlay").is_hidden()
    page.get_by_label("Show boxes around on-screen text").check()
    page.set_viewport_size({"width": 900, "height": 1000})  # one column, no bars: placed again
    wait_js(page, "Math.abs(document.getElementById('player').getBoundingClientRect().width "
                  "- document.getElementById('player').getBoundingClientRect().height * 16 / 9) "
                  "< 2")
    page.wait_for_timeout(100)  # the resize observer's callback
    assert_placed(page, 0, TITLE_BOX)
    look(page, "video-text-boxes-narrow")


def test_a_result_without_speech_or_text_shows_no_empty_lanes(hand_service, new_page):
    bare = new_job(hand_service, speech=False, text=False)
    silent = result()
    silent.transcript.segments, silent.caption_track.cues, silent.on_screen_text = [], [], []
    quiet = store_finished(hand_service.store, hand_service.settings, CLIP, silent)
    page = new_page()
    open_video(page, hand_service, bare)
    gone = "#lane-speech, #lane-text, .side .tabs, #panel-speech, #text-overlay, #show-boxes"
    assert page.locator(gone).count() == 0
    # No transcript: no captions track for the player (its route answers 404), and the
    # descriptions of the picture stay offered as what they are.
    assert page.locator("#player track[kind=captions]").count() == 0
    assert page.locator("#player track[kind=descriptions]").count() == 1
    assert page.locator(".lanes .lane").count() == 3  # scenes, violence, harbour
    page.goto(f"{hand_service.url}/ui/jobs/{quiet}")
    assert page.locator("#lane-speech, #lane-text, #text-overlay").count() == 0
    page.get_by_role("tab", name="Transcript").click()
    assert page.locator("#no-speech").text_content() == "No speech was found in the audio."
    assert page.locator("#panel-speech a[download]").count() == 0
    look(page, "video-no-speech")
