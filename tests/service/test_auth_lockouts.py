"""Failed sign-ins and rejected API keys, counted in the real Redis: an address
that fails too often is locked out of both (429 with Retry-After, even with a
right key), a key guessed at from elsewhere stays usable where it signed in
before, lockouts end, every failure and lockout is logged without the token,
and the API processes share the counts (two apps here, as two processes)."""

from __future__ import annotations

import logging
import re
import time
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import API_KEY
from vidclip.jobs.lockouts import AuthThrottle, client_address
from vidclip.jobs.principal import Role

pytestmark = pytest.mark.service

HOME, AWAY, ELSEWHERE = "10.1.1.1", "10.2.2.2", "10.3.3.3"


@pytest.fixture
def clients(make_settings):
    """``open(address, **settings)``: the API, as seen from a client at ``address``."""
    from api.app import create_app

    with ExitStack() as stack:
        def open_at(address: str, settings) -> TestClient:
            return stack.enter_context(TestClient(create_app(settings), base_url="https://testserver",
                                                      client=(address, 4000)))

        yield open_at


def sign_in(client: TestClient, key: str):
    form = client.get("/ui/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return client.post("/ui/sign-in", data={"key": key, "csrf_token": token,
                                             "next": "/ui/jobs"}, follow_redirects=False)


def wrong(token: str) -> str:
    """The same key id with another secret: a guess at that key."""
    return token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")


def test_an_address_that_fails_too_often_is_locked_out_of_sign_in_and_the_api(
        make_settings, clients, caplog):
    settings = make_settings(auth_failures_per_address=3, auth_failures_per_key=0)
    first, second = clients(HOME, settings), clients(HOME, settings)
    guess = "vck_0123456789ab_" + "x" * 43
    caplog.set_level(logging.WARNING, logger="vidclip.jobs.lockouts")
    refused = sign_in(first, guess)
    assert refused.status_code == 401 and "That key was not accepted" in refused.text
    warned = sign_in(second, guess)  # another API process: the same count
    assert warned.status_code == 401 and "1 more failed attempt and sign-in" in warned.text
    locked = sign_in(first, guess)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "locked out for 15 minutes" in locked.text
    # Now even the right key is refused from here, in the pages and in the API ...
    assert sign_in(second, API_KEY).status_code == 429
    api = second.get("/v1/jobs", headers={"X-API-Key": API_KEY})
    assert api.status_code == 429 and api.json()["error"]["code"] == "locked_out"
    assert int(api.headers["Retry-After"]) > 800
    # ... and from another address it works.
    assert sign_in(clients(AWAY, settings), API_KEY).status_code == 303
    lines = [r.getMessage() for r in caplog.records]
    assert sum("sign-in failed from 10.1.1.1 with key id 0123456789ab" in m for m in lines) == 3
    assert any("locked out address 10.1.1.1 for 900 s after 3 failures" in m for m in lines)
    assert not any(guess in m or API_KEY in m for m in lines)


def test_rejected_api_keys_count_but_a_missing_key_or_a_good_one_does_not(make_settings,
                                                                           clients):
    settings = make_settings(auth_failures_per_address=3)
    client = clients(HOME, settings)
    for _ in range(5):
        assert client.get("/v1/jobs").status_code == 401  # no key: not a guess
        assert client.get("/v1/jobs", headers={"X-API-Key": API_KEY}).status_code == 200
    codes = [client.get("/v1/jobs", headers={"X-API-Key": f"nope-{n}"}).status_code
             for n in range(3)]
    assert codes == [401, 401, 429]
    assert client.get("/v1/jobs", headers={"X-API-Key": API_KEY}).status_code == 429


def test_a_key_guessed_at_from_elsewhere_still_signs_in_where_it_did_before(make_settings,
                                                                            clients):
    settings = make_settings(auth_failures_per_address=100, auth_failures_per_key=3)
    home = clients(HOME, settings)
    _, token = home.app.state.store.keys.create("ana", Role.ADMIN, "default")
    assert sign_in(home, token).status_code == 303  # HOME is ana's address now
    away, elsewhere = clients(AWAY, settings), clients(ELSEWHERE, settings)
    assert [sign_in(away, wrong(token)).status_code for _ in range(3)] == [401, 401, 429]
    locked = sign_in(elsewhere, token)
    assert locked.status_code == 429 and "signing in with it from here is locked" in locked.text
    assert sign_in(clients(HOME, settings), token).status_code == 303
    # The key lockout is the sign-in form's: API clients using the key are not stopped.
    assert elsewhere.get("/v1/jobs", headers={"X-API-Key": token}).status_code == 200


def test_a_lockout_ends_after_its_time(make_settings, clients):
    settings = make_settings(auth_failures_per_address=2, auth_lockout_s=1)
    client = clients(HOME, settings)
    assert [sign_in(client, "wrong-key").status_code for _ in range(2)] == [401, 429]
    assert sign_in(client, API_KEY).status_code == 429
    time.sleep(1.2)
    assert sign_in(client, API_KEY).status_code == 303


def test_without_redis_sign_in_still_works_and_says_so(make_settings, caplog):
    settings = make_settings(broker_url="redis://127.0.0.1:1/0", auth_failures_per_address=1)
    throttle = AuthThrottle(settings)
    caplog.set_level(logging.WARNING, logger="vidclip.jobs.lockouts")
    throttle.check(HOME)
    assert throttle.failed(HOME, None, "sign-in") is None
    assert sum("Redis is unreachable" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("host, counted", [
    ("192.0.2.7", "192.0.2.7"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one machine's /64 counts as one
    (None, "unknown"),
])
def test_addresses_are_counted_by_host_or_ipv6_prefix(host, counted):
    assert client_address(host) == counted
