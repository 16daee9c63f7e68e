"""Search an archive: FAISS index speed and size, and whether text finds the right moment.

    python benchmarks/search.py                  # 10k and 100k moments, and the meaning check
    python benchmarks/search.py --million        # also 1M (HNSW only; several minutes)
    python benchmarks/search.py --smoke --json out/search.json

Part 1, synthetic: unit vectors of CLIP's size (512), drawn around 2,000
random centres (real moment vectors cluster by subject; uniform noise would
be the worst case for any approximate index). Each index kind is built in
its own process (vidclip/index/engine.py builds them): build time, the
memory it added (resident set growth), p50/p95 latency of one top-10 query
on one thread (as the index searches), recall@10 against exact search (ground truth by a
chunked full scan), and -- through ``MomentIndex``, catalog included -- the
time to add one more video (20 moments). Ratios are against the exact
``flat`` index of the same size, measured in the same run.

Part 2, meaning: a montage of the photographs installed packages ship
(vidclip/encode/offline/photos.py, one 2 s shot each) analysed with
``--model offline``, its moments indexed, then each photo's labels asked as
text queries: recall@1 and @5 of the photo's own scene, against chance.
Then the calibration of the minimum score of a text query's vector hits
(``vidclip.index.query.MIN_TEXT_SCORE``): for each candidate minimum, the
hits every label query keeps, the share of them that are the photo's own
scene (precision) and the share of queries whose own scene is still kept
(recall), with off-topic queries (nothing in the montage shows them) whose
every kept hit is noise. The minimum is the lowest candidate at which every
hit the label queries keep is the right scene (precision 1).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import _common
import numpy as np

sys.path.insert(0, str(_common.REPO))

DIM = 512
CENTRES = 2000
CHUNK = 50_000
QUERIES = 200
K = 10


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def chunk(n: int, i: int, dim: int = DIM) -> np.ndarray:
    """Rows ``i*CHUNK ..`` of the synthetic set, the same every time they are drawn."""
    centres = np.random.default_rng(0).normal(size=(CENTRES, dim)).astype(np.float32)
    rng = np.random.default_rng(1000 + i)
    rows = min(CHUNK, n - i * CHUNK)
    x = centres[rng.integers(0, CENTRES, rows)] + 0.6 * rng.normal(size=(rows, dim)).astype(
        np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def chunks(n: int):
    for i in range((n + CHUNK - 1) // CHUNK):
        yield i * CHUNK, chunk(n, i)


def queries(n: int) -> np.ndarray:
    rng = np.random.default_rng(5)
    base = chunk(n, 0)[rng.integers(0, min(n, CHUNK), QUERIES)]
    q = base + 0.5 * rng.normal(size=base.shape).astype(np.float32) / np.sqrt(DIM)
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


def exact_top(n: int, q: np.ndarray) -> np.ndarray:
    best_s = np.full((len(q), K), -np.inf, np.float32)
    best_i = np.zeros((len(q), K), np.int64)
    for start, x in chunks(n):
        s = q @ x.T
        s_all = np.concatenate([best_s, s], axis=1)
        i_all = np.concatenate([best_i, start + np.arange(len(x))[None].repeat(len(q), 0)], 1)
        top = np.argsort(-s_all, axis=1)[:, :K]
        best_s = np.take_along_axis(s_all, top, 1)
        best_i = np.take_along_axis(i_all, top, 1)
    return best_i


def build(kind: str, n: int):
    import faiss

    from vidclip.index import engine

    if kind == "flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(DIM))
    elif kind == "hnsw-flat":
        base = faiss.IndexHNSWFlat(DIM, engine.HNSW_M, faiss.METRIC_INNER_PRODUCT)
        base.hnsw.efConstruction = engine.EF_CONSTRUCTION
        base.hnsw.efSearch = engine.EF_SEARCH
        index = faiss.IndexIDMap2(base)
    else:
        index = engine.new_index(DIM, engine.EXACT_UP_TO + 1, chunk(n, 0)[:20_000])
    for start, x in chunks(n):
        index.add_with_ids(x, np.arange(start, start + len(x), dtype=np.int64))
    return index


def add_one_video(kind: str, n: int) -> float:
    """Median ms to add a 20-moment video to a MomentIndex of ``n`` moments."""
    from vidclip.index import archive, engine
    from vidclip.index.catalog import VideoRow
    from vidclip.index.identity import ModelIdentity
    from vidclip.index.moments import Moments

    identity = ModelIdentity("bench", None, DIM, "clip")
    rng = np.random.default_rng(9)
    with tempfile.TemporaryDirectory(dir=_common.cache_dir()) as tmp:
        index = archive.MomentIndex(Path(tmp), identity, create=True)
        if kind == "flat":
            engine.EXACT_UP_TO = max(engine.EXACT_UP_TO, n + 10_000)
        per = 1000  # the archive, 1,000 moments a "video", loaded straight into the catalog
        with index._writing():
            for start, x in chunks(n):
                for j in range(0, len(x), per):
                    part = x[j:j + per]
                    index.catalog.insert_video(
                        VideoRow(f"bulk-{start + j}", "bulk"), np.zeros(len(part), np.uint8),
                        np.zeros(len(part), np.int32), np.zeros(len(part)), np.ones(len(part)),
                        [[]] * len(part), [[]] * len(part), part)
            main = index._rebuilt(n)
            engine.save(main, index.folder / "main-1.faiss")
            engine.save(engine.new_index(DIM, 0), index.folder / "delta-1.faiss")
            index.catalog.set_meta(gen="1", main="main-1.faiss", delta="delta-1.faiss",
                                   main_count=str(main.ntotal), main_kind=engine.kind_of(main))
        times = []
        for v in range(10):
            x = rng.normal(size=(20, DIM)).astype(np.float32)
            m = Moments(x / np.linalg.norm(x, axis=1, keepdims=True), np.zeros(20, np.uint8),
                        np.arange(20, dtype=np.int32), np.arange(20.0), np.arange(20.0) + 1)
            started = time.perf_counter()
            index.add(VideoRow(f"new-{v}", "new.mp4", stamp="1"), m, [[]] * 20, [[]] * 20)
            times.append((time.perf_counter() - started) * 1000)
        index.close()
    return float(np.median(times))


def engine_threads() -> int:
    from vidclip.index import engine

    return engine.SEARCH_THREADS


def child_synthetic(kind: str, n: int, with_add: bool) -> dict:
    q = queries(n)
    truth = exact_top(n, q)
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index = build(kind, n)
    build_s = time.perf_counter() - started
    gc.collect()
    ram = rss_mb() - before
    import faiss

    faiss.omp_set_num_threads(engine_threads())  # as MomentIndex searches
    for v in q[:10]:  # warm
        index.search(v[None], K)
    lat, found = [], []
    for v in q:
        t0 = time.perf_counter()
        _, ids = index.search(v[None], K)
        lat.append((time.perf_counter() - t0) * 1000)
        found.append(ids[0])
    recall = float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)]))
    del index
    gc.collect()
    add_ms = add_one_video(kind, n) if with_add else None
    return {"kind": kind, "n": n, "build_s": round(build_s, 2), "ram_mb": round(ram, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 3),
            "p95_ms": round(float(np.percentile(lat, 95)), 3),
            "recall10": round(recall, 4), "add_video_ms": add_ms}


#: Queries for what no photo of the montage shows: every hit they get is noise.
OFF_TOPIC = ("a submarine", "a violin concert", "a snowy mountain", "harbour master",
             "a tax form", "a birthday cake", "an elephant", "a football match")
MINIMUMS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def _uncut(query):
    """The query without the index's minimum score: every hit, for the calibration."""
    from dataclasses import replace

    return replace(query, min_score=0.0)


def minimum_table(scored: list[list[tuple[float, bool]]], noise: list[float]) -> list[list]:
    table = []
    for minimum in MINIMUMS:
        kept = [right for hits in scored for score, right in hits if score >= minimum]
        right = sum(kept)
        recall = sum(any(r and s >= minimum for s, r in hits) for hits in scored) / len(scored)
        table.append([minimum, len(kept), right, len(kept) - right,
                      round(right / len(kept), 3) if kept else None, round(recall, 3),
                      sum(s >= minimum for s in noise)])
    return table


def meaning(smoke: bool) -> dict | None:
    """Recall@1/@5 of text queries for the montage photos' labels (offline model)."""
    from vidclip.config import AnalysisConfig
    from vidclip.encode.offline.photos import available_photos, write_photo_montage
    from vidclip.errors import VidclipError
    from vidclip.index.archive import MomentIndex
    from vidclip.index.catalog import VideoRow
    from vidclip.index.identity import ModelIdentity
    from vidclip.index.ingest import add_analysis
    from vidclip.index.query import QueryEmbedder
    from vidclip.pipeline import Pipeline

    photos = [p for p in available_photos() if not p.hard]
    if smoke:
        photos = photos[:4]
    if len(photos) < 2:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "montage.mp4"
        scenes = write_photo_montage(clip, photos)
        config = AnalysisConfig().with_overrides({"model": {"name": "offline"},
                                                  "sampling": {"fps": 2.0}})
        try:
            pipeline = Pipeline(config, cache_dir=_common.cache_dir() / "text-cache")
            run = pipeline.run(clip, caption=False)
        except VidclipError as exc:
            print(f"meaning check skipped: {exc.message}")
            return None
        identity = ModelIdentity.of(run.analysis.model)
        index = MomentIndex(Path(tmp) / "index", identity, create=True)
        add_analysis(index, VideoRow("montage", str(clip)), run.analysis, run.moments())
        embedder = QueryEmbedder(pipeline.encoder, pipeline.cache_dir)
        rows, ranks, scored, noise = [], [], [], []
        for query in OFF_TOPIC:
            noise += [h.score for h in index.search(_uncut(embedder.text(query)),
                                                    top=len(scenes))]
        for truth in scenes:
            for label in truth.photo.labels:
                t0 = time.perf_counter()
                hits = index.search(_uncut(embedder.text(label)), top=len(scenes))
                ms = (time.perf_counter() - t0) * 1000
                mids = [(h.moment.start_s + h.moment.end_s) / 2 for h in hits]
                rank = next((r for r, mid in enumerate(mids, 1)
                             if truth.start_s <= mid < truth.end_s), None)
                ranks.append(rank)
                rows.append([label, truth.photo.name, rank,
                             hits[0].score if hits else None, round(ms, 1)])
                scored.append([(h.score, truth.start_s <= mid < truth.end_s)
                               for h, mid in zip(hits, mids, strict=True)])
        pipeline.close()
    print(_common.table(["query", "photo", "rank", "top score", "ms"], rows))
    print("\nminimum score of a text query's vector hits (MIN_TEXT_SCORE)")
    print(_common.table(["minimum", "kept", "right", "wrong", "precision", "recall",
                         "off-topic kept"], minimum_table(scored, noise)))
    n = len(ranks)
    return {"photos": len(scenes), "queries": n, "minimum": minimum_table(scored, noise),
            "recall1": round(sum(r == 1 for r in ranks) / n, 3),
            "recall5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
            "chance1": round(1 / len(scenes), 3), "chance5": round(min(5, len(scenes))
                                                                   / len(scenes), 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--million", action="store_true", help="also 1M moments (HNSW only)")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: keeps the script working")
    ap.add_argument("--no-meaning", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--child")
    ap.add_argument("--n", type=int)
    ap.add_argument("--with-add", action="store_true")
    ap.add_argument("--child-out")
    args = ap.parse_args()
    if args.child:
        _common.write_child_result(args.child_out, child_synthetic(args.child, args.n,
                                                                   args.with_add))
        return 0
    plan = [(2000, ["flat", "hnsw-sq8"])] if args.smoke else [
        (10_000, ["flat", "hnsw-sq8"]), (100_000, ["flat", "hnsw-flat", "hnsw-sq8"])]
    if args.million:
        plan.append((1_000_000, ["flat", "hnsw-sq8"]))
    results = []
    for n, kinds in plan:
        for kind in kinds:
            extra = ["--with-add"] if kind != "hnsw-flat" and n <= 100_000 else []
            print(f"building {kind} over {n:,} moments...", file=sys.stderr)
            results.append(_common.run_child(Path(__file__), kind, ["--n", str(n), *extra],
                                             timeout=7200))
    flat = {r["n"]: r for r in results if r["kind"] == "flat"}
    rows = [[f"{r['n']:,}", r["kind"], r["build_s"], r["ram_mb"], r["p50_ms"], r["p95_ms"],
             round(r["p50_ms"] / flat[r["n"]]["p50_ms"], 3), r["recall10"], r["add_video_ms"]]
            for r in results]
    print(f"\nmachine: {_common.machine()}")
    print(_common.table(["moments", "index", "build s", "RAM MB", "p50 ms", "p95 ms",
                         "p50 / flat", "recall@10", "add video ms"], rows))
    found = None if args.no_meaning else meaning(args.smoke)
    if found:
        print(f"\nmeaning ({found['photos']} photos, {found['queries']} label queries, offline "
              f"model): recall@1 {found['recall1']:.2f} (chance {found['chance1']:.2f}), "
              f"recall@5 {found['recall5']:.2f} (chance {found['chance5']:.2f})")
    _common.save_json(args.json, {"synthetic": results, "meaning": found})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
