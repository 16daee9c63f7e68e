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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vidclip.errors import ModelMismatchError, QueryError
from vidclip.index.archive import MomentIndex, QueryVector, model_dirs
from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.checks import check_text
from vidclip.index.files import load_moments
from vidclip.index.hybrid import Found, check_mode, search
from vidclip.index.identity import ModelIdentity
from vidclip.index.ingest import add_analysis, stamp_of
from vidclip.index.query import QueryEmbedder
from vidclip.index.words import text_rows
from vidclip.index.words_query import WordsQuery
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


def hit_fields(hit: Found) -> dict[str, Any]:
    """One hit as JSON-safe fields (the API adds its links)."""
    out = {"job_id": hit.video.job_id, "source": hit.video.source, "kind": hit.kind,
           "found": hit.source, "scene": hit.scene, "start_s": round(hit.start_s, 3),
           "end_s": round(hit.end_s, 3), "score": hit.score, "tags": hit.tags,
           "flags": hit.flags, "job_tag": hit.video.job_tag, "snippet": hit.snippet,
           "highlights": [list(span) for span in hit.highlights], "fused": hit.fused,
           "found_by": list(hit.found_by)}
    return out


def _mismatch(held: list[ModelIdentity], identity: ModelIdentity) -> ModelMismatchError:
    return ModelMismatchError(
        "the search index holds vectors of " + "; ".join(i.describe() for i in held)
        + f", but the query worker runs the {identity.describe()}: run the query workers "
        "with the model the archive was analysed with.")


class Searcher:
    """Answers search requests over one model's index; one per query worker process.

    The query model is built on the first request that needs it (``embedder``
    may be the loaded :class:`QueryEmbedder` or a function that builds one):
    a words-only (``text``) search ranks BM25 from the catalog alone, so it
    never waits for the image model -- unless the index directory holds
    several models' indexes and only the model can tell which is its own.
    """

    def __init__(self, embedder: QueryEmbedder | Callable[[], QueryEmbedder], root: Path):
        self._embedder = embedder if isinstance(embedder, QueryEmbedder) else None
        self._build = None if isinstance(embedder, QueryEmbedder) else embedder
        self.root = root
        self._index: MomentIndex | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> QueryEmbedder:
        with self._lock:
            if self._embedder is None:
                assert self._build is not None
                self._embedder = self._build()
            return self._embedder

    def _identity(self, need_model: bool) -> ModelIdentity | None:
        held = [i for _, i in model_dirs(self.root)]
        if not need_model and self._embedder is None and len(held) <= 1:
            return held[0] if held else None
        identity = self.embedder.identity
        if identity not in held:
            if held:
                raise _mismatch(held, identity)
            return None  # nothing indexed yet
        return identity

    def _open(self, need_model: bool) -> MomentIndex | None:
        with self._lock:
            index = self._index
        if index is None:
            identity = self._identity(need_model)
            if identity is None:
                return None
            with self._lock:
                self._index = self._index or MomentIndex(self.root, identity)
                index = self._index
        if need_model and self.embedder.identity != index.identity:  # opened by a text search
            raise _mismatch([index.identity], self.embedder.identity)
        return index

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """``request``: tenant, q or image (base64), mode, top, tag, flagged, source,
        min_duration_s."""
        top = int(request.get("top") or 10)
        if not 1 <= top <= MAX_TOP:
            raise QueryError(f"top must be between 1 and {MAX_TOP}.")
        mode = check_mode(str(request.get("mode") or "hybrid"))
        text = None if request.get("image") else check_text(str(request.get("q") or ""))
        if mode == "text" and text is None:
            raise QueryError("mode text searches words: send q, not an image.")
        if mode == "text" and not WordsQuery.parse(text or ""):
            raise QueryError("the query has no words to look for (letters or digits).")
        vector = None if mode == "text" else self._vector(request, text)
        index = self._open(need_model=vector is not None)
        if index is None:
            return {"hits": []}
        filters = Filters(tag=request.get("tag"), flagged=request.get("flagged"),
                          source_glob=request.get("source"),
                          min_duration_s=request.get("min_duration_s"),
                          tenant=str(request["tenant"]))
        hits = search(index, mode, text=text, vector=vector, top=top, filters=filters)
        return {"hits": [hit_fields(h) for h in hits]}

    def _vector(self, request: dict[str, Any], text: str | None) -> QueryVector:
        if text is not None:
            return self.embedder.text(text)
        try:
            data = base64.b64decode(request["image"], validate=True)
        except ValueError:
            raise QueryError("the uploaded image could not be read.") from None
        return self.embedder.image(data, "the uploaded file")
