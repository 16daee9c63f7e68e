"""An index rebuilt and swapped in while it is being read: a reader thread that
keeps searching moves to the new generation at once, never sees the two mixed
(whether the directories are exchanged in one step or renamed twice), and a
query worker's ``Searcher`` answers from the new index without a restart."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faiss", reason="the index needs faiss-cpu (the index extra)")

from tests.analyses import small_analysis
from vidclip.index import ingest
from vidclip.index.archive import MomentIndex, QueryVector
from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.files import save_moments
from vidclip.index.identity import ModelIdentity
from vidclip.index.moments import Moments

DIM = 16
MODEL = ModelIdentity("tiny-test", None, DIM, "clip")
SCENES = 4


def moments(rng, dim: int = DIM) -> Moments:
    vectors = rng.normal(size=(SCENES, dim))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return Moments(vectors, np.zeros(SCENES, np.uint8), np.arange(SCENES, dtype=np.int32),
                   np.arange(SCENES) * 2.0, np.arange(SCENES) * 2.0 + 2.0)


def results(folder: Path, videos: int, rng) -> Path:
    """``videos`` analysed videos as ``vidclip batch --index`` leaves them."""
    folder.mkdir()
    for n in range(videos):
        result = small_analysis(f"/archive/{folder.name}/v{n}.mp4", scenes=SCENES, tag="dog",
                                caption="", dim=DIM)
        (folder / f"v{n}.json").write_text(result.model_dump_json())
        save_moments(folder / f"v{n}.moments.npz", moments(rng), MODEL)
    return folder


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_reader_moves_to_a_rebuild_swapped_in_while_it_searches(tmp_path, monkeypatch,
                                                                   exchange):
    rng = np.random.default_rng(11)
    if not exchange:
        monkeypatch.setattr(ingest, "_exchange", lambda a, b: False)
    root = tmp_path / "index"
    ingest.rebuild(results(tmp_path / "old", 3, rng), root)
    new = results(tmp_path / "new", 5, rng)
    reader = MomentIndex.only(root)
    probe = QueryVector(moments(rng).vectors[0], MODEL)
    answers: list[set[str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            filters = Filters(tag="dog") if len(answers) % 2 else None  # both search paths
            try:
                hits = reader.search(probe, top=1000, filters=filters)
            except BaseException as exc:
                errors.append(exc)
                return
            answers.append({Path(h.moment.video.source).parent.name for h in hits}
                           | {f"n={len(hits)}"})

    thread = threading.Thread(target=read)
    thread.start()
    try:
        while len(answers) < 5 and thread.is_alive():
            time.sleep(0.01)
        ingest.rebuild(new, root)
        deadline = time.monotonic() + 10
        while (not answers or "new" not in answers[-1]) and time.monotonic() < deadline \
                and thread.is_alive():
            time.sleep(0.01)
        seen = len(answers)
        while len(answers) < seen + 5 and thread.is_alive():
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join()
    assert not errors, errors[:1]
    # Whole generations only: 3 videos of the old one, or 5 of the new one.
    assert set(map(frozenset, answers)) == {frozenset({"old", "n=12"}),
                                            frozenset({"new", "n=20"})}
    first_new = next(i for i, a in enumerate(answers) if "new" in a)
    assert all("new" in a for a in answers[first_new:])  # never back to the old one
    assert len(reader) == 20
    assert [p.name for p in root.iterdir()] == [MODEL.slug]  # nothing left of the swap


def test_a_query_worker_answers_from_the_new_generation_without_a_restart(tmp_path,
                                                                         tiny_encoder):
    from vidclip.index.query import QueryEmbedder
    from vidclip.index.service import Searcher

    rng = np.random.default_rng(5)
    embedder = QueryEmbedder(tiny_encoder, None)
    identity, root = embedder.identity, tmp_path / "index"

    def build(folder: Path, job: str) -> Path:
        with MomentIndex(folder, identity, create=True) as index:
            index.add(VideoRow(job, f"{job}.mp4", job_id=job, tenant="acme", stamp="1"),
                      moments(rng, identity.dim), [[]] * SCENES, [[]] * SCENES)
        return folder / identity.slug

    build(root, "job-old")
    searcher = Searcher(embedder, root)
    ask = {"tenant": "acme", "q": "a dog", "top": 10}
    assert {h["job_id"] for h in searcher.answer(ask)["hits"]} == {"job-old"}
    ingest.swap_in(build(tmp_path / "staging", "job-new"), root / identity.slug)
    assert {h["job_id"] for h in searcher.answer(ask)["hits"]} == {"job-new"}
