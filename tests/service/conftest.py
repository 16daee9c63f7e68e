"""Fixtures of the service tests: the real Redis and PostgreSQL on this machine,
settings for one test, a live API server, and real worker processes.

Isolation from other runs: Redis database ``VIDCLIP_TEST_REDIS_DB`` (default
13) with queue names prefixed per session, and a PostgreSQL schema per
session, dropped at the end. Unreachable services skip their tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REDIS_DB = int(os.environ.get("VIDCLIP_TEST_REDIS_DB", "13"))
PG_URLS = ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
           "postgresql+psycopg://root@127.0.0.1:5432/test")
SESSION = uuid.uuid4().hex[:8]

#: Analysis options that make a job fast with the tiny model (3 labels, one
#: template, no moderation policy to embed).
FAST_OPTIONS = {"tags": {"labels": ["cat", "dog", "car"], "templates": "single"},
                "moderation": {"enabled": False},
                # The service machinery under test, not reading or hearing: the tests of
                # those stages run them (and the UI tests store such results by hand).
                "text": {"backend": "off"}, "speech": {"backend": "off"}}
API_KEY = "test-key-0123456789abcdef"
#: The workers' model for tests that act in the middle of a job (kill, cancel):
#: ViT-B-32 with random weights (real compute, nothing to download) in batches
#: of 8, so a job of ``long_clip`` takes seconds and reports progress often.
#: The tiny model would finish it before the test could act.
SLOW_MODEL = {"name": "ViT-B-32", "pretrained": "", "batch_size": 8}


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    if not _port_open("127.0.0.1", 6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    yield url
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*t{SESSION}-*"):
        client.delete(key)


@pytest.fixture(scope="session")
def pg_url():
    if not _port_open("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (.ci/run starts it)")
    import sqlalchemy as sa

    schema = f"vidclip_test_{SESSION}"
    for url in PG_URLS:
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            break
        except sa.exc.OperationalError:
            engine.dispose()
    else:
        pytest.skip("PostgreSQL refused users postgres and root on database 'test'")
    yield f"{url}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(database_url):
    """An empty job store on each backend; its tables are dropped afterwards."""
    from vidclip.jobs.store import JobStore
    from vidclip.jobs.tables import Base

    store = JobStore(database_url)
    store.create_schema()
    yield store
    Base.metadata.drop_all(store.engine)
    store.close()


def build_settings(base: Path, redis_url: str, **overrides):
    """Test settings under ``base``: tiny model, fast options, own queue names."""
    from vidclip.jobs.settings import Settings

    (base / "root").mkdir(parents=True, exist_ok=True)
    values = dict(data_dir=base / "data", broker_url=redis_url,
                  queue_prefix=f"t{SESSION}-{uuid.uuid4().hex[:6]}-", api_keys=[API_KEY],
                  media_root=base / "root", model={"name": "tiny-test"},
                  default_options=FAST_OPTIONS, lease_s=4.0, retry_backoff_s=0.5,
                  visibility_timeout_s=600)
    values.update(overrides)
    return Settings(**values)


def clear_vidclip_env(monkeypatch) -> None:
    """Settings in tests come from arguments, never from the caller's shell."""
    for name in list(os.environ):
        if name.startswith("VIDCLIP_") and name != "VIDCLIP_CACHE_DIR":
            monkeypatch.delenv(name)


@pytest.fixture
def make_settings(tmp_path, monkeypatch, redis_url):
    clear_vidclip_env(monkeypatch)
    return lambda **overrides: build_settings(tmp_path, redis_url, **overrides)


class LiveServer:
    """The API app served by uvicorn in a thread: real HTTP on a free port."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class VidclipProcess:
    """A ``vidclip`` command in its own process group, settings passed by
    environment, its output appended to ``log_path``."""

    STOP_TIMEOUT_S = 15

    def __init__(self, settings, log_path: Path, command: list[str], **env_extra: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIDCLIP_")}
        env.update(settings.to_env(), PYTHONPATH=str(REPO), **env_extra)
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vidclip._cli.main", *command],
            cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the whole group (parent and pool processes), as a crash would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=self.STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class WorkerProcess(VidclipProcess):
    """``vidclip worker``, offline, with the suite's text cache."""

    def __init__(self, settings, log_path: Path, *extra: str):
        super().__init__(settings, log_path, ["worker", "-c", "1", "-l", "info", *extra],
                         HF_HUB_OFFLINE="1",
                         VIDCLIP_CACHE_DIR=os.environ.get("VIDCLIP_CACHE_DIR", ""))


@pytest.fixture
def start_worker(tmp_path):
    started: list[WorkerProcess] = []

    def start(settings, *extra: str) -> WorkerProcess:
        worker = WorkerProcess(settings, tmp_path / f"worker-{len(started)}.log", *extra)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    """2 s, two shots, 160x96: analysed in well under a second by the tiny model."""
    from vidclip.testing.synthetic import make_montage

    path = tmp_path_factory.mktemp("service-clips") / "two-shots.mp4"
    make_montage(path, [25, 25], [("cut", 0)], size=(160, 96), write_truth=False)
    return path


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory) -> Path:
    """160 frames, two shots, 96x64: with every frame sampled and SLOW_MODEL,
    about ten seconds' work on 2 cores."""
    from vidclip.testing.synthetic import make_montage

    path = tmp_path_factory.mktemp("service-clips") / "long.mp4"
    make_montage(path, [80, 80], [("cut", 0)], size=(96, 64), write_truth=False)
    return path


def wait_until_ready(http, timeout: float = 60.0) -> int | None:
    """Poll ``/readyz`` through an ``httpx.Client`` of a server started as a process;
    its last status code (None: not answering)."""
    import httpx

    def ready():
        try:
            return http.get("/readyz").status_code
        except httpx.TransportError:
            return None

    return wait_for(ready, lambda code: code == 200, timeout=timeout)


def wait_for(fetch, predicate, timeout: float = 60.0, every: float = 0.1):
    """Poll ``fetch()`` until ``predicate(value)``; the last value either way."""
    deadline = time.monotonic() + timeout
    value = fetch()
    while not predicate(value) and time.monotonic() < deadline:
        time.sleep(every)
        value = fetch()
    return value
