"""``MomentIndex``: one model's moments in ``DIR/<model slug>/``, one writer, many readers.

Layout: ``catalog.sqlite`` (metadata, vectors, and ``meta`` naming the
current FAISS files), ``main-<gen>.faiss`` (everything up to the last merge)
and ``delta-<gen>.faiss`` (a small exact index of what was added since).

Writes: a writer takes ``writer.lock`` (an flock: one writer per index,
whatever the process), writes the next generation's files aside under new
names, then commits the catalog rows together with ``meta`` pointing at
those files, in one SQLite transaction. Adding a video rewrites only the
delta, so it costs milliseconds at any index size; the delta is merged into
the main index when it passes :data:`DELTA_MAX` vectors. Removed moments
stay in the main file until the next rebuild of it, listed as ``stale`` and
excluded from every search. Files of the generation before the current one
are kept (a reader may be opening them); older ones are deleted.

Reads: read ``meta``, open the files it names (cached by name), search. A
reader therefore sees the index as of one commit, never a torn one.

A rebuilt index (``vidclip index --rebuild``) is a new directory swapped in
for the old by rename. An open index notices on its next search: each one
stats the directory (a few microseconds) and, when it is another directory
than the one its catalog was opened in, opens the new catalog and lets the
old files go. Files are loaded by path, so after loading them a search
checks again that the directory did not change meanwhile (else it starts
over in the new one): the catalog and the files it uses always come from
one directory. A long-running query worker thus answers from the new
generation from the first query after the swap, without a restart.

Words (:mod:`vidclip.index.words`): the transcript and on-screen text of
each video are rows of a full-text table in the same catalog, written in
the same transaction as its vectors (or alone, when only the words
changed). A writer opening an index made before words were indexed adds the
table; until then a reader of it finds no words.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vidclip.errors import SearchIndexError
from vidclip.index import engine
from vidclip.index.catalog import Catalog, Filters, MomentRow, VideoRow
from vidclip.index.identity import ModelIdentity
from vidclip.index.moments import Moments
from vidclip.index.words import (
    TEXT_SCHEMA,
    TextHit,
    TextRow,
    delete_words,
    has_words_table,
    replace_words,
    search_words,
    words_stamp,
)
from vidclip.index.words_query import WordsQuery

CATALOG = "catalog.sqlite"
IDENTITY = "model.json"
#: Past this many vectors the delta is merged into the main index.
DELTA_MAX = 4096
#: Past this share of removed vectors the main index is rebuilt without them.
STALE_SHARE = 0.2
#: A filter that leaves at most this many moments is answered exactly from the catalog.
EXACT_FILTERED_MAX = 20_000
#: How long a reader waits for a directory between the two renames of a swap
#: (where the system cannot exchange two directories in one step).
SWAP_WAIT_S = 0.5
REBUILD_HINT = "run `vidclip index RESULTS_DIR --index {root} --rebuild` to rebuild it from the " \
    "stored embeddings"


@dataclass(frozen=True)
class QueryVector:
    """What to search with. A text query is calibrated: its score is a tag's score."""

    vector: np.ndarray  # (D,), float32
    identity: ModelIdentity
    #: (logit_scale, margin) when ``vector`` is text minus the neutral anchor.
    calibration: tuple[float, float] | None = None
    #: A moment id to leave out of the hits (the moment a "more like this" came from).
    exclude_id: int | None = None
    #: Hits scoring below this are noise, not answers (:data:`vidclip.index.query.MIN_TEXT_SCORE`).
    min_score: float = 0.0

    def score(self, raw: np.ndarray) -> np.ndarray:
        if self.calibration is None:
            return np.clip(raw, 0.0, 1.0)  # cosine similarity
        scale, margin = self.calibration
        return 0.5 * (1.0 + np.tanh(0.5 * scale * (raw - margin)))


@dataclass(frozen=True)
class Hit:
    moment: MomentRow
    score: float


def model_dirs(root: Path) -> list[tuple[Path, ModelIdentity]]:
    out = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            marker = folder / IDENTITY
            if marker.is_file():
                try:
                    out.append((folder, ModelIdentity.from_json(marker.read_text())))
                except (ValueError, KeyError):
                    raise SearchIndexError(f"{marker}: unreadable; "
                                           + REBUILD_HINT.format(root=root)) from None
    return out


def _dir_stamp(folder: Path) -> tuple[int, int]:
    """Which directory ``folder`` is now (a rebuild swaps in another one)."""
    deadline = time.monotonic() + SWAP_WAIT_S
    while True:
        try:
            st = os.stat(folder)
            return st.st_dev, st.st_ino
        except FileNotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)  # between the two renames of a swap


@dataclass
class _Generation:
    """One index directory as opened: its catalog and the FAISS files loaded from it."""

    stamp: tuple[int, int]
    catalog: Catalog
    cache: dict[str, Any]


class MomentIndex:
    def __init__(self, root: Path, identity: ModelIdentity, *, create: bool = False):
        self.root = root
        self.identity = identity
        self.folder = root / identity.slug
        if not (self.folder / IDENTITY).is_file():
            if not create:
                held = ", ".join(i.describe() for _, i in model_dirs(root)) or "nothing"
                raise SearchIndexError(f"{root}: no index of the {identity.describe()} "
                                       f"(it holds {held}); " + REBUILD_HINT.format(root=root))
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / IDENTITY).write_text(identity.to_json())
        self._lock = threading.Lock()
        self._open = self._open_generation(create=create)

    @classmethod
    def only(cls, root: Path) -> "MomentIndex":
        """The index in ``root`` when it holds one model's (else say which to choose)."""
        found = model_dirs(root)
        if not found:
            raise SearchIndexError(f"{root}: no moment index here; index an archive with "
                                   f"`vidclip batch ... --index {root}` or "
                                   + REBUILD_HINT.format(root=root))
        if len(found) > 1:
            raise SearchIndexError(f"{root} holds indexes of several models ("
                                   + "; ".join(i.describe() for _, i in found)
                                   + "): choose one with --model.")
        return cls(root, found[0][1])

    def _open_generation(self, *, create: bool = False) -> _Generation:
        stamp = _dir_stamp(self.folder)
        try:
            catalog = Catalog(self.folder / CATALOG, create=create)
        except SearchIndexError as exc:
            raise SearchIndexError(f"{exc.message} " + REBUILD_HINT.format(root=self.root)
                                   ) from None
        if create:  # the writer: an index from before words were indexed gets their table
            catalog.db.executescript(TEXT_SCHEMA)
        return _Generation(stamp, catalog, {})

    @property
    def catalog(self) -> Catalog:
        return self._open.catalog

    def _current(self) -> _Generation:
        """The generation to read: this one, or the directory swapped in since."""
        try:
            stamp = _dir_stamp(self.folder)
        except FileNotFoundError:
            raise SearchIndexError(f"{self.folder}: the index is gone; "
                                   + REBUILD_HINT.format(root=self.root)) from None
        with self._lock:
            if stamp != self._open.stamp:
                # The old catalog stays open for searches still using it; it closes
                # when the last of them lets it go.
                self._open = self._open_generation()
            return self._open

    def close(self) -> None:
        self._open.catalog.close()

    def __enter__(self) -> "MomentIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------
    def _file(self, gen: _Generation, name: str, keep: set[str]) -> Any:
        """The index file ``name`` of ``gen``, loaded once; files not in ``keep`` are let go."""
        with self._lock:
            if name not in gen.cache:
                gen.cache = {k: v for k, v in gen.cache.items() if k in keep}
                gen.cache[name] = engine.load(self.folder / name)
            return gen.cache[name]

    def _snapshot(self) -> tuple[_Generation, Any | None, Any | None, np.ndarray]:
        for attempt in range(4):
            gen = self._current()
            meta = gen.catalog.meta()
            keep = {meta.get("main", ""), meta.get("delta", "")}
            try:
                main = self._file(gen, meta["main"], keep) if "main" in meta else None
                delta = self._file(gen, meta["delta"], keep) if "delta" in meta else None
            except FileNotFoundError:
                if attempt < 3:
                    continue  # a writer replaced them since we read meta: read it again
                raise SearchIndexError(f"{self.folder}: index files are missing; "
                                       + REBUILD_HINT.format(root=self.root)) from None
            if _dir_stamp(self.folder) != gen.stamp:
                continue  # swapped while loading: those files may be the new directory's
            return gen, main, delta, gen.catalog.stale_ids()
        raise SearchIndexError(f"{self.folder}: the index kept changing under this search; "
                               "try again.")

    def __len__(self) -> int:
        return self._current().catalog.count()

    def kind(self) -> str:
        _, main, _, _ = self._snapshot()
        return engine.kind_of(main) if main is not None else "flat"

    def search(self, query: QueryVector, top: int = 10, filters: Filters | None = None
               ) -> list[Hit]:
        self.identity.require(query.identity)
        filters = filters or Filters()
        fetch = top * 3 + (1 if query.exclude_id is not None else 0)  # room to fold windows
        catalog, scores, ids = self._nearest(query.vector, fetch, filters)
        rows = catalog.rows([int(i) for i in ids])
        best: dict[tuple[str, int], Hit] = {}
        for score, i in zip(query.score(scores), ids, strict=True):
            row = rows.get(int(i))
            if row is None or int(i) == query.exclude_id or score < query.min_score:
                continue  # removed while we searched, the query's own moment, or noise
            place = (row.video.key, row.scene)
            if place not in best:  # one hit per scene: its best-scoring moment
                best[place] = Hit(row, round(float(score), 4))
        return sorted(best.values(), key=lambda h: -h.score)[:top]

    def _nearest(self, vector: np.ndarray, k: int, filters: Filters
                 ) -> tuple[Catalog, np.ndarray, np.ndarray]:
        """The catalog searched (its rows belong to the ids) and the nearest ids."""
        catalog: Catalog | None = None
        if filters.any:
            catalog = self._current().catalog
            allow, vectors = catalog.matching(filters, with_vectors=False, dim=self.identity.dim)
            if len(allow) <= EXACT_FILTERED_MAX:
                allow, vectors = catalog.matching(filters, with_vectors=True,
                                                  dim=self.identity.dim)
                assert vectors is not None
                raw = vectors @ vector.astype(np.float32)
                order = np.argsort(-raw, kind="stable")[:k]
                return catalog, raw[order], allow[order]
        else:
            allow = None
        gen, main, delta, stale = self._snapshot()
        if allow is not None and gen.catalog is not catalog:  # swapped since: filter again
            allow, _ = gen.catalog.matching(filters, with_vectors=False, dim=self.identity.dim)
        found = [engine.search(part, vector, k, allow=allow, exclude=stale)
                 for part in (main, delta) if part is not None]
        if not found:
            return gen.catalog, np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores = np.concatenate([f[0] for f in found])
        ids = np.concatenate([f[1] for f in found])
        order = np.argsort(-scores, kind="stable")[:k]
        return gen.catalog, scores[order], ids[order]

    def has_words(self) -> bool:
        """Whether this index holds a words table (every index its writer opened since)."""
        return has_words_table(self._current().catalog.db)

    def search_words(self, query: WordsQuery, top: int = 10, filters: Filters | None = None
                     ) -> list[TextHit]:
        """What was said or written that matches ``query`` (BM25), one hit per scene."""
        return search_words(self._current().catalog.db, query, top, filters)

    def covering(self, source: str, time_s: float) -> tuple[int, np.ndarray] | None:
        return self._current().catalog.covering(source, time_s)

    # -- writing ----------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[dict[str, str]]:
        with open(self.folder / "writer.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._current()  # a writer kept open across a rebuild writes to the new one
            self.catalog.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.catalog.meta()
                self.catalog.db.execute("COMMIT")
            except BaseException:
                self.catalog.db.execute("ROLLBACK")
                raise
            finally:
                self._sweep()

    def has(self, key: str, stamp: str) -> bool:
        return self.catalog.video_stamp(key) == stamp

    def words_stamp(self, key: str) -> str | None:
        """Which version of the video's words is indexed; None: none are."""
        return words_stamp(self.catalog.db, key)

    def add(self, video: VideoRow, moments: Moments, tags: Sequence[list[dict]],
            flags: Sequence[list[str]], words: Sequence[TextRow] | None = None,
            words_version: str = "") -> int:
        """Index one video's moments and words (replacing what it had); returns how many
        moments. ``words`` None keeps no words for it."""
        if moments.vectors.shape[1:] != (self.identity.dim,):
            raise SearchIndexError(f"{video.key}: {moments.vectors.shape[1:]} vectors do not fit "
                                   f"the {self.identity.describe()}.")
        with self._writing() as meta:
            if self.catalog.video_stamp(video.key) is not None:
                self._drop(video.key, meta)
            ids = self.catalog.insert_video(video, moments.kind, moments.scene, moments.start_s,
                                            moments.end_s, tags, flags, moments.vectors)
            if words is not None:
                replace_words(self.catalog.db, video.key, words, words_version)
            self._commit_files(meta, ids, moments.vectors)
        return len(ids)

    def set_words(self, key: str, words: Sequence[TextRow], words_version: str) -> int:
        """Replace an indexed video's words alone (its vectors unchanged); returns how many."""
        with self._writing():
            if self.catalog.video_stamp(key) is None:
                raise SearchIndexError(f"{key}: not in the index; add its moments first.")
            replace_words(self.catalog.db, key, words, words_version)
        return len(words)

    def remove(self, key: str) -> int:
        """Forget a video (a purged job); returns how many moments it had."""
        with self._writing() as meta:
            if self.catalog.video_stamp(key) is None:
                return 0
            removed = self._drop(key, meta)
            self._commit_files(meta, np.zeros(0, np.int64), None)
        return removed

    def _drop(self, key: str, meta: dict[str, str]) -> int:
        ids = self.catalog.delete_video(key)
        delete_words(self.catalog.db, key)
        self.catalog.add_stale(ids)  # whichever file holds them, searches now skip them
        return len(ids)

    def _commit_files(self, meta: dict[str, str], ids: np.ndarray,
                      vectors: np.ndarray | None) -> None:
        """Write the next generation's files; the caller commits ``meta`` naming them.

        Only the delta is read and written unless a merge is due: the main
        index's size and kind are in ``meta``, so an add costs the same at any size.
        """
        gen = int(meta.get("gen", "0")) + 1
        delta = (engine.load(self.folder / meta["delta"]) if "delta" in meta
                 else engine.new_index(self.identity.dim, 0))
        stale = self.catalog.stale_ids()
        if len(stale):
            delta.remove_ids(np.ascontiguousarray(stale, np.int64))
        if vectors is not None and len(ids):
            delta.add_with_ids(np.ascontiguousarray(vectors, np.float32), ids)
        main_total = int(meta.get("main_count", "0"))
        main_kind = meta.get("main_kind", "flat")
        names = {"gen": str(gen), "delta": f"delta-{gen}.faiss"}
        if ("main" not in meta or delta.ntotal > DELTA_MAX
                or len(stale) > STALE_SHARE * max(main_total, 1)
                or (main_kind == "flat" and main_total + delta.ntotal > engine.EXACT_UP_TO)):
            main = engine.load(self.folder / meta["main"]) if "main" in meta else None
            main = self._merged(main, delta, stale)
            delta = engine.new_index(self.identity.dim, 0)
            names["main"] = f"main-{gen}.faiss"
            names["main_count"] = str(main.ntotal)
            names["main_kind"] = engine.kind_of(main)
            engine.save(main, self.folder / names["main"])
        engine.save(delta, self.folder / names["delta"])
        self.catalog.set_meta(**names)

    def _merged(self, main: Any | None, delta: Any, stale: np.ndarray) -> Any:
        """The main index with the delta in: grown in place while it keeps its kind
        and little was removed, else rebuilt from every vector of the catalog."""
        total = self.catalog.count()
        if (main is not None and engine.kind_of(main) == engine.kind_for(total)
                and len(stale) <= STALE_SHARE * max(main.ntotal, 1)):
            if len(stale):
                if engine.kind_of(main) != "flat":
                    return self._rebuilt(total)
                main.remove_ids(np.ascontiguousarray(stale, np.int64))
                self.catalog.clear_stale()
            if delta.ntotal:
                main.add_with_ids(delta.index.reconstruct_n(0, delta.ntotal), faiss_ids(delta))
            return main
        return self._rebuilt(total)

    def _sample(self, size: int = 20_000) -> np.ndarray:
        for _, vectors in self.catalog.vectors(self.identity.dim, batch=size):
            return vectors
        return np.zeros((0, self.identity.dim), np.float32)

    def _rebuilt(self, total: int) -> Any:
        index = engine.new_index(self.identity.dim, total, self._sample())
        for ids, vectors in self.catalog.vectors(self.identity.dim):
            index.add_with_ids(np.ascontiguousarray(vectors), ids)
        self.catalog.clear_stale()
        return index

    def _sweep(self) -> None:
        """Delete index files older than the previous generation, and orphans of a crash."""
        meta = self.catalog.meta()
        gen = int(meta.get("gen", "0"))
        keep = {meta.get("main"), meta.get("delta")}
        for path in self.folder.glob("*.faiss*"):
            stem = path.name.split(".", 1)[0]
            try:
                file_gen = int(stem.rsplit("-", 1)[1])
            except (IndexError, ValueError):
                continue
            if path.name not in keep and (file_gen < gen - 1 or file_gen > gen
                                          or path.name.endswith(".part")):
                path.unlink(missing_ok=True)


def faiss_ids(index: Any) -> np.ndarray:
    """The ids an ``IndexIDMap2`` holds, in its order."""
    return engine.faiss_module().vector_to_array(index.id_map).astype(np.int64)


__all__ = ["MomentIndex", "QueryVector", "Hit", "Filters", "VideoRow", "model_dirs",
           "REBUILD_HINT"]
