"""Who is acting, through the real API: named keys with roles, walls between
tenants (another tenant's job is a 404 on every route that names one), per
tenant Idempotency-Keys, and an admin managing its own tenant's keys."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient

from api.deps import PrincipalDep, require_role
from api.routers.results import TEXT_OUTPUTS
from tests.analyses import small_analysis
from tests.service.conftest import API_KEY
from vidclip.jobs.apikeys import settings_key_name
from vidclip.jobs.principal import Role
from vidclip.jobs.status import JobStatus

pytestmark = pytest.mark.service


@dataclass
class Tenants:
    client: TestClient
    tokens: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"X-API-Key": API_KEY if who == "legacy" else self.tokens[who]}

    def call(self, who: str, method: str, url: str, **kw):
        return self.client.request(method, url, headers={**self.as_(who),
                                                         **kw.pop("headers", {})}, **kw)


def _review_probe() -> APIRouter:
    """A route guarded like the review routes to come."""
    router = APIRouter(prefix="/v1")

    @router.post("/probe/review", dependencies=[Depends(require_role(Role.REVIEWER))])
    def review(principal: PrincipalDep) -> dict:
        return {"acted_as": principal.name}

    return router


@pytest.fixture
def tenants(make_settings, clip):
    from api.app import create_app

    settings = make_settings()
    for name in ("a.mp4", "b.mp4"):
        (settings.media_root / name).write_bytes(clip.read_bytes())
    app = create_app(settings)
    app.include_router(_review_probe())
    with TestClient(app) as client:
        keys = client.app.state.store.keys
        tokens = {name: keys.create(name, role, tenant)[1] for name, role, tenant in (
            ("acme-bot", Role.SUBMITTER, "acme"), ("acme-rev", Role.REVIEWER, "acme"),
            ("acme-admin", Role.ADMIN, "acme"), ("globex-bot", Role.SUBMITTER, "globex"))}
        yield Tenants(client, tokens)


def test_a_job_records_its_tenant_and_submitting_key(tenants):
    r = tenants.call("acme-bot", "POST", "/v1/jobs", json={"path": "a.mp4"})
    assert r.status_code == 202, r.text
    assert (r.json()["tenant"], r.json()["submitted_by"]) == ("acme", "acme-bot")
    legacy = tenants.call("legacy", "POST", "/v1/jobs", json={"path": "a.mp4"}).json()
    assert (legacy["tenant"], legacy["submitted_by"]) == ("default",
                                                          settings_key_name(API_KEY))


def test_another_tenant_cannot_see_list_open_delete_or_fetch_a_job(tenants):
    job = tenants.call("acme-bot", "POST", "/v1/jobs", json={"path": "a.mp4"}).json()
    store = tenants.client.app.state.store
    store.finish(job["id"], JobStatus.SUCCEEDED, worker=None,
                 result_json=small_analysis().model_dump_json())
    paths = [f"/v1/jobs/{job['id']}", f"/v1/jobs/{job['id']}/result",
             *(f"/v1/jobs/{job['id']}/{name}" for name, *_ in TEXT_OUTPUTS)]
    for path in paths:  # the owner's other keys see all of it
        r = tenants.call("acme-rev", "GET", path)
        if "/captions." in path:  # no transcript: no caption track, and it says so
            assert (r.status_code, r.json()["error"]["code"]) == (404, "no_transcript"), path
        else:
            assert r.status_code == 200, path
    unknown = tenants.call("globex-bot", "GET", f"/v1/jobs/{'0' * 32}").json()
    # Every tenant but acme, the settings' admin of 'default' included.
    for who in ("globex-bot", "legacy"):
        for path in paths:
            r = tenants.call(who, "GET", path)
            assert r.status_code == 404, (who, path)
            # The same answer as for an id that does not exist.
            assert r.json()["error"] == {**unknown["error"], "message": unknown["error"][
                "message"].replace("0" * 32, job["id"])}
        assert tenants.call(who, "GET", "/v1/jobs").json()["items"] == []
        for params in ({}, {"purge": "true"}):
            assert tenants.call(who, "DELETE", f"/v1/jobs/{job['id']}",
                                params=params).status_code == 404
    assert [j["id"] for j in tenants.call("acme-bot", "GET", "/v1/jobs").json()["items"]] == [
        job["id"]]
    assert store.get(job["id"]).result_json is not None  # nothing was purged


def test_idempotency_keys_and_batches_are_per_tenant(tenants, clip):
    key = {"Idempotency-Key": "nightly-1"}
    mine = tenants.call("acme-bot", "POST", "/v1/jobs", json={"path": "a.mp4"}, headers=key)
    theirs = tenants.call("globex-bot", "POST", "/v1/jobs", json={"path": "b.mp4"}, headers=key)
    assert (mine.status_code, theirs.status_code) == (202, 202)
    assert mine.json()["id"] != theirs.json()["id"]
    # A replay answers within the tenant only; the other tenant's body is no conflict.
    again = tenants.call("acme-rev", "POST", "/v1/jobs", json={"path": "a.mp4"}, headers=key)
    assert again.status_code == 200 and again.json()["id"] == mine.json()["id"]
    upload = {"file": ("c.mp4", clip.read_bytes(), "video/mp4")}
    u1 = tenants.call("acme-bot", "POST", "/v1/jobs", files=upload, headers={
        "Idempotency-Key": "up-1"})
    u2 = tenants.call("globex-bot", "POST", "/v1/jobs", files=upload, headers={
        "Idempotency-Key": "up-1"})
    assert (u1.status_code, u2.status_code) == (202, 202)
    assert u2.json()["tenant"] == "globex" and u1.json()["id"] != u2.json()["id"]
    batch = {"jobs": [{"path": "a.mp4"}, {"path": "b.mp4"}]}
    b1 = tenants.call("globex-bot", "POST", "/v1/jobs/batch", json=batch, headers=key)
    b2 = tenants.call("acme-bot", "POST", "/v1/jobs/batch", json=batch, headers=key)
    assert {j["tenant"] for j in b1.json()["jobs"]} == {"globex"}
    assert {j["id"] for j in b1.json()["jobs"]}.isdisjoint(j["id"] for j in b2.json()["jobs"])
    listed = {j["id"] for j in tenants.call("globex-bot", "GET", "/v1/jobs").json()["items"]}
    assert listed == {theirs.json()["id"], u2.json()["id"], *(j["id"] for j in b1.json()["jobs"])}


def test_keys_are_checked_and_revoked_keys_stop_at_once(tenants):
    token = tenants.tokens["acme-bot"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for headers, message in (({}, "missing"), ({"X-API-Key": forged}, "not valid"),
                             ({"X-API-Key": "vck_nothing"}, "not valid")):
        r = tenants.client.get("/v1/jobs", headers=headers)
        assert r.status_code == 401 and message in r.json()["error"]["message"]
        assert r.headers["www-authenticate"] == "ApiKey"
    assert tenants.call("acme-bot", "GET", "/v1/jobs").status_code == 200
    used = {k.name: k for k in tenants.client.app.state.store.keys.listed()}
    assert used["acme-bot"].last_used_at is not None and used["globex-bot"].last_used_at is None
    tenants.client.app.state.store.keys.revoke("acme-bot", "acme")
    r = tenants.call("acme-bot", "GET", "/v1/jobs")
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]


def test_roles(tenants):
    for who, status in (("acme-bot", 403), ("globex-bot", 403), ("acme-rev", 200),
                        ("acme-admin", 200), ("legacy", 200)):
        r = tenants.call(who, "POST", "/v1/probe/review")
        assert r.status_code == status, who
        if status == 403:
            assert r.json()["error"]["code"] == "forbidden"
            assert "needs a reviewer" in r.json()["error"]["message"]
    assert tenants.call("acme-rev", "POST", "/v1/probe/review").json() == {
        "acted_as": "acme-rev"}
    for who in ("acme-bot", "acme-rev"):
        assert tenants.call(who, "GET", "/v1/keys").status_code == 403
        assert tenants.call(who, "POST", "/v1/keys", json={"name": "x", "role": "admin"}
                            ).status_code == 403


def test_an_admin_manages_only_its_own_tenants_keys(tenants):
    listed = tenants.call("acme-admin", "GET", "/v1/keys").json()["items"]
    assert {(k["name"], k["tenant"], k["source"]) for k in listed} == {
        ("acme-admin", "acme", "store"), ("acme-bot", "acme", "store"),
        ("acme-rev", "acme", "store")}
    made = tenants.call("acme-admin", "POST", "/v1/keys",
                        json={"name": "ci", "role": "submitter"})
    assert made.status_code == 201 and made.json()["tenant"] == "acme"
    token = made.json()["key"]
    job = tenants.client.post("/v1/jobs", json={"path": "a.mp4"}, headers={"X-API-Key": token})
    assert job.json()["submitted_by"] == "ci"
    after = tenants.call("acme-admin", "GET", "/v1/keys")
    assert token not in after.text and "ci" in {k["name"] for k in after.json()["items"]}
    dup = tenants.call("acme-admin", "POST", "/v1/keys", json={"name": "ci", "role": "admin"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "key_exists"
    # Another tenant's key is not there to revoke; the settings' keys are revoked in settings.
    assert tenants.call("acme-admin", "DELETE", "/v1/keys/globex-bot").status_code == 404
    legacy = settings_key_name(API_KEY)
    assert tenants.call("legacy", "DELETE", f"/v1/keys/{legacy}").status_code == 409
    revoked = tenants.call("acme-admin", "DELETE", "/v1/keys/ci")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert tenants.client.get("/v1/jobs", headers={"X-API-Key": token}).status_code == 401
    assert tenants.call("globex-bot", "GET", "/v1/jobs").status_code == 200


def test_dev_mode_acts_as_the_default_tenants_admin(make_settings, clip):
    from api.app import create_app

    settings = make_settings(api_keys=[], dev_mode=True)
    (settings.media_root / "a.mp4").write_bytes(clip.read_bytes())
    with TestClient(create_app(settings)) as client:
        job = client.post("/v1/jobs", json={"path": "a.mp4"}).json()
        assert (job["tenant"], job["submitted_by"]) == ("default", "dev")
        assert client.get("/v1/keys").status_code == 200
        assert client.get("/v1/jobs", headers={"X-API-Key": "wrong"}).status_code == 401


def test_stored_keys_are_enough_to_start(make_settings):
    from api.app import create_app
    from vidclip.jobs.settings import UnsafeSettingsError
    from vidclip.jobs.store import JobStore

    settings = make_settings(api_keys=[])
    with pytest.raises(UnsafeSettingsError, match="vidclip keys create"):
        create_app(settings)
    store = JobStore(settings.database_url)
    _, token = store.keys.create("ops", Role.ADMIN, "default")
    store.close()
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/jobs", headers={"X-API-Key": token}).status_code == 200
