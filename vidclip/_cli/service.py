"""``vidclip serve``, ``vidclip worker`` and ``vidclip up`` (one machine, one command).

Settings come from ``VIDCLIP_*`` variables (see docker/README.md); the options
here override the few that differ per process. Heavy imports (uvicorn, Celery,
torch) happen inside the commands, so ``vidclip --help`` stays fast.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import click

from vidclip.errors import VidclipError
from vidclip.logs import add_secrets

#: What ``vidclip worker --queues`` takes (vidclip.jobs.names.Queue).
QUEUES = ("analyze", "caption", "index", "query")


def _settings(**overrides):
    from vidclip.jobs.settings import Settings

    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
        add_secrets(settings.secret_values())
        return settings
    except VidclipError as exc:
        raise click.ClickException(exc.message) from exc
    except ValueError as exc:  # pydantic's ValidationError: a bad VIDCLIP_* value
        raise click.ClickException(f"invalid settings: {exc}") from exc


def _checked(settings):
    from vidclip.jobs.store import check_safe

    try:
        check_safe(settings)  # keys made with `vidclip keys create` count too
    except VidclipError as exc:
        raise click.ClickException(exc.message) from exc
    for note in settings.warnings():
        click.echo(f"note: {note}", err=True)
    return settings


def _uvicorn_logging() -> dict:
    """uvicorn logs through the root handler (text or JSON, redacted), its
    access log at INFO as before, or lower with -vv."""
    level = min(logging.getLogger().getEffectiveLevel(), logging.INFO)
    return {"log_config": None, "log_level": logging.getLevelName(level).lower()}


def multiprocess_metrics(settings) -> Path:
    """Point prometheus_client at an empty multiprocess directory; must run before
    anything in this process imports it (its mode is chosen at import)."""
    directory = settings.metrics_dir or Path(tempfile.mkdtemp(prefix="vidclip-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):  # values of an earlier run would be added in
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


def _run_api(settings, workers: int = 1) -> None:
    import uvicorn

    if workers > 1:
        # Each uvicorn process builds its app from the environment; their metrics
        # meet in one multiprocess directory, so any of them answers /metrics for all.
        multiprocess_metrics(settings)
        os.environ.update(settings.to_env())
        uvicorn.run("api.app:create_app_from_env", factory=True, host=settings.host,
                    port=settings.port, workers=workers, proxy_headers=True,
                    **_uvicorn_logging())
        return
    from api.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, proxy_headers=True,
                **_uvicorn_logging())


@click.command()
@click.option("--host", default=None, help="Address to bind [VIDCLIP_HOST, default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [VIDCLIP_PORT, default 8000].")
@click.option("--workers", type=int, default=1, show_default=True,
              help="API processes (uvicorn workers).")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the HTTP API (needs the broker and the job store; no model is loaded)."""
    _run_api(_checked(_settings(host=host, port=port)), workers)


#: Jobs at once in a GPU worker's one process when VIDCLIP_WORKER_SHARED_BATCH is unset:
#: enough short videos to keep the GPU's batches full, few enough that each job's
#: decoder thread keeps up.
GPU_SHARED_BATCH = 4


def _with_shared_batch_default(settings, queues: str):
    """Shared batches by default where they are the fast path and safe: a worker
    whose model runs on a GPU. A CPU worker keeps one job per pool process, each
    under the hard time limit the thread pool cannot enforce."""
    if settings.worker_shared_batch is not None:
        return settings
    analyses = "analyze" in {q.strip() for q in queues.split(",")}
    shared = GPU_SHARED_BATCH if analyses and _model_on_gpu(settings.model.device) else 0
    return settings.model_copy(update={"worker_shared_batch": shared})


def _model_on_gpu(device: str) -> bool:
    if device == "auto":
        import torch  # the worker loads it for its model anyway

        return torch.cuda.is_available()
    return device.startswith("cuda")


def _worker_argv(settings, queues: str, concurrency: int, pool: str, loglevel: str,
                 name: str | None) -> list[str]:
    names = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = [q for q in names if q not in QUEUES]
    if unknown or not names:
        raise click.BadParameter(f"choose from {', '.join(QUEUES)}", param_hint="--queues")
    argv = ["worker", "-Q", ",".join(settings.queue_name(q) for q in names),
            "-c", str(concurrency), "-P", pool, "-l", loglevel,
            "--without-gossip", "--without-mingle"]
    if name:
        argv += ["-n", name]
    return argv


@click.command()
@click.option("-Q", "--queues", default="analyze,caption", show_default=True,
              help="Queues to take jobs from: analyze (model), caption (language model, I/O), "
              "index (the search index's one writer: one process), query (search; model).")
@click.option("-c", "--concurrency", type=int, default=1, show_default=True,
              help="Pool processes; on a GPU machine one per GPU (each loads the model once).")
@click.option("-P", "--pool", type=click.Choice(["prefork", "solo", "threads"]),
              default="prefork", show_default=True)
@click.option("-l", "--loglevel", default="info", show_default=True)
@click.option("-n", "--hostname", "name", default=None, help="Worker name (default: host).")
def worker(queues: str, concurrency: int, pool: str, loglevel: str, name: str | None) -> None:
    """Run a Celery worker that analyses and captions queued jobs."""
    settings = _with_shared_batch_default(_settings(), queues)
    if settings.shares_batches:
        # N jobs at once in one process, one model: a thread each (workers.runtime).
        pool, concurrency = "threads", settings.worker_shared_batch
        click.echo(f"{concurrency} jobs at once in one process, sharing the model's batches "
                   "(VIDCLIP_WORKER_SHARED_BATCH)", err=True)
    if settings.torch_threads is None:
        # Each pool process would otherwise start one thread per core.
        processes = 1 if pool == "threads" else concurrency
        per_process = max(1, (os.cpu_count() or 1) // max(1, processes))
        settings = settings.model_copy(update={"torch_threads": per_process})
    argv = _worker_argv(settings, queues, concurrency, pool, loglevel, name)
    if settings.worker_metrics_port:
        multiprocess_metrics(settings)
    from workers import runtime
    from workers.app import create_app

    app = create_app(settings)
    runtime.current().preload_model = bool({"analyze", "query"} & set(queues.split(",")))
    runtime.current().queues = [q.strip() for q in queues.split(",") if q.strip()]
    if runtime.current().preload_model:
        runtime.preimport()
    if settings.worker_metrics_port:
        from workers.metrics import serve

        serve(settings.host, settings.worker_metrics_port)
        click.echo(f"worker metrics on http://{settings.host}:{settings.worker_metrics_port}"
                   "/metrics", err=True)
    app.worker_main(argv)


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except redis.RedisError:
        return False


def _start_redis(url: str) -> subprocess.Popen | None:
    """A private redis-server for single-machine mode, when none is running locally."""
    parts = urlsplit(url)
    binary = shutil.which("redis-server")
    if parts.hostname not in ("127.0.0.1", "localhost") or binary is None:
        return None
    proc = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(parts.port or 6379),
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    for _ in range(50):
        if _redis_reachable(url):
            return proc
        time.sleep(0.1)
    proc.terminate()
    return None


def _exit_on_signal(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@click.command()
@click.option("--dev", is_flag=True, help="Development mode: no API key needed (binds "
              "127.0.0.1 unless --host says otherwise).")
@click.option("--host", default=None, help="Address to bind [VIDCLIP_HOST].")
@click.option("--port", type=int, default=None, help="Port [VIDCLIP_PORT].")
@click.option("-c", "--concurrency", type=int, default=1, show_default=True,
              help="Worker processes analysing at once.")
def up(dev: bool, host: str | None, port: int | None, concurrency: int) -> None:
    """One machine: the API, a worker (child process) and, if needed, a local Redis.

    Jobs are stored in SQLite under VIDCLIP_DATA_DIR unless VIDCLIP_DATABASE_URL says
    otherwise. Stop everything with Ctrl-C.
    """
    settings = _checked(_settings(host=host, port=port, dev_mode=True if dev else None))
    redis_proc = None
    if not _redis_reachable(settings.broker_url):
        redis_proc = _start_redis(settings.broker_url)
        if redis_proc is None:
            raise click.ClickException(
                f"no Redis at {settings.broker_url} and none could be started here; install "
                "redis-server or point VIDCLIP_BROKER_URL at one.")
        click.echo(f"started redis-server for {settings.broker_url}", err=True)
    env = {**os.environ, **settings.to_env()}
    worker_proc = subprocess.Popen(
        # One machine: this worker also writes the search index (its lock admits one
        # writer at a time) and answers searches.
        [sys.executable, "-m", "vidclip._cli.main", "worker", "-c", str(concurrency),
         "-Q", ",".join(QUEUES)], env=env)
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"vidclip API on {base} (docs: {base}/docs); worker pid {worker_proc.pid}",
               err=True)
    # uvicorn re-raises the SIGTERM it caught once it has shut down; with the
    # default handler that would end this process before the worker is stopped.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        _run_api(settings)
    finally:
        _stop(worker_proc)
        _stop(redis_proc)
