"""Per-process state of a worker: settings, the store, and the model, built once.

A prefork worker forks its pool processes from the parent; the database
engine and the model are created lazily in each process after the fork
(sharing either across a fork corrupts connections and wastes memory).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import OrderedDict

from vidclip.jobs.settings import Settings
from vidclip.jobs.store import JobStore

log = logging.getLogger(__name__)

#: Pipelines kept per process, keyed by their analysis config: jobs with the
#: same options (the common case) reuse the embedded vocabulary and policy.
PIPELINE_CACHE = 8

_current: "Runtime | None" = None


class Runtime:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._store: JobStore | None = None
        self._store_pid: int | None = None
        self._encoder = None
        self._captioners: dict[str, object] = {}
        self._pipelines: OrderedDict[str, object] = OrderedDict()
        #: Load the image model when a pool process starts; off for workers that
        #: only caption (they never need it).
        self.preload_model = True

    @property
    def store(self) -> JobStore:
        with self._lock:
            if self._store is None or self._store_pid != os.getpid() or self._store.closed:
                self._store = JobStore(self.settings.database_url)
                self._store_pid = os.getpid()
            return self._store

    def worker_id(self) -> str:
        """Who holds a job: host, process and this execution (a redelivery differs)."""
        return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def encoder(self):
        """The worker's model (``VIDCLIP_MODEL__*``), loaded once per process."""
        with self._lock:
            if self._encoder is None:
                from vidclip.encode import build_encoder

                encoder = build_encoder(self.settings.model)
                load = getattr(encoder, "load", None)
                if load is not None:
                    load()
                self._encoder = encoder
                log.info("model %s loaded in process %d", self.settings.model.name, os.getpid())
            return self._encoder

    def pipeline(self, config):
        """A set-up :class:`Pipeline` for ``config`` sharing this process's encoder."""
        from vidclip.pipeline import Pipeline

        key = config.model_dump_json()
        encoder = self.encoder()
        with self._lock:
            pipeline = self._pipelines.get(key)
            if pipeline is not None:
                self._pipelines.move_to_end(key)
                return pipeline
        pipeline = Pipeline(config, encoder=encoder).setup()
        with self._lock:
            self._pipelines[key] = pipeline
            while len(self._pipelines) > PIPELINE_CACHE:
                self._pipelines.popitem(last=False)  # never closed: the encoder is shared
        return pipeline


    def caption_pipeline(self, config):
        """A :class:`Pipeline` for the caption stage only: no image model is loaded,
        and the caption backend (a local language model, say) is built once per
        process and language and shared by every job."""
        from vidclip.pipeline import Pipeline, build_captioner

        key = "caption:" + config.model_dump_json()
        captions = config.captions.model_dump_json()
        with self._lock:
            pipeline = self._pipelines.get(key)
            if pipeline is not None:  # its vocabulary is already read
                self._pipelines.move_to_end(key)
                return pipeline
            captioner = self._captioners.get(captions)
            if captioner is None:
                captioner = self._captioners[captions] = build_captioner(config)
            pipeline = self._pipelines[key] = Pipeline(config, captioner=captioner)
            while len(self._pipelines) > PIPELINE_CACHE:
                self._pipelines.popitem(last=False)
        return pipeline


def install(runtime: Runtime) -> Runtime:
    global _current
    _current = runtime
    return runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no worker runtime: build the Celery app with workers.app.create_app")
    return _current
