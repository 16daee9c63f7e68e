"""A tenant's own moderation policies, through the real API and store: an admin
uploads YAML (PUT), every key of the tenant lists and reads it, a job that
names it is pinned to its latest version and a worker's pipeline runs it;
another tenant neither sees nor uses it; bad YAML, a policy the moderation
code refuses, aliases, a huge or mistyped body are refused with one line each;
the calibration report and its page work for an uploaded policy."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from vidclip.jobs.policy_uploads import POLICY_MAX_BYTES
from vidclip.jobs.principal import Role

pytestmark = pytest.mark.service

STRICT = """\
name: whatever-the-file-says
categories:
  - name: weapons
    prompts: ["a photo of a gun", "a photo of a rifle"]
    negative_prompts: ["a photo of a toy gun"]
    threshold: 0.55
  - name: smoking
    prompts: ["a person smoking a cigarette"]
    threshold: 0.6
    min_duration_s: 1
"""
YAML = {"Content-Type": "application/yaml"}


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]

    def __call__(self, who: str, method: str, url: str, **kw):
        headers = {"X-API-Key": self.tokens[who], **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)

    def put(self, who: str, name: str, body: str | bytes, **kw):
        return self(who, "PUT", f"/v1/policies/{name}", content=body,
                    headers={**YAML, **kw.pop("headers", {})}, **kw)


@pytest.fixture
def api(make_settings, clip):
    from api.app import create_app

    settings = make_settings()
    (settings.media_root / "a.mp4").write_bytes(clip.read_bytes())
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        keys = client.app.state.store.keys
        yield Api(client, {name: keys.create(name, role, tenant)[1] for name, role, tenant in (
            ("ana", Role.ADMIN, "acme"), ("rui", Role.REVIEWER, "acme"),
            ("sam", Role.SUBMITTER, "acme"), ("olga", Role.ADMIN, "globex"))})


def _submit(api: Api, who: str, policy: str):
    return api(who, "POST", "/v1/jobs", json={
        "path": "a.mp4", "options": {"moderation": {"enabled": True, "policy": policy}}})


def test_upload_list_read_and_version_a_policy(api):
    made = api.put("ana", "strict", STRICT)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["name"], body["version"], body["source"], body["author"]) == \
        ("strict", 1, "tenant", "ana")
    assert body["document"]["name"] == "strict"  # the URL names it
    assert body["thresholds"] == {"weapons": 0.55, "smoking": 0.6}
    assert made.headers["Location"] == "/v1/policies/strict?version=1"
    # Every key of the tenant sees it beside the bundled ones.
    listed = {p["name"]: p for p in api("sam", "GET", "/v1/policies").json()["items"]}
    assert listed["strict"]["version"] == 1 and listed["default"]["source"] == "bundled"
    assert api("sam", "GET", "/v1/policies/strict").json()["document"]["categories"][0][
        "name"] == "weapons"
    # The same again writes nothing; a change is the next version.
    assert api.put("ana", "strict", STRICT).status_code == 200
    second = api.put("ana", "strict", STRICT.replace("0.55", "0.7"), params={"note": "fewer"})
    assert second.status_code == 201 and second.json()["version"] == 2
    assert second.json()["note"] == "fewer"
    assert api("rui", "GET", "/v1/policies/strict", params={"version": 1}).json()[
        "thresholds"]["weapons"] == 0.55
    stale = api.put("ana", "strict", STRICT, params={"base_version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "policy_changed"


def test_only_an_admin_uploads(api):
    for who in ("sam", "rui"):
        refused = api.put(who, "strict", STRICT)
        assert refused.status_code == 403, refused.text
    assert api("sam", "GET", "/v1/policies/strict").status_code == 404


@pytest.mark.slow
def test_a_job_is_pinned_to_the_latest_version_and_a_worker_runs_it(api, clip):
    from vidclip.jobs.options import worker_config
    from vidclip.pipeline import Pipeline

    api.put("ana", "strict", STRICT)
    api.put("ana", "strict", STRICT.replace("0.55", "0.7"))
    job = _submit(api, "sam", "strict")
    assert job.status_code == 202, job.text
    store, settings = api.client.app.state.store, api.client.app.state.settings
    options = store.get(job.json()["id"]).options
    assert options["policy_version"] == 2
    assert options["analysis"]["moderation"]["document"]["categories"][0]["threshold"] == 0.7
    api.put("ana", "strict", STRICT.replace("0.55", "0.9"))  # a later version ...
    assert store.get(job.json()["id"]).options == options  # ... never re-judges the job
    result = Pipeline(worker_config(options, settings))(clip)
    assert (result.moderation.policy, result.moderation.policy_version) == ("strict", "2")
    assert [c.category for c in result.moderation.categories] == ["weapons", "smoking"]
    assert result.moderation.categories[0].threshold == 0.7


def test_another_tenant_neither_sees_nor_uses_it(api):
    api.put("ana", "strict", STRICT)
    assert api("olga", "GET", "/v1/policies/strict").status_code == 404
    assert "strict" not in {p["name"] for p in api("olga", "GET", "/v1/policies").json()["items"]}
    refused = _submit(api, "olga", "strict")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unknown_policy"
    assert "default" in refused.json()["error"]["message"]
    # Its own policy of the same name is its own, from version 1.
    own = api.put("olga", "strict", STRICT.replace("0.55", "0.8"))
    assert own.status_code == 201 and own.json()["version"] == 1
    assert api("ana", "GET", "/v1/policies/strict").json()["thresholds"]["weapons"] == 0.55


def test_a_bundled_name_gets_the_tenants_next_version(api):
    bundled = api("sam", "GET", "/v1/policies/default").json()
    made = api.put("ana", "default", STRICT)
    assert made.status_code == 201 and made.json()["version"] == bundled["version"] + 1
    assert made.json()["source"] == "bundled"
    job = _submit(api, "sam", "default").json()
    pinned = api.client.app.state.store.get(job["id"]).options["analysis"]["moderation"]
    assert [c["name"] for c in pinned["document"]["categories"]] == ["weapons", "smoking"]
    assert api("olga", "GET", "/v1/policies/default").json()["version"] == bundled["version"]


@pytest.mark.parametrize("body, message", [
    ("categories: [\n  {name: weapons", r"not valid YAML: .*line \d+, column \d+"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("categories:\n  - {name: Weapons, prompts: [a gun], threshold: 0.5}\n", "snake_case"),
    ("categories:\n  - {name: weapons, prompts: [a gun], threshold: 2}\n",
     "threshold between 0 and 1"),
    ("categories:\n  - {name: weapons, threshold: 0.5}\n", "has no prompts"),
    ("categories: []\n", "no enabled category"),
    ("base: &b {name: weapons, prompts: [a gun], threshold: 0.5}\ncategories: [*b]\n",
     "anchors or aliases"),
    ("when: 2024-01-01\ncategories:\n  - {name: weapons, prompts: [a gun], threshold: 0.5}\n",
     "values other than text"),
    ("!!python/object:os.system {}\n", "not valid YAML"),
    (b"\xff\xfe not text", "not UTF-8"),
], ids=["syntax", "list", "name", "threshold", "prompts", "empty", "alias", "date",
        "python-tag", "binary"])
def test_a_bad_policy_is_refused_in_one_line(api, body, message):
    refused = api.put("ana", "strict", body)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "invalid_policy" and re.search(message, error["message"]), error
    assert "\n" not in error["message"]
    assert api("ana", "GET", "/v1/policies/strict").status_code == 404  # nothing stored


def test_a_huge_mistyped_or_misnamed_upload_is_refused(api):
    huge = STRICT + "# " + "x" * POLICY_MAX_BYTES + "\n"
    assert api.put("ana", "strict", huge).status_code == 413

    def chunks():
        for _ in range(POLICY_MAX_BYTES // 1000 + 2):
            yield b"#" * 1000 + b"\n"

    streamed = api.put("ana", "strict", chunks())  # no Content-Length: counted as it comes
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "too_large"
    typed = api.put("ana", "strict", STRICT, headers={"Content-Type": "image/png"})
    assert typed.status_code == 415
    assert api.put("ana", "Strict", STRICT).status_code == 422
    assert api.put("ana", "../etc", STRICT).status_code in (404, 422)
    assert api.put("ana", "strict", STRICT).status_code == 201


def test_the_report_and_its_page_work_for_an_uploaded_policy(api):
    api.put("ana", "strict", STRICT)
    report = api("rui", "GET", "/v1/moderation/report", params={"policy": "strict"})
    assert report.status_code == 200, report.text
    assert {c["category"] for c in report.json()["categories"]} == {"weapons", "smoking"}
    versions = api("rui", "GET", "/v1/moderation/policies/strict/versions").json()["items"]
    assert [v["version"] for v in versions] == [1]
    applied = api("ana", "POST", "/v1/moderation/policies/strict/versions",
                  json={"base_version": 1, "thresholds": {"weapons": 0.65}})
    assert applied.status_code == 201 and applied.json()["version"] == 2
    assert api("olga", "GET", "/v1/moderation/report",
               params={"policy": "strict"}).status_code == 404
    page = _signed_in(api, "rui").get("/ui/moderation", params={"policy": "strict"})
    assert page.status_code == 200 and "strict" in page.text
    assert '<option value="strict" selected' in page.text
    other = _signed_in(api, "olga").get("/ui/moderation", params={"policy": "strict"})
    assert other.status_code == 404


def _signed_in(api: Api, who: str) -> TestClient:
    client = api.client
    client.cookies.clear()
    form = client.get("/ui/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    done = client.post("/ui/sign-in", data={"key": api.tokens[who], "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return client


def test_checking_an_upload_imports_no_model_or_decoder_code(tmp_path):
    """The API checks a policy with the moderation code's own parser, which must stay
    free of what a worker loads (models, decoders, scene detection)."""
    from tests.service.test_api_security import assert_no_model_code

    assert_no_model_code(
        "from fastapi.testclient import TestClient\nimport api.app\n"
        "from vidclip.jobs.settings import Settings\n"
        f"app = api.app.create_app(Settings(dev_mode=True, data_dir={str(tmp_path)!r}))\n"
        "with TestClient(app) as client:\n"
        f"    r = client.put('/v1/policies/strict', content={STRICT!r},\n"
        "                   headers={'Content-Type': 'application/yaml'})\n"
        "assert r.status_code == 201, r.text")
