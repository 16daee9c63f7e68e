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
import time
import uuid
from contextlib import contextmanager
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


# One browser per test file, not per session: between files xdist may hand this
# process non-browser work for many minutes, and an idle headless Chromium has been
# seen spinning a renderer at full CPU all that time, starving the other process.
@pytest.fixture(scope="module")
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
    worker: WorkerProcess | None
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


@contextmanager
def serving(base: Path, redis: str, worker_queues: str | None = None, **overrides):
    """The API on a free port (settings from arguments only, never the caller's
    shell), and a worker for ``worker_queues`` when given."""
    from api.app import create_app

    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("VIDCLIP_") and name != "VIDCLIP_CACHE_DIR":
                mp.delenv(name)
        settings = service_settings(base, redis, **overrides)
        app = create_app(settings)
        worker = (WorkerProcess(settings, base / "worker.log", "-Q", worker_queues)
                  if worker_queues else None)
        try:
            with LiveServer(app) as server:
                yield Service(server.url, settings, worker, app)
        finally:
            if worker is not None:
                worker.stop()


@pytest.fixture(scope="module")
def service(tmp_path_factory, redis_url):  # noqa: F811  (the imported fixture)
    """The API on a free port, and one worker (analyze, caption, index and query)."""
    # One process serves every queue: jobs, the index's one writer, and search.
    with serving(tmp_path_factory.mktemp("ui-service"), redis_url,
                 "analyze,caption,index,query") as live:
        yield live


@pytest.fixture(scope="module")
def dev_service(tmp_path_factory, redis_url):  # noqa: F811
    """Development mode, no keys, no worker, no search route: the pages need no sign-in."""
    with serving(tmp_path_factory.mktemp("ui-dev"), redis_url, dev_mode=True, keys=[],
                 search_enabled=False) as live:
        yield live


@pytest.fixture(scope="module")
def hand_service(tmp_path_factory, redis_url):  # noqa: F811
    """The API with the test keys and no worker: its jobs are written into the store
    by hand (``tests.results.store_finished``), as a worker would write them."""
    with serving(tmp_path_factory.mktemp("ui-hand"), redis_url) as live:
        yield live


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


def api(service: Service, who: str):
    """An HTTP client acting with one test key."""
    import httpx

    return httpx.Client(base_url=service.url, headers={"X-API-Key": token(who)}, timeout=30)


def wait_js(page, expression: str, arg=None, timeout_s: float = 20.0) -> None:
    """Wait until a JavaScript expression is true in the page. Polled from here with
    ``page.evaluate``: Playwright's ``wait_for_function`` polls with ``new Function``
    inside the page, which the pages' Content-Security-Policy (no eval) forbids."""
    script = f"(arg) => Boolean({expression})"
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_s} s: {expression}")
        time.sleep(0.1)
