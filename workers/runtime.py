"""Per-process state of a worker: settings, the store, and the model, built once.

A prefork worker forks its pool processes from the parent; the database
engine and the model are created lazily in each process after the fork
(sharing either across a fork corrupts connections and wastes memory).
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from vidclip.jobs.limits import KeyId, SubmissionLimits
from vidclip.jobs.settings import Settings
from vidclip.jobs.store import JobStore
from workers import metrics

log = logging.getLogger(__name__)

#: Pipelines (and caption backends) kept per process, keyed by their options:
#: jobs with the same options (the common case) reuse the embedded vocabulary
#: and policy, or the loaded language model.
PIPELINE_CACHE = 8

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small thread-safe least-recently-used map; what falls out is only dropped:
    a job may still hold it, and a pipeline shares the process's encoder. What a
    dropped pipeline built itself is closed once nothing holds it (Pipeline's
    finaliser)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()  # outside the lock: embedding a vocabulary takes a while
        with self._lock:
            value = self._items.setdefault(key, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            return value


_current: "Runtime | None" = None


class Runtime:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._store: JobStore | None = None
        self._store_pid: int | None = None
        self._encoder = None
        self._analysis = LRU[str, object](PIPELINE_CACHE)
        self._captioning = LRU[str, object](PIPELINE_CACHE)
        self._captioners = LRU[str, object](PIPELINE_CACHE)
        self._limits: SubmissionLimits | None = None
        #: Load the image model when a pool process starts; off for workers that
        #: only caption (they never need it).
        self.preload_model = True
        #: The queues this worker takes jobs from (``vidclip worker --queues``).
        self.queues: list[str] = ["analyze", "caption"]
        self._heartbeat: Any = None  # vidclip.jobs.presence.Heartbeat while announced
        #: workers.backends.Resolved for the default speech and text options, once checked.
        self._speech: Any = None
        self._text: Any = None
        self._searcher: Any = None

    @property
    def store(self) -> JobStore:
        with self._lock:
            if self._store is None or self._store_pid != os.getpid() or self._store.closed:
                self._store = JobStore(self.settings.database_url)
                self._store_pid = os.getpid()
            return self._store

    @property
    def limits(self) -> SubmissionLimits:
        if self._limits is None:
            self._limits = SubmissionLimits(self.settings)
        return self._limits

    def leave_queue(self, job) -> None:
        """The job left the queue: give its key's place back (per-key queue cap)."""
        try:
            self.limits.leave_queue(KeyId(job.tenant, job.submitted_by or ""), job.id)
        except Exception as exc:  # the place frees itself after a day
            log.warning("queue place of job %s not given back: %s", job.id, type(exc).__name__)

    def worker_id(self) -> str:
        """Who holds a job: host, process and this execution (a redelivery differs)."""
        return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @staticmethod
    def holder_alive(holder: str) -> bool:
        """False only for a holder that was a process of this machine and is gone (a
        pool process killed by the OOM killer, a worker restarted here): its job can
        be taken over now instead of when its lease runs out. Hosts are told apart
        by name, so each needs its own (containers have)."""
        host, _, rest = holder.partition(":")
        pid = rest.split(":", 1)[0]
        if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
            return True
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # exists, another user's
            return True
        return True

    @property
    def cache_dir(self):
        from vidclip.config import default_cache_dir

        return self.settings.cache_dir or default_cache_dir()

    def encoder(self):
        """The worker's model (``VIDCLIP_MODEL__*``), loaded once per process."""
        with self._lock:
            if self._encoder is None:
                from vidclip.encode import build_encoder

                started = time.perf_counter()
                encoder = build_encoder(self.settings.model, cache_dir=self.cache_dir)
                encoder.load()
                if self.settings.shares_batches:
                    from vidclip.encode.coalesce import CoalescingEncoder

                    # Jobs run in threads of this process; their frames share model calls.
                    encoder = CoalescingEncoder(encoder)
                self._encoder = encoder
                seconds = time.perf_counter() - started
                info = encoder.describe()
                metrics.MODEL_LOAD_SECONDS.labels(info.name).observe(seconds)
                log.info("model %s loaded (%s, %s) on %s in process %d in %.1f s", info.name,
                         info.kind, info.pretrained, info.device, os.getpid(), seconds)
                if info.fallback_reason:
                    log.warning("model 'auto' fell back to the offline encoder: %s",
                                info.fallback_reason)
            return self._encoder

    def searcher(self):
        """The query worker's model and index reader, built once per process."""
        with self._lock:
            searcher = self._searcher
        if searcher is None:
            from vidclip.index.query import QueryEmbedder
            from vidclip.index.service import Searcher

            # The model loads on the first search that needs it: words alone need none.
            searcher = Searcher(lambda: QueryEmbedder(self.encoder(), self.cache_dir),
                                self.settings.index_dir)
            with self._lock:
                self._searcher = self._searcher or searcher
        return self._searcher

    def check_backends(self) -> None:
        """Choose and load the speech and text backends of the default options, once
        (workers.backends): what loaded serves the jobs, what did not is announced."""
        from vidclip.jobs.names import Queue
        from vidclip.jobs.options import server_defaults
        from workers.backends import resolve_speech, resolve_text

        if Queue.ANALYZE.value not in self.queues or self._speech is not None:
            return  # only analysis hears and reads
        config = server_defaults(self.settings)
        self._speech, self._text = resolve_speech(config), resolve_text(config)
        for part, resolved in (("speech", self._speech), ("text", self._text)):
            log.info("%s: %s", part, resolved.state.summary())

    def _loaded(self, resolved, options):
        """The choice resolved at start, for a job whose options are the defaults."""
        if resolved is None or resolved.choice is None:
            return None
        return resolved.choice if resolved.options == options else None

    def announce(self) -> None:
        """Say in the broker, until :meth:`withdraw`, which queues and model this process
        serves, and what its speech and text backends resolved to (:meth:`check_backends`)."""
        from vidclip import __version__
        from vidclip.jobs.presence import Heartbeat, Presence, WorkerRecord, now

        model = self._encoder.describe().model_dump(mode="json") if self._encoder else None
        record = WorkerRecord(worker=f"{socket.gethostname()}:{os.getpid()}", queues=self.queues,
                              model=model, captions=self.settings.captions.backend,
                              text_reader=_text_backend(self.settings),
                              speech=self._speech.state if self._speech else None,
                              text=self._text.state if self._text else None,
                              version=__version__, started_at=now())
        presence = Presence(self.settings.broker_url, self.settings.queue_prefix)
        self._heartbeat = Heartbeat(presence, record).start()

    def withdraw(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
            self._heartbeat = None

    def pipeline(self, config, progress=None):
        """A set-up :class:`Pipeline` for ``config`` sharing this process's encoder;
        ``progress(done, total)`` follows a first embedding of its vocabulary."""
        from vidclip.pipeline import Pipeline

        encoder = self.encoder()

        def build():
            pipeline = Pipeline(config, encoder=encoder, cache_dir=self.cache_dir,
                                recognizer=self._loaded(self._speech, config.speech),
                                reader=self._loaded(self._text, config.text))
            pipeline.setup(progress)
            return pipeline

        return self._analysis.get_or_build(config.model_dump_json(), build)

    def caption_pipeline(self, config):
        """A :class:`Pipeline` for the caption stage only: no image model is loaded,
        and the caption backend (a local language model, say) is built once per
        process and caption options, and shared by every job."""
        from vidclip.pipeline import Pipeline, build_captioner

        captioner = self._captioners.get_or_build(config.captions.model_dump_json(),
                                                  lambda: build_captioner(config))
        return self._captioning.get_or_build(
            config.model_dump_json(),
            lambda: Pipeline(config, captioner=captioner, cache_dir=self.cache_dir))


def preimport() -> None:
    """Import the model libraries in a worker's main process, before it forks its
    pool: a pool process started later (after a crash or an OOM kill) then
    inherits them instead of spending many seconds importing torch again. Only
    code is shared; the model itself is still loaded in each pool process."""
    for name in ("torch", "open_clip", "vidclip.pipeline"):
        try:
            importlib.import_module(name)
        except ImportError as exc:  # the job will report a missing library itself
            log.warning("not preloaded: %s", exc)


def install(runtime: Runtime) -> Runtime:
    global _current
    _current = runtime
    return runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no worker runtime: build the Celery app with workers.app.create_app")
    return _current


def _text_backend(settings) -> str:
    """The text reader a job gets unless it asks otherwise (never loads it here)."""
    return str(dict(settings.default_options).get("text", {}).get("backend", "auto"))
