"""Sign-in lockout in a real browser: failed attempts warn before the last one,
the lockout page says for how long (429, Retry-After) and passes axe-core, and
the right key is refused from that address until the lockout ends."""

from __future__ import annotations

import pytest

from tests.service.conftest import LiveServer, build_settings, clear_vidclip_env
from tests.ui.conftest import look

pytestmark = [pytest.mark.service, pytest.mark.slow]

KEY = "right-key-for-the-lockout-test-0123456789"


@pytest.fixture(scope="module")
def lockout_service(tmp_path_factory, redis_url):
    """The API alone (no worker: nothing here runs a job), three failures allowed."""
    from api.app import create_app

    with pytest.MonkeyPatch.context() as monkeypatch:
        clear_vidclip_env(monkeypatch)
        settings = build_settings(tmp_path_factory.mktemp("lockout"), redis_url, api_keys=[KEY],
                                  auth_failures_per_address=3, auth_lockout_s=4)
        with LiveServer(create_app(settings)) as server:
            yield server


def _try(page, key: str):
    page.get_by_label("API key").fill(key)
    with page.expect_response("**/ui/sign-in") as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value


def test_failed_sign_ins_warn_then_lock_the_browser_out(lockout_service, new_page):
    page = new_page()
    page.goto(f"{lockout_service.url}/ui/jobs")
    assert _try(page, "not-the-key").status == 401
    second = _try(page, "not-the-key-either")
    assert second.status == 401
    page.get_by_text("1 more failed attempt and sign-in from here is paused").wait_for()
    third = _try(page, "still-not-the-key")
    assert third.status == 429 and 1 <= int(third.headers["retry-after"]) <= 4
    alert = page.get_by_role("alert")
    assert "locked out for 1 minute" in alert.inner_text()
    look(page, "sign-in-locked-out")
    assert _try(page, KEY).status == 429  # the right key too, until it ends
    page.wait_for_timeout(4200)
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui/jobs")
