"""Prometheus metrics of the API, served at ``/metrics``.

Requests are counted and timed by route template (``/v1/jobs/{job_id}``, so
job ids never become labels; paths that match no route are ``unmatched``).
Jobs and queues are read when scraped: job counts from the store and queue
depths from Redis are the same from every API process, so a dashboard takes
``max`` of them across instances, not ``sum``. With ``vidclip serve
--workers N`` the request metrics of all N processes are summed through
prometheus_client's multiprocess directory.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.templates import templates
from vidclip.jobs.broker import queue_depths, unacked_count
from vidclip.jobs.stats import JobCounts, job_counts
from vidclip.jobs.status import FINAL_STATES, JobStatus

log = logging.getLogger(__name__)

REQUESTS = Counter("vidclip_http_requests_total", "HTTP requests answered, by route template, "
                   "method and status code.", ["method", "route", "status"])
LATENCY = Histogram("vidclip_http_request_duration_seconds", "Time to answer an HTTP request "
                    "(uploads included: they stream in while it runs).", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
                             300))

#: Scrapes within this many seconds reuse the last counts (several Prometheus
#: servers, or a dashboard refreshing, cost one query).
CACHE_S = 5.0


class MetricsMiddleware:
    """Pure ASGI, so streamed uploads pass through untouched."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = templates(scope["app"]).label(scope["path"])
            if route != "/metrics":
                REQUESTS.labels(scope["method"], route, str(status[0])).inc()
                LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


class ServiceCollector:
    """Jobs from the store and queues from Redis, read at scrape time."""

    def __init__(self, store, settings, redis_client):
        self.store, self.settings, self.redis = store, settings, redis_client
        self._lock = threading.Lock()
        self._at = 0.0
        self._cached: list = []

    def collect(self):
        with self._lock:
            if time.monotonic() - self._at > CACHE_S:
                self._cached = list(self._families())
                self._at = time.monotonic()
            return list(self._cached)

    def _families(self):
        up = GaugeMetricFamily("vidclip_dependency_up", "Whether the API reached a dependency "
                               "at the last scrape (1) or not (0).", labels=["dependency"])
        try:
            yield from _job_families(job_counts(self.store))
            up.add_metric(["store"], 1)
        except Exception as exc:  # a scrape must answer even when the store is down
            log.warning("metrics: job store unreachable (%s)", type(exc).__name__)
            up.add_metric(["store"], 0)
        try:
            yield from self._queue_families()
            up.add_metric(["broker"], 1)
        except Exception as exc:
            log.warning("metrics: broker unreachable (%s)", type(exc).__name__)
            up.add_metric(["broker"], 0)
        yield up

    def _queue_families(self):
        depth = GaugeMetricFamily("vidclip_queue_depth", "Tasks waiting in a Celery queue for "
                                  "a worker.", labels=["queue"])
        for queue, n in queue_depths(self.redis, self.settings).items():
            depth.add_metric([queue], n)
        unacked = GaugeMetricFamily("vidclip_broker_unacked_tasks", "Tasks taken by workers "
                                    "and not yet acknowledged (running, or waiting to retry).")
        unacked.add_metric([], unacked_count(self.redis))
        return [depth, unacked]


def _job_families(counts: JobCounts):
    submitted = CounterMetricFamily("vidclip_jobs_submitted", "Jobs accepted (every job the "
                                    "store holds).")
    submitted.add_metric([], counts.submitted)
    finished = CounterMetricFamily("vidclip_jobs_finished", "Jobs that reached a final state, "
                                   "by status and error code (failed only).",
                                   labels=["status", "error_code"])
    for (status, code), n in sorted(counts.by_state.items()):
        if status in {s.value for s in FINAL_STATES}:
            finished.add_metric([status, code], n)
    active = GaugeMetricFamily("vidclip_jobs", "Jobs not final yet, by status.",
                               labels=["status"])
    for status in (JobStatus.QUEUED, JobStatus.RUNNING):
        active.add_metric([status.value], counts.in_state(status))
    oldest = GaugeMetricFamily("vidclip_oldest_queued_job_age_seconds", "Age of the oldest "
                               "job still waiting for a worker (0: none waiting).")
    oldest.add_metric([], counts.oldest_queued_age_s)
    return [submitted, finished, active, oldest]


class _Default:
    """This process's own metrics (the HTTP ones)."""

    def collect(self):
        return REGISTRY.collect()


def exposition(collector: ServiceCollector) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client.multiprocess import MultiProcessCollector

        MultiProcessCollector(registry)
    else:
        registry.register(_Default())
    registry.register(collector)
    return generate_latest(registry)


def install(app: FastAPI) -> None:
    """The middleware and ``GET /metrics`` (not in the OpenAPI schema, no key:
    it holds counts only; expose it to the monitoring network alone)."""
    app.add_middleware(MetricsMiddleware)

    def metrics(request: Request) -> Response:
        return Response(exposition(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
