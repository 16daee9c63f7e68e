"""Search by words: the FTS5 index of transcripts and on-screen text beside the vectors.

    python benchmarks/search_words.py                 # 2,000 videos (~120,000 lines)
    python benchmarks/search_words.py --videos 200 --json out/words.json

Builds one index of synthetic videos: 10 scene vectors each (unit vectors
around random centres, as benchmarks/search.py draws them) and 60 lines of
words each (sentences drawn from a fixed vocabulary with a Zipf-like
frequency, so common words are common and rare ones rare), then prints:
the time to add one more video with its words against adding it without
(the baseline), and p50/p95 latency of one words query -- a rare word, a
common word, a two-word phrase, a phrase absent as such (the any-word tier),
a hostile query -- and of hybrid queries, against one vector query in the
same index (the baseline).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import _common
import numpy as np

sys.path.insert(0, str(_common.REPO))

DIM = 512
SCENES = 10
LINES = 60
WORDS = ("the a and of to in is it you that he was for on are with as his they be at one "
         "have this from or had by hot word but what some we can out other were all there "
         "when up use your how said an each she which do their time if will way about many "
         "then them write would like so these her long make thing see him two has look more "
         "day could go come did number sound no most people my over know water than call "
         "first who may down side been now find harbour master ferry quay pilot lighthouse "
         "gull tide anchor rope deck crane cargo storm captain engine").split()
QUERIES = {"rare word": "lighthouse", "common word": "people", "phrase": "harbour master",
           "any word": "storm anchor captain zebra", "hostile": 'harbour" AND NEAR( *'}


def sentence(rng) -> str:
    ranks = np.arange(1, len(WORDS) + 1)
    weights = 1.0 / ranks
    picks = rng.choice(len(WORDS), size=rng.integers(6, 16), p=weights / weights.sum())
    return " ".join(WORDS[i] for i in picks).capitalize() + "."


def video(rng, i: int, with_words: bool = True):
    from vidclip.index.catalog import VideoRow
    from vidclip.index.moments import Moments
    from vidclip.index.words import TextRow

    v = rng.normal(size=(SCENES, DIM)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    moments = Moments(v, np.zeros(SCENES, np.uint8), np.arange(SCENES, dtype=np.int32),
                      np.arange(SCENES) * 6.0, np.arange(SCENES) * 6.0 + 6.0)
    rows = [TextRow("speech" if k % 4 else "text", k * SCENES // LINES, k * 1.0, k + 0.9,
                    sentence(rng)) for k in range(LINES)] if with_words else None
    return VideoRow(f"v{i}", f"/archive/v{i}.mp4", job_id=f"v{i}", tenant="acme",
                    stamp="1"), moments, rows


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--videos", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--json")
    args = ap.parse_args()
    from vidclip.index.archive import MomentIndex, QueryVector
    from vidclip.index.catalog import Filters
    from vidclip.index.hybrid import search
    from vidclip.index.identity import ModelIdentity
    from vidclip.index.words_query import WordsQuery

    model = ModelIdentity("bench", None, DIM, "clip")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp, MomentIndex(Path(tmp), model, create=True) as index:
        started = time.perf_counter()
        for i in range(args.videos):
            row, moments, words = video(rng, i)
            index.add(row, moments, [[]] * SCENES, [[]] * SCENES, words, "1")
        build_s = time.perf_counter() - started
        extra = [video(rng, args.videos + k, with_words=bool(k % 2)) for k in range(20)]
        plain = [timed(lambda e=e: index.add(e[0], e[1], [[]] * SCENES, [[]] * SCENES), 1)[0]
                 for e in extra[0::2]]
        worded = [timed(lambda e=e: index.add(e[0], e[1], [[]] * SCENES, [[]] * SCENES, e[2],
                                              "1"), 1)[0] for e in extra[1::2]]
        filters = Filters(tenant="acme")
        vector = QueryVector(extra[0][1].vectors[0], model)
        base = timed(lambda: index.search(vector, 10, filters), args.repeat)
        rows = [["vector query (baseline)", *_stats(base, base)]]
        for name, text in QUERIES.items():
            query = WordsQuery.parse(text)
            rows.append([f"words: {name}",
                         *_stats(timed(lambda q=query: index.search_words(q, 10, filters),
                                       args.repeat), base)])
        rows.append(["hybrid: phrase", *_stats(timed(lambda: search(
            index, "hybrid", text="harbour master", vector=vector, top=10, filters=filters),
            args.repeat), base)])
        lines = index.catalog.db.execute("SELECT count(*) FROM texts").fetchone()[0]
    print(f"{args.videos:,} videos, {lines:,} lines of words, built in {build_s:.1f} s; "
          f"adding one video: {np.median(plain):.1f} ms without words, "
          f"{np.median(worded):.1f} ms with {LINES} lines "
          f"({np.median(worded) / np.median(plain):.2f}x)\n")
    print(_common.table(["query", "p50 ms", "p95 ms", "p50 / vector"], rows))
    _common.save_json(args.json, {"videos": args.videos, "lines": lines, "rows": rows,
                                  "add_ms": [float(np.median(plain)), float(np.median(worded))]})
    return 0


def _stats(ms: list[float], base: list[float]) -> list[float]:
    p50 = float(np.percentile(ms, 50))
    return [round(p50, 2), round(float(np.percentile(ms, 95)), 2),
            round(p50 / float(np.percentile(base, 50)), 2)]


if __name__ == "__main__":
    sys.exit(main())
