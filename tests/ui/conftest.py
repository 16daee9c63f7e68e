"""Browser tests of the review app: Playwright driving Debian's Chromium against a
live API server and a real worker, with axe-core checking every page.

Chromium is the system's (``apt-get install chromium``; ``VIDCLIP_CHROMIUM``
names another binary): Playwright cannot download its own build here. Tests
skip with the reason when Playwright, the browser, Redis or the real clips
are missing. Every page a test looks at is saved as a screenshot in
``test-artifacts/screenshots/`` (git-ignored), to be looked at.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED_MEDIA
from tests.service.conftest import (  # noqa: F401  (fixtures used by the tests here)
    LiveServer,
    WorkerProcess,
    build_settings,
    clear_vidclip_env,
    clip,
    redis_url,
)

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: The keys of the two tenants the tests act as.
KEYS = {"ana": ("admin", "acme"), "rui": ("reviewer", "acme"), "sam": ("submitter", "acme"),
        "olga": ("admin", "globex")}
#: Fast jobs with the tiny model, moderation on (the queue needs flags).
UI_OPTIONS = {"tags": {"labels": ["cat", "dog", "car", "tree", "person"],
                       "templates": "single"}}


def chromium_path() -> str | None:
    candidate = os.environ.get("VIDCLIP_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    return candidate if candidate and Path(candidate).exists() else None


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright is not installed (pip install playwright)")
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium to drive: apt-get install chromium (or set VIDCLIP_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken install: say so instead of failing every test
            pytest.skip(f"Chromium at {path} did not start: {exc}")
        yield browser
        browser.close()


def token(name: str) -> str:
    """Each test key: long and random per run, as settings require."""
    return f"{name}-{SESSION_SECRET}"


SESSION_SECRET = uuid.uuid4().hex


@dataclass
class Service:
    url: str
    settings: object
    worker: WorkerProcess
    app: object

    @property
    def store(self):
        return self.app.state.store


def service_settings(base: Path, redis: str, **overrides):
    if not SHARED_MEDIA.is_dir():
        pytest.skip(f"real clips not present: {SHARED_MEDIA}")
    keys = [{"name": n, "role": r, "tenant": t, "key": token(n)} for n, (r, t) in KEYS.items()]
    values = dict(api_keys=[], keys=keys, default_options=UI_OPTIONS, media_root=SHARED_MEDIA,
                  allow_private_urls=False)
    values.update(overrides)
    return build_settings(base, redis, **values)


@pytest.fixture(scope="module")
def service(tmp_path_factory, redis_url):  # noqa: F811  (the imported fixture)
    """The API on a free port, and one worker (analyze, caption, index and query)."""
    from api.app import create_app

    base = tmp_path_factory.mktemp("ui-service")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("VIDCLIP_") and name != "VIDCLIP_CACHE_DIR":
                mp.delenv(name)
        settings = service_settings(base, redis_url)
        app = create_app(settings)
        # One process serves every queue: jobs, the index's one writer, and search.
        worker = WorkerProcess(settings, base / "worker.log", "-Q", "analyze,caption,index,query")
        try:
            with LiveServer(app) as server:
                yield Service(server.url, settings, worker, app)
        finally:
            worker.stop()


@pytest.fixture(scope="module")
def dev_service(tmp_path_factory, redis_url):  # noqa: F811
    """Development mode, no keys, no worker, no search route: the pages need no sign-in."""
    from api.app import create_app

    base = tmp_path_factory.mktemp("ui-dev")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("VIDCLIP_") and name != "VIDCLIP_CACHE_DIR":
                mp.delenv(name)
        settings = service_settings(base, redis_url, dev_mode=True, keys=[],
                                    search_enabled=False)
        app = create_app(settings)
        with LiveServer(app) as server:
            yield Service(server.url, settings, None, app)  # type: ignore[arg-type]


@pytest.fixture
def new_page(browser):
    """A fresh browser context (its own cookies) per person acting."""
    contexts = []

    def make(viewport=(1440, 1000)):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                      accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, service: Service, who: str, next_path: str = "/ui/jobs") -> None:
    page.goto(f"{service.url}{next_path}")
    page.get_by_label("API key").fill(token(who))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}*")


def look(page, name: str) -> None:
    """Screenshot the page for people to look at, and hold it to axe-core: no
    serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in bad)
