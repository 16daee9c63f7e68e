"""Load on the service: ``vidclip up`` on this machine, loopback only, bounded.

    python benchmarks/load.py                    # 500 submissions / 50 clients, 20 x 200 MB uploads
    python benchmarks/load.py --smoke            # 40 submissions, 2 x 5 MB uploads: checks it runs

What it does, against one ``vidclip up`` (API + worker processes + a private
Redis, jobs in SQLite, per-key limits on):

* baseline, in the same run: the idle API, one client -- submission and poll
  latency, and the API process's resident memory;
* load, all at once: ``--submissions`` JSON job submissions (a path under the
  media root) from ``--clients`` concurrent clients spread over ``--keys`` API
  keys; ``--uploads`` concurrent streamed uploads of ``--upload-mb`` each (a
  real clip padded with an MP4 ``free`` box, so each is a valid video); status
  polls at ``--poll-rate`` a second; the worker busy with the jobs;
* the intended refusals: one key submitting faster than
  ``VIDCLIP_SUBMIT_RATE_PER_MINUTE`` (429 with Retry-After) and one upload
  larger than ``VIDCLIP_UPLOAD_MAX_BYTES`` (413). Any other error counts
  against the service.

Reported: latency p50/p99 (and the ratio to the idle baseline), answers by
status code, the API process's peak RSS against its idle RSS (uploads are
streamed to disk: it must not grow with upload size), and jobs completed per
minute while under load. Everything stops after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import _common
import httpx

FAST_OPTIONS = {"tags": {"labels": ["cat", "dog", "car"], "templates": "single"},
                "moderation": {"enabled": False}}
BOUNDARY = "vidclip-load-boundary"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_clip() -> Path:
    from vidclip.testing.synthetic import make_montage

    path = _common.cache_dir() / "load-2s-160x96.mp4"
    if not path.exists():
        make_montage(path, [25, 25], [("cut", 0)], size=(160, 96), write_truth=False)
    return path


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Recorder:
    def __init__(self):
        self.latency: dict[str, list[float]] = {"submit": [], "poll": [], "upload": []}
        self.codes: Counter = Counter()
        self.retry_after: list[str] = []
        self.job_ids: list[str] = []

    def record(self, kind: str, started: float, response: httpx.Response | None,
               error: str | None = None) -> None:
        if response is None:
            self.codes[(kind, error or "no answer")] += 1
            return
        self.codes[(kind, response.status_code)] += 1
        if response.status_code == 429:
            self.retry_after.append(response.headers.get("Retry-After", ""))
        if response.status_code < 400:
            self.latency[kind].append(time.perf_counter() - started)
            if kind in ("submit", "upload") and response.status_code == 202:
                self.job_ids.append(response.json()["id"])


class RssSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()

    def now(self) -> int:
        return self.proc.memory_info().rss

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.peak = max(self.peak, self.now())


async def call(client, rec: Recorder, kind: str, method: str, url: str, **kw) -> None:
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        rec.record(kind, started, None, type(exc).__name__)
        return
    rec.record(kind, started, response)


async def submitters(base, keys, total, clients, rec) -> None:
    queue: asyncio.Queue = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(keys[n % len(keys)])

    async def client_loop():
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            while not queue.empty():
                key = queue.get_nowait()
                await call(client, rec, "submit", "POST", "/v1/jobs",
                           json={"path": "clip.mp4"}, headers={"X-API-Key": key})

    await asyncio.gather(*(client_loop() for _ in range(clients)))


def upload_body(clip: bytes, size: int):
    """A multipart body of ``size`` bytes of video: the clip, then a ``free`` box."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    pad = max(0, size - len(clip) - 8)
    length = len(head) + len(clip) + 8 + pad + len(tail)

    async def chunks():
        yield head + clip + struct.pack(">I", pad + 8) + b"free"
        block = b"\0" * (1 << 20)
        left = pad
        while left > 0:
            yield block[:min(left, len(block))]
            left -= len(block)
        yield tail

    return chunks(), length


async def uploaders(base, key, clip, count, size, oversize, rec) -> None:
    async def one(nbytes: int):
        body, length = upload_body(clip, nbytes)
        headers = {"X-API-Key": key, "Content-Length": str(length),
                   "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            await call(client, rec, "upload", "POST", "/v1/jobs", content=body,
                       headers=headers)

    await asyncio.gather(*(one(size) for _ in range(count)), one(oversize))


async def poller(base, key, rate, rec, done: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60,
                                 headers={"X-API-Key": key}) as client:
        pending = set()
        n = 0
        started = time.perf_counter()
        while not done.is_set():
            if rec.job_ids:
                job_id = rec.job_ids[n % len(rec.job_ids)]
                pending.add(asyncio.create_task(call(client, rec, "poll", "GET",
                                                     f"/v1/jobs/{job_id}")))
            n += 1
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            pending = {t for t in pending if not t.done()}
        await asyncio.gather(*pending)


def succeeded(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM vidclip_jobs WHERE status='succeeded'"
                            ).fetchone()[0]


async def run_load(args, base, keys, greedy, clip_bytes, rec, db) -> dict:
    done = asyncio.Event()
    first = succeeded(db)
    started = time.perf_counter()
    poll = asyncio.create_task(poller(base, keys[0], args.poll_rate, rec, done))
    work = [submitters(base, keys, args.submissions, args.clients, rec),
            uploaders(base, keys[-1], clip_bytes, args.uploads, args.upload_mb << 20,
                      args.upload_limit_mb + 50 << 20, rec),
            submitters(base, [greedy], args.greedy, 4, rec)]
    await asyncio.wait_for(asyncio.gather(*work), timeout=args.max_seconds)
    sent_s = time.perf_counter() - started
    # Keep polling while the worker drains the queue, up to the time limit.
    while time.perf_counter() - started < min(args.max_seconds, sent_s + args.drain_seconds):
        await asyncio.sleep(1)
    done.set()
    await poll
    elapsed = time.perf_counter() - started
    return {"sent_s": sent_s, "elapsed_s": elapsed,
            "jobs_per_min": (succeeded(db) - first) / elapsed * 60}


async def baseline(base, key, rec: Recorder, n: int = 20) -> None:
    """The idle API, one client; first the worker is warmed up (model loaded), so
    the load phase finds it ready."""
    async with httpx.AsyncClient(base_url=base, timeout=60, headers={"X-API-Key": key}) as c:
        warm = (await c.post("/v1/jobs", json={"path": "clip.mp4"})).json()["id"]
        deadline = time.monotonic() + 300
        while (await c.get(f"/v1/jobs/{warm}")).json()["status"] != "succeeded":
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not finish a warm-up job in 300 s")
            await asyncio.sleep(0.5)
        for _ in range(n):
            await call(c, rec, "submit", "POST", "/v1/jobs", json={"path": "clip.mp4"})
        for job_id in rec.job_ids[:n]:
            await call(c, rec, "poll", "GET", f"/v1/jobs/{job_id}")


def start_up(tmp: Path, args, keys, greedy) -> tuple[subprocess.Popen, str]:
    port = free_port()
    root = tmp / "root"
    root.mkdir()
    (root / "clip.mp4").write_bytes(make_clip().read_bytes())
    named = [{"name": f"client-{n}", "role": "submitter", "tenant": "load", "key": k}
             for n, k in enumerate(keys)]
    named.append({"name": "greedy", "role": "submitter", "tenant": "load", "key": greedy})
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDCLIP_")}
    env.update({
        "VIDCLIP_DATA_DIR": str(tmp / "data"), "VIDCLIP_PORT": str(port),
        "VIDCLIP_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",  # `up` starts it
        "VIDCLIP_MEDIA_ROOT": str(root), "VIDCLIP_KEYS": json.dumps(named),
        "VIDCLIP_SUBMIT_RATE_PER_MINUTE": str(args.rate_per_minute),
        "VIDCLIP_MAX_QUEUED_PER_KEY": str(args.max_queued),
        "VIDCLIP_UPLOAD_MAX_BYTES": str(args.upload_limit_mb << 20),
        "VIDCLIP_MODEL__NAME": args.model, "VIDCLIP_DEFAULT_OPTIONS": json.dumps(FAST_OPTIONS),
        "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(_common.REPO)})
    proc = subprocess.Popen([sys.executable, "-m", "vidclip._cli.main", "up", "-c",
                             str(args.worker_processes)], env=env, cwd=_common.REPO,
                            stdout=subprocess.DEVNULL, stderr=open(tmp / "up.log", "wb"),
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"vidclip up did not start:\n{(tmp / 'up.log').read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def report(args, idle: Recorder, load: Recorder, rss: dict, outcome: dict) -> dict:
    rows = []
    for kind in ("submit", "poll"):
        b50, l50 = pct(idle.latency[kind], 0.5), pct(load.latency[kind], 0.5)
        b99, l99 = pct(idle.latency[kind], 0.99), pct(load.latency[kind], 0.99)
        rows.append([f"{kind} latency (ms)", f"{b50 * 1e3:.0f} / {b99 * 1e3:.0f}",
                     f"{l50 * 1e3:.0f} / {l99 * 1e3:.0f}", f"{l50 / b50:.1f}x / {l99 / b99:.1f}x"])
    up = load.latency["upload"]
    rows.append([f"upload of {args.upload_mb} MB (s)", "",
                 f"{pct(up, .5):.1f} / {pct(up, .99):.1f}", ""])
    rows.append(["API RSS (MB)", f"{rss['idle'] / 2**20:.0f}", f"peak {rss['peak'] / 2**20:.0f}",
                 f"{rss['peak'] / rss['idle']:.2f}x"])
    rows.append(["jobs completed / min", "", f"{outcome['jobs_per_min']:.1f}", ""])
    print(_common.table(["", "idle (p50 / p99)", "under load (p50 / p99)", "ratio"], rows))
    codes = Counter()
    for (kind, code), n in load.codes.items():
        codes[f"{kind} {code}"] += n
    print("answers:", ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())))
    unintended = {k: v for k, v in load.codes.items()
                  if not (isinstance(k[1], int) and (k[1] < 400 or k[1] in (413, 429)))}
    print("unintended errors:", unintended or "none")
    print(f"429 Retry-After values seen: {sorted(set(load.retry_after))}")
    print(f"sent in {outcome['sent_s']:.1f} s; measured over {outcome['elapsed_s']:.1f} s; "
          f"{_common.machine()}")
    return {"rows": rows, "codes": {f"{k} {c}": n for (k, c), n in load.codes.items()},
            "unintended": {f"{k} {c}": n for (k, c), n in unintended.items()},
            "rss_mb": {k: v / 2**20 for k, v in rss.items()}, **outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--upload-mb", type=int, default=200)
    parser.add_argument("--upload-limit-mb", type=int, default=256)
    parser.add_argument("--poll-rate", type=float, default=50.0)
    parser.add_argument("--rate-per-minute", type=int, default=120,
                        help="per-key submission limit the service runs with")
    parser.add_argument("--max-queued", type=int, default=1000)
    parser.add_argument("--greedy", type=int, default=160,
                        help="submissions of one key over its rate limit (429s intended)")
    parser.add_argument("--model", default="tiny-test")
    parser.add_argument("--worker-processes", type=int, default=1)
    parser.add_argument("--drain-seconds", type=float, default=60.0)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    if args.smoke:
        args.submissions, args.clients, args.uploads, args.upload_mb = 40, 8, 2, 5
        args.upload_limit_mb, args.greedy, args.drain_seconds = 8, 20, 5
        args.rate_per_minute, args.poll_rate = 10, 10
    keys = [f"load-key-{n:02d}-" + os.urandom(12).hex() for n in range(args.keys)]
    greedy = "load-key-greedy-" + os.urandom(12).hex()
    clip_bytes = make_clip().read_bytes()
    with tempfile.TemporaryDirectory(prefix="vidclip-load-") as tmp:
        proc, base = start_up(Path(tmp), args, keys, greedy)
        try:
            sampler = RssSampler(proc.pid)
            idle = Recorder()
            asyncio.run(baseline(base, keys[0], idle))
            rss = {"idle": sampler.now()}
            sampler.start()
            load = Recorder()
            outcome = asyncio.run(run_load(args, base, keys, greedy, clip_bytes, load,
                                           Path(tmp) / "data" / "vidclip.db"))
            sampler.stop.set()
            rss["peak"] = max(sampler.peak, rss["idle"])
        finally:
            stop(proc)
    result = report(args, idle, load, rss, outcome)
    _common.save_json(args.json, result)
    if result["unintended"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
