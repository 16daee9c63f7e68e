"""The service's side of search, free of Celery: keep a job's moments in the index,
and answer a search request. ``workers/`` adapts these to tasks.

A job's moments are stored with its results (``result.moments.npz``) by the
worker that analysed it; :func:`sync_job` brings the index in line with the
job -- adds them once it succeeded, removes them once it is purged -- so the
one task that calls it is idempotent and safe to repeat. Each moment is
keyed by its job and carries the job's tenant: a search is always filtered
to the caller's tenant.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from pathlib import Path
from typing import Any

from vidclip.errors import ModelMismatchError, QueryError
from vidclip.index.archive import Hit, MomentIndex, model_dirs
from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.files import load_moments
from vidclip.index.ingest import add_analysis, stamp_of
from vidclip.index.words import text_rows
from vidclip.index.query import QueryEmbedder
from vidclip.schema import VideoAnalysis

#: The most hits one request may ask for.
MAX_TOP = 100


def sync_job(root: Path, job_id: str, *, moments_file: Path | None, result_json: str | None,
             source: str = "", tenant: str | None = None, job_tag: str | None = None) -> int:
    """Index the job's moments (``moments_file`` and ``result_json`` given) or remove them
    (either missing: not finished, or purged). Returns the moments added or removed."""
    if moments_file is None or result_json is None or not moments_file.is_file():
        removed = 0
        for _, identity in model_dirs(root):
            with MomentIndex(root, identity) as index:
                removed += index.remove(job_id)
        return removed
    moments, identity = load_moments(moments_file)
    stamp = stamp_of(moments_file)
    analysis = VideoAnalysis.model_validate_json(result_json)
    words = text_rows(analysis)
    words_version = hashlib.sha256(repr(words).encode()).hexdigest()[:16]
    with MomentIndex(root, identity, create=True) as index:
        if index.has(job_id, stamp):
            if index.words_stamp(job_id) != words_version:
                index.set_words(job_id, words, words_version)
            return 0
        video = VideoRow(job_id, source, job_id=job_id, tenant=tenant, job_tag=job_tag,
                         stamp=stamp)
        return add_analysis(index, video, analysis, moments, words_version)


def hit_fields(hit: Hit) -> dict[str, Any]:
    """One hit as JSON-safe fields (the API adds its links)."""
    m = hit.moment
    return {"job_id": m.video.job_id, "source": m.video.source, "kind": m.kind,
            "scene": m.scene, "start_s": round(m.start_s, 3), "end_s": round(m.end_s, 3),
            "score": hit.score, "tags": m.tags, "flags": m.flags, "job_tag": m.video.job_tag}


class Searcher:
    """Embeds queries with a loaded model and searches its index; one per process."""

    def __init__(self, embedder: QueryEmbedder, root: Path):
        self.embedder = embedder
        self.root = root
        self._index: MomentIndex | None = None
        self._lock = threading.Lock()

    def _open(self) -> MomentIndex | None:
        with self._lock:
            if self._index is None:
                identity = self.embedder.identity
                held = [i for _, i in model_dirs(self.root)]
                if identity not in held:
                    if held:
                        raise ModelMismatchError(
                            "the search index holds vectors of "
                            + "; ".join(i.describe() for i in held)
                            + f", but the query worker runs the {identity.describe()}: run "
                            "the query workers with the model the archive was analysed with.")
                    return None  # nothing indexed yet
                self._index = MomentIndex(self.root, identity)
            return self._index

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """``request``: tenant, q or image (base64), top, tag, flagged, source, min_duration_s."""
        top = int(request.get("top") or 10)
        if not 1 <= top <= MAX_TOP:
            raise QueryError(f"top must be between 1 and {MAX_TOP}.")
        if request.get("image"):
            try:
                data = base64.b64decode(request["image"], validate=True)
            except ValueError:
                raise QueryError("the uploaded image could not be read.") from None
            query = self.embedder.image(data, "the uploaded file")
        else:
            query = self.embedder.text(str(request.get("q") or ""))
        index = self._open()
        if index is None:
            return {"hits": []}
        filters = Filters(tag=request.get("tag"), flagged=request.get("flagged"),
                          source_glob=request.get("source"),
                          min_duration_s=request.get("min_duration_s"),
                          tenant=str(request["tenant"]))
        return {"hits": [hit_fields(h) for h in index.search(query, top, filters)]}
