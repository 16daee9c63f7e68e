"""The SQLite half of an index: one row per moment (metadata and vector), one per video.

The catalog is the index's own record of what it holds. Every write is one
transaction that also names the FAISS files that match it (``meta``), so a
reader that reads ``meta`` gets a consistent pair of catalog rows and files:
SQLite's WAL mode lets it read while the one writer writes. The vectors are
kept here too (float32 blobs), so the FAISS files can be rebuilt at any size
without going back to the moment files.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidclip.errors import SearchIndexError
from vidclip.index.moments import KINDS

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS videos (
    key TEXT PRIMARY KEY, source TEXT NOT NULL, job_id TEXT, tenant TEXT, job_tag TEXT,
    stamp TEXT);
CREATE TABLE IF NOT EXISTS moments (
    id INTEGER PRIMARY KEY, video TEXT NOT NULL, kind INTEGER NOT NULL, scene INTEGER NOT NULL,
    start_s REAL NOT NULL, end_s REAL NOT NULL, tags TEXT NOT NULL, flags TEXT NOT NULL,
    vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS moments_video ON moments(video);
CREATE TABLE IF NOT EXISTS stale (id INTEGER PRIMARY KEY);
"""


@dataclass(frozen=True)
class VideoRow:
    """What the index records of one video (the key is a result path or a job id)."""

    key: str
    source: str
    job_id: str | None = None
    tenant: str | None = None
    job_tag: str | None = None
    #: Changes when the stored moments change (a re-analysed video is re-indexed).
    stamp: str = ""


@dataclass(frozen=True)
class MomentRow:
    id: int
    video: VideoRow
    kind: str
    scene: int
    start_s: float
    end_s: float
    tags: list[dict]
    flags: list[str]


@dataclass(frozen=True)
class Filters:
    """Which moments a search may return; None means any."""

    tag: str | None = None
    flagged: bool | None = None
    source_glob: str | None = None
    min_duration_s: float | None = None
    tenant: str | None = None

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.tag, self.flagged, self.source_glob,
                                           self.min_duration_s, self.tenant))

    def sql(self, rows: str = "m") -> tuple[str, list[object]]:
        """The WHERE clause over ``rows`` (``m``: moments; ``t``: the words table, whose
        tag and flags are those of its scene's moment) joined to ``videos v``."""
        where: list[str] = ["1"]
        args: list[object] = []
        scene, scene_args = self._scene_sql()
        if scene and rows == "m":
            where += scene
        elif scene:
            where.append(f"EXISTS (SELECT 1 FROM moments m WHERE m.video = {rows}.video AND "
                         f"m.scene = {rows}.scene AND m.kind = 0 AND {' AND '.join(scene)})")
        args += scene_args
        if self.source_glob is not None:
            where.append("v.source GLOB ?")
            args.append(self.source_glob)
        if self.min_duration_s is not None:
            where.append(f"{rows}.end_s - {rows}.start_s >= ?")
            args.append(self.min_duration_s)
        if self.tenant is not None:
            where.append("v.tenant = ?")
            args.append(self.tenant)
        return " AND ".join(where), args

    def _scene_sql(self) -> tuple[list[str], list[object]]:
        where: list[str] = []
        args: list[object] = []
        if self.tag is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(m.tags) "
                         "WHERE lower(json_extract(value, '$.label')) = lower(?))")
            args.append(self.tag)
        if self.flagged is not None:
            where.append("json_array_length(m.flags) > 0" if self.flagged
                         else "json_array_length(m.flags) = 0")
        return where, args


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise SearchIndexError(f"{path.parent}: no index catalog here.")
    try:
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if create:
            db.executescript(SCHEMA)
        db.execute("SELECT count(*) FROM meta").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SearchIndexError(f"{path}: the index catalog is unreadable ({exc}).") from None
    return db


class Catalog:
    def __init__(self, path: Path, *, create: bool = False):
        self.path = path
        self.db = connect(path, create=create)

    def close(self) -> None:
        self.db.close()

    # -- meta ---------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, **values: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                            list(values.items()))

    # -- writes (the caller holds the writer lock and a transaction) ------------------
    def video_stamp(self, key: str) -> str | None:
        row = self.db.execute("SELECT stamp FROM videos WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0] or "")

    def insert_video(self, video: VideoRow, kind: np.ndarray, scene: np.ndarray,
                     start_s: np.ndarray, end_s: np.ndarray, tags: Sequence[list[dict]],
                     flags: Sequence[list[str]], vectors: np.ndarray) -> np.ndarray:
        """Insert the rows; returns their new ids."""
        self.db.execute("INSERT INTO videos(key, source, job_id, tenant, job_tag, stamp) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (video.key, video.source, video.job_id,
                                                      video.tenant, video.job_tag, video.stamp))
        first = int(self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM moments").fetchone()[0])
        first = max(first, int(self.meta().get("next_id", "1")))
        ids = np.arange(first, first + len(kind), dtype=np.int64)
        self.db.executemany(
            "INSERT INTO moments(id, video, kind, scene, start_s, end_s, tags, flags, vector) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(int(ids[i]), video.key, int(kind[i]), int(scene[i]), float(start_s[i]),
              float(end_s[i]), json.dumps(tags[i]), json.dumps(flags[i]),
              np.ascontiguousarray(vectors[i], np.float32).tobytes()) for i in range(len(kind))])
        # Ids are never reused: a FAISS file built before a removal still holds the old ones.
        self.set_meta(next_id=str(first + len(kind)))
        return ids

    def delete_video(self, key: str) -> np.ndarray:
        """Delete a video's rows; returns the ids they had."""
        ids = np.array([r[0] for r in self.db.execute(
            "SELECT id FROM moments WHERE video = ?", (key,))], np.int64)
        self.db.execute("DELETE FROM moments WHERE video = ?", (key,))
        self.db.execute("DELETE FROM videos WHERE key = ?", (key,))
        return ids

    def add_stale(self, ids: np.ndarray) -> None:
        self.db.executemany("INSERT OR IGNORE INTO stale(id) VALUES (?)", [(int(i),) for i in ids])

    def clear_stale(self) -> None:
        self.db.execute("DELETE FROM stale")

    # -- reads ----------------------------------------------------------------------
    def stale_ids(self) -> np.ndarray:
        return np.array([r[0] for r in self.db.execute("SELECT id FROM stale")], np.int64)

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM moments").fetchone()[0])

    def video_keys(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT key FROM videos ORDER BY key")]

    def vectors(self, dim: int, batch: int = 65536) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every ``(ids, vectors)`` in id order, a batch at a time."""
        last = 0
        while True:
            rows = self.db.execute("SELECT id, vector FROM moments WHERE id > ? ORDER BY id "
                                   "LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            ids = np.array([r[0] for r in rows], np.int64)
            vectors = np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(-1, dim)
            yield ids, vectors
            last = int(ids[-1])

    def matching(self, filters: Filters, *, with_vectors: bool, dim: int
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        """Ids (and vectors) of the moments ``filters`` allow."""
        where, args = filters.sql()
        column = ", m.vector" if with_vectors else ""
        rows = self.db.execute(f"SELECT m.id{column} FROM moments m JOIN videos v "
                               f"ON v.key = m.video WHERE {where}", args).fetchall()
        ids = np.array([r[0] for r in rows], np.int64)
        if not with_vectors:
            return ids, None
        blob = b"".join(r[1] for r in rows)
        return ids, np.frombuffer(blob, np.float32).reshape(-1, dim)

    def rows(self, ids: Sequence[int]) -> dict[int, MomentRow]:
        """The rows of ``ids`` that still exist (a video removed meanwhile is left out)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        found = self.db.execute(
            "SELECT m.id, m.kind, m.scene, m.start_s, m.end_s, m.tags, m.flags, v.key, v.source, "
            f"v.job_id, v.tenant, v.job_tag, v.stamp FROM moments m JOIN videos v "
            f"ON v.key = m.video WHERE m.id IN ({marks})", [int(i) for i in ids]).fetchall()
        return {r[0]: MomentRow(r[0], VideoRow(r[7], r[8], r[9], r[10], r[11], r[12] or ""),
                                KINDS[r[1]], r[2], r[3], r[4], json.loads(r[5]),
                                json.loads(r[6])) for r in found}

    def scene_metadata(self, key: str, scene: int) -> tuple[list[dict], list[str]]:
        """The tags and flags a video's scene moment carries (empty for a scene without one)."""
        row = self.db.execute("SELECT tags, flags FROM moments WHERE video = ? AND scene = ? "
                              "AND kind = 0 LIMIT 1", (key, scene)).fetchone()
        return (json.loads(row[0]), json.loads(row[1])) if row else ([], [])

    def covering(self, source_name: str, time_s: float) -> tuple[int, np.ndarray] | None:
        """The shortest moment of a video (matched by source) that covers ``time_s``."""
        row = self.db.execute(
            "SELECT m.id, m.vector FROM moments m JOIN videos v ON v.key = m.video "
            "WHERE (v.source = ? OR v.source LIKE ?) AND m.start_s <= ? AND m.end_s >= ? "
            "ORDER BY m.end_s - m.start_s LIMIT 1",
            (source_name, f"%/{source_name}", time_s, time_s)).fetchone()
        if row is None:
            return None
        return int(row[0]), np.frombuffer(row[1], np.float32)
