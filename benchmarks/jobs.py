"""Service throughput: jobs per minute through the API and N Celery workers.

    python benchmarks/jobs.py                       # 8 jobs of a 20 s 640x360 clip, 1 and 2 workers
    python benchmarks/jobs.py --workers 1,2,4 --jobs 12 --database postgresql
    python benchmarks/jobs.py --smoke               # tiny model, 2 jobs: checks that it all runs

Each configuration starts the real service -- ``vidclip serve`` and
``vidclip worker --concurrency N`` as child processes, the local Redis, the
job store on SQLite (or PostgreSQL) -- waits until every worker process has
finished one warm-up job (model loaded, vocabulary embedded), then uploads
``--jobs`` copies of the clip over HTTP and polls until all are final.
Jobs per minute counts from the first upload to the last final status.

The baseline, in the same run, is the core library in one process:
``Pipeline.run`` on the same clip ``--jobs`` times, model already loaded.
``service / library`` is then what the service adds (uploads, queueing,
store writes, result files) or wins (several processes).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import _common

FINAL = ("succeeded", "failed", "cancelled")
REDIS_URL = "redis://127.0.0.1:6379/14"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def make_clip(seconds: float, width: int, height: int) -> Path:
    from vidclip.testing.synthetic import make_montage

    fps = 25
    path = _common.cache_dir() / f"jobs-{seconds:g}s-{width}x{height}.mp4"
    if not path.exists():
        shot = int(seconds * fps / 4)
        make_montage(path, [shot] * 4, [("cut", 0), ("dissolve", 12), ("cut", 0)],
                     size=(width, height), fps=fps, write_truth=False)
    return path


def job_options(args) -> dict:
    return {"sampling": {"fps": args.fps}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- baseline: the library in one process ------------------------------------------------

def run_library(args) -> dict:
    from vidclip.config import AnalysisConfig, ModelOptions
    from vidclip.pipeline import Pipeline

    clip = make_clip(args.clip_seconds, *args.size)
    cfg = AnalysisConfig.model_validate({**job_options(args), "model": ModelOptions(
        name=args.model, pretrained=None).model_dump()})
    pipe = Pipeline(cfg)
    pipe.setup()
    pipe.run(clip)  # warm-up, as the workers get one
    t0 = time.perf_counter()
    for _ in range(args.jobs):
        pipe.run(clip)
    wall = time.perf_counter() - t0
    return {"wall_s": round(wall, 2), "jobs_per_min": round(args.jobs / wall * 60, 2),
            "failed": 0}


# -- the service --------------------------------------------------------------------------

def _env(args, data_dir: Path, database_url: str, port: int, workers: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDCLIP_")}
    env.update({
        "VIDCLIP_DATA_DIR": str(data_dir), "VIDCLIP_DATABASE_URL": database_url,
        "VIDCLIP_BROKER_URL": REDIS_URL, "VIDCLIP_QUEUE_PREFIX": f"bench-{uuid.uuid4().hex[:8]}-",
        "VIDCLIP_DEV_MODE": "true", "VIDCLIP_PORT": str(port),
        "VIDCLIP_MODEL__NAME": args.model, "VIDCLIP_MODEL__PRETRAINED": "",
        "VIDCLIP_TORCH_THREADS": str(max(1, (os.cpu_count() or 1) // workers)),
        "PYTHONPATH": str(_common.REPO), "HF_HUB_OFFLINE": "1",
    })
    if os.environ.get("VIDCLIP_CACHE_DIR"):
        env["VIDCLIP_CACHE_DIR"] = os.environ["VIDCLIP_CACHE_DIR"]
    return env


def _database(kind: str, schema: str) -> str:
    if kind == "sqlite":
        return ""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def _drop_queues(prefix: str) -> None:
    """Leave nothing behind in Redis: this run's queues and kombu's bindings."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _submit_and_wait(http, clip: Path, count: int, options: str, timeout: float) -> list[dict]:
    ids = []
    for _ in range(count):
        with open(clip, "rb") as fh:
            r = http.post("/v1/jobs", files={"file": (clip.name, fh, "video/mp4")},
                          data={"options": options})
        r.raise_for_status()
        ids.append(r.json()["id"])
    deadline = time.monotonic() + timeout
    final: dict[str, dict] = {}
    while len(final) < len(ids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(ids) - len(final)} jobs not final after {timeout:.0f} s")
        page = http.get("/v1/jobs", params={"limit": 500}).json()
        for job in page["items"]:
            if job["id"] in ids and job["status"] in FINAL:
                final[job["id"]] = job
        time.sleep(0.2)
    return [final[i] for i in ids]


def run_service(args, workers: int) -> dict:
    import json

    import httpx

    clip = make_clip(args.clip_seconds, *args.size)
    schema = f"vidclip_bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        database_url = _database(args.database, schema) or f"sqlite:///{data_dir / 'jobs.db'}"
        port = free_port()
        env = _env(args, data_dir, database_url, port, workers)
        prefix = env["VIDCLIP_QUEUE_PREFIX"]
        cli = [sys.executable, "-m", "vidclip._cli.main"]
        log = open(data_dir / "service.log", "wb")
        api = subprocess.Popen([*cli, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        worker = subprocess.Popen([*cli, "worker", "-c", str(workers), "-l", "warning"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        options = json.dumps(job_options(args))
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                for _ in range(300):
                    try:
                        if http.get("/readyz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.2)
                # One job per worker process first: models loaded, vocabulary embedded.
                _submit_and_wait(http, clip, workers, options, timeout=900)
                t0 = time.perf_counter()
                jobs = _submit_and_wait(http, clip, args.jobs, options, timeout=3600)
                wall = time.perf_counter() - t0
        except Exception as exc:
            log.flush()
            tail = (data_dir / "service.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{exc}\n--- service log ---\n{tail}") from exc
        finally:
            _stop(api)
            _stop(worker)
            log.close()
            if args.database == "postgresql":
                _drop_schema(schema)
            _drop_queues(prefix)
    failed = [j for j in jobs if j["status"] != "succeeded"]
    if failed:
        print(f"warning: {len(failed)} jobs did not succeed: {failed[0].get('error')}")
    latency = sorted((_seconds(j["finished_at"]) - _seconds(j["created_at"])) for j in jobs)
    return {"wall_s": round(wall, 2), "jobs_per_min": round(args.jobs / wall * 60, 2),
            "failed": len(failed), "p50_latency_s": round(latency[len(latency) // 2], 2)}


def _seconds(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


# -- driver -------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", default="1,2", help="Worker process counts to try (comma list).")
    p.add_argument("--jobs", type=int, default=8, help="Timed jobs per configuration.")
    p.add_argument("--clip-seconds", type=float, default=20.0)
    p.add_argument("--size", type=lambda s: tuple(int(v) for v in s.split("x")),
                   default=(640, 360))
    p.add_argument("--fps", type=float, default=1.0, help="Sampled frames per second.")
    p.add_argument("--model", default="ViT-B-32", help="open_clip model, random weights.")
    p.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--smoke", action="store_true", help="Tiny model, 2 jobs, 1 worker.")
    p.add_argument("--json", help="Also write the figures here.")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.smoke:
        args.workers, args.jobs, args.model = "1", 2, "tiny-test"
        args.clip_seconds, args.size = 4.0, (160, 96)
    return args


def _child_args(args) -> list[str]:
    return ["--jobs", str(args.jobs), "--clip-seconds", str(args.clip_seconds),
            "--size", "x".join(map(str, args.size)), "--fps", str(args.fps),
            "--model", args.model, "--database", args.database]


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child == "library":
        _common.write_child_result(args.child_out, run_library(args))
        return 0
    clip = make_clip(args.clip_seconds, *args.size)
    summary = _common.video_summary(clip)
    print(f"machine: {_common.machine()}")
    print(f"clip: {summary['duration_s']} s {summary['width']}x{summary['height']}, "
          f"{args.jobs} jobs at {args.fps:g} frame/s, model {args.model} (random init), "
          f"store {args.database}")
    rows, figures = [], {}
    base = _common.run_child(Path(__file__), "library", _child_args(args))
    figures["library"] = base
    rows.append(["library, 1 process", base["jobs_per_min"], base["wall_s"], None, 1.0, 0])
    for n in [int(v) for v in str(args.workers).split(",")]:
        result = run_service(args, n)
        figures[f"service-{n}"] = result
        rows.append([f"service, {n} worker(s)", result["jobs_per_min"], result["wall_s"],
                     result["p50_latency_s"], result["jobs_per_min"] / base["jobs_per_min"],
                     result["failed"]])
    print()
    print(_common.table(["configuration", "jobs/min", "wall s", "p50 latency s",
                         "x library", "failed"], rows))
    _common.save_json(args.json, {"machine": _common.machine(), "clip": summary,
                                  "args": vars(args), "figures": figures})
    return 0


if __name__ == "__main__":
    sys.exit(main())
