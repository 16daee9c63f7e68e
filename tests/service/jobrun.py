"""What the fault tests share: submitting jobs over HTTP, waiting for them, a
webhook receiver that records every delivery, and the exactly-once checks."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

FINAL = ("succeeded", "failed", "cancelled")


def upload(http: httpx.Client, clip: Path, **fields: str) -> httpx.Response:
    with open(clip, "rb") as fh:
        return http.post("/v1/jobs", files={"file": (clip.name, fh, "video/mp4")}, data=fields)


def submit_many(http: httpx.Client, clip: Path, n: int, **fields: str) -> list[str]:
    ids = []
    for _ in range(n):
        r = upload(http, clip, **fields)
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    return ids


def statuses(store, ids) -> dict[str, str]:
    return {job_id: store.get(job_id).status for job_id in ids}


def wait_final(store, ids, timeout: float, every: float = 0.25) -> dict[str, str]:
    """Poll the store until every job is final (or the time is up); their statuses."""
    deadline = time.monotonic() + timeout
    while True:
        now = statuses(store, ids)
        if all(s in FINAL for s in now.values()) or time.monotonic() > deadline:
            return now
        time.sleep(every)


def wait_count(store, ids, status: str, n: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done = sum(s == status for s in statuses(store, ids).values())
        if done >= n or time.monotonic() > deadline:
            return done
        time.sleep(0.1)


def assert_all_succeeded(store, final: dict[str, str], log: str = "") -> None:
    """Every job succeeded; if not, which did not, with their history."""
    unfinished = {job_id: [(e.kind, e.stage, e.detail) for e in store.events(job_id)]
                  for job_id, status in final.items() if status != "succeeded"}
    assert not unfinished, (unfinished, log[-4000:])


def event_counts(store, job_id: str) -> Counter:
    return Counter(e.kind for e in store.events(job_id))


def assert_each_succeeded_once(store, ids) -> None:
    """One stored analysis, one success, and the job no longer held by anyone."""
    for job_id in ids:
        job = store.get(job_id)
        kinds = event_counts(store, job_id)
        assert job.status == "succeeded", (job_id, job.status, job.error_message)
        assert kinds["analyzed"] == 1 and kinds["succeeded"] == 1, (job_id, kinds)
        assert job.worker is None, (job_id, job.worker)


class HookServer:
    """A webhook receiver on 127.0.0.1. ``mode``: ``ok`` (204), ``fail`` (500),
    ``hang`` (never answers), or a URL to redirect to (302)."""

    def __init__(self, mode: str = "ok"):
        self.mode = mode
        self.received: list[dict] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    outer.received.append({"headers": dict(self.headers), "body": body,
                                           "at": time.monotonic()})
                if outer.mode == "hang":
                    outer._release.wait(60)
                    return
                if outer.mode == "ok":
                    self.send_response(204)
                elif outer.mode == "fail":
                    self.send_response(500)
                else:
                    self.send_response(302)
                    self.send_header("Location", outer.mode)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jobs(self) -> Counter:
        """Deliveries per job id."""
        with self._lock:
            return Counter(json.loads(r["body"])["job"]["id"] for r in self.received if r["body"])

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


class SlowMedia:
    """Serves a clip over ``seconds``, in pieces: a job that fetches it takes that
    long whatever the CPU, so a fault can be timed to land inside it."""

    def __init__(self, data: bytes, seconds: float, pieces: int = 10):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                step = -(-len(data) // pieces)
                for start in range(0, len(data), step):
                    self.wfile.write(data[start:start + step])
                    self.wfile.flush()
                    time.sleep(seconds / pieces)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/clip.mp4"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
