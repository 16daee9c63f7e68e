"""The review app in a real browser: a person uploads a real clip and watches it
finish, opens its video page and seeks from a thumbnail, fixes a caption and
downloads the edited track, works the moderation queue into the calibration
report; sign-in, CSRF and the wall between tenants hold. The tests run in
order on one service (each builds on the job the first one made)."""

from __future__ import annotations

import base64
import re
import time

import httpx
import pytest

from tests.conftest import SHARED_MEDIA
from tests.service.conftest import wait_for
from tests.ui.conftest import api, look, sign_in, wait_js

pytestmark = [pytest.mark.service, pytest.mark.slow]

CLIP = "testvideo.mp4"
JOB_S = 240


def drop_file(page, selector: str, name: str, data: bytes, mime: str) -> None:
    """Drag-and-drop of a file onto the page, as the browser delivers it."""
    page.evaluate(
        """([selector, name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            const zone = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true,
                                                         cancelable: true }));
            }
        }""", [selector, name, base64.b64encode(data).decode(), mime])


def acme_job(service) -> dict:
    with api(service, "sam") as http:
        jobs = http.get("/v1/jobs", params={"status": "succeeded"}).json()["items"]
    mine = [j for j in jobs if j["source"]["name"] == CLIP]
    if not mine:
        pytest.skip("the upload test did not leave a finished job")
    return mine[-1]


def test_sign_in_is_required_and_forms_need_their_token(service, new_page):
    page = new_page()
    page.goto(f"{service.url}/ui/jobs")
    assert "/ui/sign-in" in page.url
    page.get_by_label("API key").fill("vck_not_a_key")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("That key was not accepted").wait_for()
    look(page, "sign-in-refused")
    sign_in(page, service, "ana")
    cookie = next(c for c in page.context.cookies() if c["name"] == "vidclip_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    # A form post without the CSRF token (another site could send this one) changes nothing.
    refused = page.request.post(f"{service.url}/ui/moderation/apply", form={
        "policy": "default", "base_version": "1", "category": "weapons", "threshold": "0.5"})
    assert refused.status == 403 and "has expired" in refused.text()
    api_refused = page.request.post(f"{service.url}/v1/moderation/policies/default/versions",
                                    data={"base_version": 1, "thresholds": {"weapons": 0.5}})
    assert api_refused.status == 403 and api_refused.json()["error"]["code"] == "csrf_failed"
    with api(service, "ana") as http:
        assert len(http.get("/v1/moderation/policies/default/versions").json()["items"]) == 1
    # Signing out ends the session on the server, not only in this browser.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/ui/sign-in")
    gone = httpx.get(f"{service.url}/v1/jobs", cookies={"vidclip_session": cookie["value"]})
    assert gone.status_code == 401


@pytest.mark.timeout(600)
def test_upload_a_real_clip_and_watch_it_finish(service, new_page):
    page = new_page()
    sign_in(page, service, "sam")
    look(page, "jobs-empty")
    # Bad files first: each gets its own message and starts nothing.
    drop_file(page, "#dropzone", "notes.mp4", b"just some text, not a video\n" * 10, "video/mp4")
    page.get_by_role("button", name="Start job").click()
    page.get_by_text("not a video").wait_for()
    drop_file(page, "#dropzone", "empty.mp4", b"", "video/mp4")
    page.get_by_role("button", name="Start job").click()
    page.get_by_text("is empty (0 bytes)").wait_for()
    # The real clip, dropped, with the options a person changes.
    drop_file(page, "#dropzone", CLIP, (SHARED_MEDIA / CLIP).read_bytes(), "video/mp4")
    page.get_by_label("Labels").fill("cat, dog, car, tree, person")
    page.get_by_label("Frames per second").fill("1")
    page.get_by_role("textbox", name="Tag (to find it later)").fill("browser-test")
    page.get_by_role("button", name="Start job").click()
    page.wait_for_url("**/ui/jobs")
    row = page.locator("tr", has_text=CLIP)
    row.wait_for()
    # Live progress: the row updates without a reload until the job is done.
    wait_js(page, """[...document.querySelectorAll('tr[data-job]')].some(
                       (r) => r.dataset.status === 'succeeded' && r.textContent.includes(arg))""",
            CLIP, timeout_s=JOB_S)
    assert row.locator("progress").evaluate("p => p.value") == 1
    look(page, "jobs-list")
    with api(service, "sam") as http:
        job = acme_job(service)
        assert job["tag"] == "browser-test" and job["submitted_by"] == "sam"
        assert http.get(f"/v1/jobs/{job['id']}/thumbnails/0.jpg").status_code == 200


def test_file_names_and_tags_are_shown_as_text(service, new_page, clip):
    name = "<img src=x onerror=window.pwned=1>.mp4"
    with api(service, "sam") as http:
        made = http.post("/v1/jobs", files={"file": (name, clip.read_bytes(), "video/mp4")},
                         data={"tag": "<b>tagged</b>"})
    assert made.status_code == 202, made.text
    page = new_page()
    sign_in(page, service, "sam")
    row = page.locator("tr", has_text="onerror")
    assert row.locator("a").text_content() == name
    assert row.get_by_text("<b>tagged</b>").is_visible()
    page.goto(f"{service.url}/ui/jobs/{made.json()['id']}")
    assert page.locator("h1").text_content() == name
    assert page.evaluate("window.pwned") is None and page.locator("img[src=x], b").count() == 0


def test_video_page_thumbnails_seek_and_keys_step(service, new_page):
    job = acme_job(service)
    page = new_page()
    sign_in(page, service, "rui", f"/ui/jobs/{job['id']}")
    wait_js(page, "document.getElementById('player').readyState >= 1")
    thumbs = page.locator(".strip .thumb")
    assert thumbs.count() >= 3
    target = thumbs.nth(2)
    start, end = float(target.get_attribute("data-start")), float(target.get_attribute("data-end"))
    target.click()
    wait_js(page, "document.getElementById('player').currentTime >= arg[0] && "
                  "document.getElementById('player').currentTime < arg[1]", [start, end])
    wait_js(page, "document.querySelector('.strip .thumb[data-scene=\"2\"]')"
                  ".classList.contains('current')")
    assert target.get_attribute("aria-current") == "true"
    # N jumps to the next scene, by keyboard alone.
    page.locator("body").press("n")
    nxt = float(thumbs.nth(3).get_attribute("data-start"))
    wait_js(page, "Math.abs(document.getElementById('player').currentTime - arg) < 0.05", nxt)
    # A flag or tag segment seeks too; lanes are buttons a keyboard reaches.
    seg = page.locator(".lanes .seg").last
    seg.focus()
    seg.press("Enter")
    seg_start = float(seg.get_attribute("data-start"))
    wait_js(page, "Math.abs(document.getElementById('player').currentTime - arg) < 0.05",
            seg_start)
    look(page, "video-page")


def test_edit_a_caption_in_place_and_download_the_vtt(service, new_page):
    job = acme_job(service)
    page = new_page()
    sign_in(page, service, "rui", f"/ui/jobs/{job['id']}")
    cue = page.locator("#cue-1 .text-block[data-field='caption']")
    cue.locator("summary", has_text="Edit").click()
    box = cue.locator("textarea")
    box.fill("   ")
    cue.get_by_role("button", name="Save").click()
    cue.get_by_text("the text is empty").wait_for()
    edited = "A leaf <b>in</b> the light & <script>alert(1)</script> shade."
    box.fill(edited)
    cue.get_by_role("button", name="Save").click()
    cue.locator(".review-badge.reviewed", has_text="Reviewed by rui").wait_for()
    shown = cue.locator("[data-role='text']")
    assert shown.text_content() == edited  # as typed, as text
    assert page.locator("#cue-1 b, #cue-1 script").count() == 0
    look(page, "video-page-edited")
    page.reload()  # the edit is stored, with its history
    cue.locator("summary", has_text="History (1)").click()
    assert cue.locator("del").text_content() != "" and edited in cue.locator("ins").text_content()
    assert page.locator("#cue-1 b, #cue-1 script").count() == 0
    with page.expect_download() as download:
        page.locator("#panel-scenes").get_by_role("link", name="VTT", exact=True).click()
    vtt = download.value.path().read_text()
    assert "A leaf &lt;b&gt;in&lt;/b&gt; the light &amp;" in vtt.replace("\n", " ")
    with api(service, "sam") as http:
        result = http.get(f"/v1/jobs/{job['id']}/result").json()
    assert result["scenes"][1]["caption"] == edited
    assert result["scenes"][1]["caption_review"]["reviewed_by"] == "rui"


@pytest.mark.timeout(600)
def test_moderation_queue_decisions_reach_the_report(service, new_page):
    with api(service, "ana") as http:
        # A policy version whose thresholds flag anything: the test clip is flagged.
        thresholds = {c: 0.001 for c in ("sexual_content", "violence", "weapons", "drugs",
                                         "self_harm", "hate_symbols")}
        base = http.get("/v1/moderation/policies/default/versions").json()["items"][-1]
        made = http.post("/v1/moderation/policies/default/versions", json={
            "base_version": base["version"], "thresholds": thresholds, "note": "flag all"})
        assert made.status_code == 201, made.text
        job = http.post("/v1/jobs", json={"path": CLIP, "tag": "queue-test"}).json()
        assert job["policy"]["version"] == made.json()["version"]
        done = wait_for(lambda: http.get(f"/v1/jobs/{job['id']}").json(),
                        lambda j: j["status"] in ("succeeded", "failed"), timeout=JOB_S)
        assert done["status"] == "succeeded", done
    page = new_page()
    sign_in(page, service, "rui", "/ui/reviews")
    look(page, "queue")
    page.locator("a.queue-link", has_text=CLIP).first.click()
    page.wait_for_url("**/ui/reviews/*")
    flagged = page.locator(".decision.is-flagged")
    assert flagged.count() >= 2
    first = flagged.nth(0).get_attribute("id").removeprefix("cat-")
    second = flagged.nth(1).get_attribute("id").removeprefix("cat-")
    page.locator(f"#cat-{first}").get_by_label("Note").fill("clearly <em>there</em>")
    page.locator(f"#cat-{first}").get_by_role("button", name=re.compile("^Confirm")).click()
    page.locator("#event-message", has_text="confirm recorded").wait_for()
    page.locator(f"#cat-{second}").get_by_role("button", name=re.compile("^Dismiss")).click()
    page.locator("#event-message", has_text="dismiss recorded").wait_for()
    log = page.locator("#event-log")
    assert "rui confirm" in log.text_content().replace("\n", " ").replace("  ", " ")
    assert log.locator("li").count() == 2 and log.locator(".note em").count() == 0
    assert "clearly <em>there</em>" in log.text_content()
    look(page, "review-item")
    page.goto(f"{service.url}/ui/moderation")
    card = page.locator(f"section.report-card:has(h2#rc-{first})")
    assert card.locator("dt:text-is('Confirmed') + dd").text_content() == "1"
    other = page.locator(f"section.report-card:has(h2#rc-{second})")
    assert other.locator("dt:text-is('Dismissed') + dd").text_content() == "1"
    look(page, "calibration-report")
    # An admin applies the suggested threshold: a new policy version.
    admin = new_page()
    sign_in(admin, service, "ana", "/ui/moderation")
    before = admin.locator("ol.versions li").count()
    mine = admin.locator(f"section.report-card:has(h2#rc-{first})")
    mine.get_by_label("New threshold").fill("0.5")
    mine.get_by_label("Note").fill("from the report")
    mine.get_by_role("button", name=re.compile("^Apply")).click()
    admin.get_by_text("written: jobs submitted from now on use it").wait_for()
    assert admin.locator("ol.versions li").count() == before + 1
    newest = admin.locator("ol.versions li").first.text_content()
    assert f"{first}: threshold 0.001 -> 0.5" in newest and "from the report" in newest
    look(admin, "calibration-applied")


def test_a_second_tenant_cannot_see_list_open_edit_or_review(service, new_page):
    job = acme_job(service)
    with api(service, "rui") as http:
        items = http.get("/v1/reviews").json()["items"]
    assert items, "the queue test leaves an item"
    item = items[0]
    page = new_page()
    sign_in(page, service, "olga")
    assert page.locator("tr[data-job]").count() == 0
    page.goto(f"{service.url}/ui/jobs/{job['id']}")
    assert page.get_by_role("heading", name="No such job").is_visible()
    look(page, "other-tenant-404")
    page.goto(f"{service.url}/ui/reviews/{item['id']}")
    assert page.get_by_role("heading", name="No such review").is_visible()
    page.goto(f"{service.url}/ui/reviews")
    assert page.locator("a.queue-link").count() == 0
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
    # Her session with its token, and her key: 404 on every route naming the job.
    edit = page.request.post(f"{service.url}/v1/jobs/{job['id']}/revisions",
                             headers={"X-CSRF-Token": csrf},
                             data={"field": "summary", "base": 0, "text": "mine"})
    assert edit.status == 404
    form = page.request.post(f"{service.url}/ui/jobs/{job['id']}/texts", form={
        "csrf_token": csrf, "field": "summary", "base": "0", "text": "mine"})
    assert form.status == 404
    decide = page.request.post(f"{service.url}/ui/reviews/{item['id']}/events", form={
        "csrf_token": csrf, "action": "dismiss", "category": item["categories"][0]["category"]})
    assert decide.status == 404
    with api(service, "olga") as http:
        for path in (f"/v1/jobs/{job['id']}", f"/v1/jobs/{job['id']}/media",
                     f"/v1/jobs/{job['id']}/thumbnails/0.jpg", f"/v1/jobs/{job['id']}/revisions",
                     f"/v1/reviews/{item['id']}"):
            assert http.get(path).status_code == 404, path
        assert http.post(f"/v1/reviews/{item['id']}/events",
                         json={"action": "comment", "note": "x"}).status_code == 404
        assert http.get("/v1/reviews").json()["items"] == []


def test_search_hits_open_the_video_at_their_moment(service, new_page):
    job = acme_job(service)
    with api(service, "sam") as http:  # the index worker adds a job's moments once it is done
        deadline = time.monotonic() + 60
        while not http.get("/v1/search", params={"q": "a cat"}).json().get("hits"):
            assert time.monotonic() < deadline, "the finished job never reached the index"
            time.sleep(0.2)
    page = new_page()
    sign_in(page, service, "sam")
    box = page.get_by_role("searchbox", name="Search moments")
    box.fill("cat dog car tree person")
    box.press("Enter")
    page.wait_for_url("**/ui/search?q=*")
    hit = page.locator("a.hit").first
    hit.wait_for()
    look(page, "search")
    href = hit.get_attribute("href")
    start = float(re.search(r"t=([0-9.]+)", href).group(1))
    assert re.match(r"^/ui/jobs/[0-9a-f]{32}\?t=", href)
    hit.click()
    page.wait_for_url(f"**{href}")
    wait_js(page, "Math.abs(document.getElementById('player').currentTime - arg) < 0.05", start)
    assert page.locator(".strip .thumb").count() >= 3 and job["source"]["name"] in page.title()


def test_development_mode_needs_no_sign_in_and_hides_missing_search(dev_service, new_page):
    page = new_page()
    page.goto(f"{dev_service.url}/ui/jobs")
    assert page.url.endswith("/ui/jobs")
    assert page.locator(".who .badge").text_content().startswith("dev · admin")
    assert page.locator("form.searchbox").count() == 0  # no /v1/search on this server
    page.goto(f"{dev_service.url}/ui/search")
    assert page.get_by_text("Search is not available on this server yet").is_visible()
    look(page, "search-unavailable")
    # Its forms still carry a token.
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
    assert csrf and page.request.post(f"{dev_service.url}/ui/sign-out", form={}).status == 403
