"""The words half of an index: what was said and written, in a full-text index (SQLite
FTS5, ranked by BM25) inside the catalog, beside the moment vectors.

One row per transcript segment (``kind`` speech) and per on-screen text item
(``kind`` text), with its time range, the scene it starts in and the video
row (so tenants and sources filter as for vectors). The rows live in
``texts``; ``texts_fts`` is an external-content FTS5 index over them, kept
in step by triggers, tokenized with ``porter unicode61 remove_diacritics 2``
(case, accents and English endings do not matter). ``text_stamps`` records
which version of a video's words is in, so words are re-indexed when they
change even if the vectors did not, and an index made before words were
indexed gets them on the writer's next pass.

Writes happen in the one writer's transaction (:class:`~vidclip.index.archive.MomentIndex`);
the FAISS files are untouched by them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.words_query import CLOSE, OPEN, WordsQuery, snippet
from vidclip.schema import VideoAnalysis

TEXT_SCHEMA = """
CREATE TABLE IF NOT EXISTS texts (
    id INTEGER PRIMARY KEY, video TEXT NOT NULL, kind TEXT NOT NULL, scene INTEGER NOT NULL,
    start_s REAL NOT NULL, end_s REAL NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS texts_video ON texts(video);
CREATE VIRTUAL TABLE IF NOT EXISTS texts_fts USING fts5(
    body, content='texts', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS texts_added AFTER INSERT ON texts BEGIN
    INSERT INTO texts_fts(rowid, body) VALUES (new.id, new.body); END;
CREATE TRIGGER IF NOT EXISTS texts_removed AFTER DELETE ON texts BEGIN
    INSERT INTO texts_fts(texts_fts, rowid, body) VALUES ('delete', old.id, old.body); END;
CREATE TABLE IF NOT EXISTS text_stamps (video TEXT PRIMARY KEY, stamp TEXT NOT NULL);
"""
WORD_KINDS = ("speech", "text")


@dataclass(frozen=True)
class TextRow:
    """One searchable stretch of words of a video."""

    kind: str  # speech | text
    scene: int
    start_s: float
    end_s: float
    body: str


@dataclass(frozen=True)
class TextHit:
    id: int
    video: VideoRow
    row: TextRow
    #: The share of the query's words the text holds (1.0: all, or the whole phrase).
    score: float
    snippet: str
    #: ``[start, end)`` of each match in :attr:`snippet`.
    highlights: tuple[tuple[int, int], ...]
    #: Tier of the query it matched in (0 best), then its BM25 rank inside it.
    rank: tuple[int, float]


def _scene_at(analysis: VideoAnalysis, time_s: float) -> int:
    for scene in analysis.scenes:
        if scene.start_s <= time_s < scene.end_s:
            return scene.index
    # Past the last scene's end (or no scenes at all: an audio-only file).
    return analysis.scenes[-1].index if analysis.scenes else 0


def text_rows(analysis: VideoAnalysis) -> list[TextRow]:
    """The rows of one analysed video: transcript segments, then on-screen text items."""
    rows = []
    segments = analysis.transcript.segments if analysis.transcript else []
    for seg in segments:
        body = " ".join((seg.text or " ".join(w.text for w in seg.words)).split())
        if body:
            rows.append(TextRow("speech", _scene_at(analysis, seg.start_s), seg.start_s,
                                seg.end_s, body))
    for item in analysis.on_screen_text:
        body = " ".join(item.text.split())
        if body:
            rows.append(TextRow("text", _scene_at(analysis, item.start_s), item.start_s,
                                item.end_s, body))
    return rows


def has_words_table(db: sqlite3.Connection) -> bool:
    """False for an index made before words were indexed (until its writer's next pass)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'texts_fts'").fetchone()
    return found is not None


def words_stamp(db: sqlite3.Connection, key: str) -> str | None:
    if not has_words_table(db):
        return None
    row = db.execute("SELECT stamp FROM text_stamps WHERE video = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def replace_words(db: sqlite3.Connection, key: str, rows: Sequence[TextRow], stamp: str) -> None:
    """The video's rows, replacing what it had (the caller holds the writer's transaction)."""
    delete_words(db, key)
    db.executemany("INSERT INTO texts(video, kind, scene, start_s, end_s, body) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [(key, r.kind, r.scene, float(r.start_s), float(r.end_s), r.body)
                    for r in rows])
    db.execute("INSERT OR REPLACE INTO text_stamps(video, stamp) VALUES (?, ?)", (key, stamp))


def delete_words(db: sqlite3.Connection, key: str) -> int:
    if not has_words_table(db):
        return 0
    removed = db.execute("DELETE FROM texts WHERE video = ?", (key,)).rowcount
    db.execute("DELETE FROM text_stamps WHERE video = ?", (key,))
    return removed


_SELECT = (f"SELECT t.id, t.kind, t.scene, t.start_s, t.end_s, "
           f"highlight(texts_fts, 0, '{OPEN}', '{CLOSE}'), bm25(texts_fts), v.key, v.source, "
           "v.job_id, v.tenant, v.job_tag, v.stamp FROM texts_fts JOIN texts t "
           "ON t.id = texts_fts.rowid JOIN videos v ON v.key = t.video ")


def search_words(db: sqlite3.Connection, query: WordsQuery, top: int = 10,
                 filters: Filters | None = None) -> list[TextHit]:
    """The best rows for ``query``, one per scene of a video, best first."""
    if not query or not has_words_table(db):
        return []
    where, args = (filters or Filters()).sql(rows="t")
    best: dict[tuple[str, int], TextHit] = {}
    seen: list[int] = []
    for level, tier in enumerate(query.tiers()):
        if len(best) >= top:
            break
        skip = f" AND t.id NOT IN ({','.join('?' * len(seen))})" if seen else ""
        found = db.execute(_SELECT + f"WHERE texts_fts MATCH ? AND {where}{skip} "
                           "ORDER BY bm25(texts_fts) LIMIT ?",
                           [tier.match, *args, *seen, top * 3]).fetchall()
        shares = _shares(db, query, [r[0] for r in found]) if tier.score is None else {}
        for r in found:
            seen.append(r[0])
            text, spans = snippet(r[5])
            hit = TextHit(r[0], VideoRow(r[7], r[8], r[9], r[10], r[11], r[12] or ""),
                          TextRow(r[1], r[2], r[3], r[4], r[5].replace(OPEN, "").replace(
                              CLOSE, "")),
                          tier.score if tier.score is not None else shares.get(r[0], 0.0),
                          text, spans, (level, float(r[6])))
            best.setdefault((hit.video.key, hit.row.scene), hit)
    ranked = sorted(best.values(), key=lambda h: (h.rank[0], -h.score, h.rank[1]))
    return ranked[:top]


def _shares(db: sqlite3.Connection, query: WordsQuery, ids: list[int]) -> dict[int, float]:
    """Per row, the share of the query's phrases and words it holds."""
    if not ids:
        return {}
    counts = dict.fromkeys(ids, 0)
    marks = ",".join("?" * len(ids))
    for part in query.parts():
        for (rowid,) in db.execute(f"SELECT rowid FROM texts_fts WHERE texts_fts MATCH ? "
                                   f"AND rowid IN ({marks})", [part, *ids]):
            counts[rowid] += 1
    return {i: round(n / query.size, 4) for i, n in counts.items()}
