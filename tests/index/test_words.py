"""Search by words: transcript and on-screen text in the catalog's full-text index
(FTS5, BM25) beside the vectors; phrases, tenants, re-indexing, purges, hostile
queries, old indexes without the table, and the fusion with vector hits."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

pytest.importorskip("faiss", reason="the index needs faiss-cpu (the index extra)")

from tests.spoken import analysis, said, transcript, written
from vidclip.errors import QueryError
from vidclip.index.archive import MomentIndex, QueryVector
from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.files import save_moments
from vidclip.index.hybrid import fuse, search
from vidclip.index.identity import ModelIdentity
from vidclip.index.ingest import Indexer, add_analysis
from vidclip.index.moments import Moments
from vidclip.index.words import text_rows
from vidclip.index.words_query import WordsQuery, snippet

DIM = 16
MODEL = ModelIdentity("tiny-test", None, DIM, "clip")


def scene_moments(n: int, seed: int = 0) -> Moments:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, DIM))
    v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    return Moments(v, np.zeros(n, np.uint8), np.arange(n, dtype=np.int32),
                   np.arange(n) * 10.0, np.arange(n) * 10.0 + 10.0)


def harbour_video(**kw):
    return analysis(speech=transcript(
        said("Good morning, welcome aboard.", 1.0),
        said("I am the harbour master of this port.", 12.0),
        said("The master of ceremonies met the harbour pilot.", 15.0)),
        on_screen=[written("NO PARKING", 3.0, 6.0), written("Harbour Master's Office", 6, 9)],
        tags=[[("boat", 0.9)], [("person", 0.8)]], **kw)


def add(index, key, result, tenant="acme", seed=0):
    return add_analysis(index, VideoRow(key, f"/archive/{key}.mp4", job_id=key, tenant=tenant,
                                        stamp="1"), result, scene_moments(2, seed), "v1")


@pytest.fixture
def index(tmp_path):
    with MomentIndex(tmp_path, MODEL, create=True) as idx:
        yield idx


def words(index, text, top=10, **filters):
    return index.search_words(WordsQuery.parse(text), top, Filters(**filters))


def test_what_was_said_is_found_at_the_moment_it_was_said(index):
    add(index, "a", harbour_video())
    sign, hit = words(index, "harbour master")  # the shorter text first (BM25)
    assert (sign.row.kind, sign.row.scene, sign.snippet) == ("text", 0, "Harbour Master's Office")
    assert (hit.video.key, hit.row.kind, hit.row.scene) == ("a", "speech", 1)
    assert (hit.row.start_s, hit.score) == (12.0, 1.0)
    assert hit.snippet == "I am the harbour master of this port."
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["harbour master"]


def test_what_was_written_on_screen_is_found_too(index):
    add(index, "a", harbour_video())
    [hit] = words(index, "no parking")
    assert (hit.row.kind, hit.row.start_s, hit.row.end_s, hit.snippet) == (
        "text", 3.0, 6.0, "NO PARKING")


def test_the_whole_phrase_ranks_first_then_all_words_then_some(index):
    add(index, "a", analysis(speech=transcript(said("The master said the harbour is shut.", 1)),
                             scenes=((0.0, 10.0),)))
    add(index, "b", analysis(speech=transcript(said("Ask the harbour master.", 1)),
                             scenes=((0.0, 10.0),)), seed=1)
    add(index, "c", analysis(speech=transcript(said("The harbour at dawn.", 1)),
                             scenes=((0.0, 10.0),)), seed=2)
    hits = words(index, "harbour master")
    assert [h.video.key for h in hits] == ["b", "a", "c"]
    assert [h.score for h in hits] == [1.0, 1.0, 0.5]
    assert [h.video.key for h in words(index, '"harbour master"')] == ["b"]
    assert {h.video.key for h in words(index, "harbours")} == {"a", "b", "c"}  # stemmed


def test_each_tenant_finds_only_its_own_words(index):
    add(index, "ours", harbour_video(), tenant="acme")
    add(index, "theirs", harbour_video(), tenant="globex", seed=3)
    assert {h.video.key for h in words(index, "harbour", tenant="acme")} == {"ours"}
    assert {h.video.key for h in words(index, "harbour", tenant="globex")} == {"theirs"}


def test_tag_and_flag_filters_are_the_scenes(index):
    add(index, "a", harbour_video())
    assert {h.row.kind for h in words(index, "harbour", tag="person")} == {"speech"}  # scene 1
    assert {h.row.kind for h in words(index, "harbour", tag="boat")} == {"text"}  # the sign
    assert words(index, "harbour", tag="car") == []


def test_indexing_again_replaces_the_words_and_a_purge_removes_them(index):
    add(index, "a", harbour_video())
    add(index, "a", analysis(speech=transcript(said("Only gulls here.", 1.0))))
    assert words(index, "harbour") == [] and len(words(index, "gulls")) == 1
    index.set_words("a", text_rows(analysis(on_screen=[written("Lighthouse", 1, 2)])), "v2")
    assert words(index, "gulls") == [] and index.words_stamp("a") == "v2"
    assert index.remove("a") == 2
    assert words(index, "lighthouse") == [] and index.words_stamp("a") is None
    rows = index.catalog.db.execute("SELECT count(*) FROM texts").fetchone()[0]
    assert rows == 0


@pytest.mark.parametrize("query", [
    'harbour AND OR NOT NEAR( "', "harbour*", "body:harbour", "<b>harbour</b>",
    "harbour; DROP TABLE texts; --", "HARBOUR!!!", "harbour \u2603 \u0000 master",
    " ".join(["harbour"] + ["zebra"] * 300), "x" * 10_000,
], ids=["operators", "star", "column", "markup", "sql", "shouting", "odd-chars", "long-words",
        "10k-chars"])
def test_hostile_queries_are_words_and_never_fts_syntax(index, query):
    add(index, "a", harbour_video())
    hits = words(index, query)
    assert all(h.video.key == "a" for h in hits)
    if "harbour" in query.lower():
        assert hits, query


def test_a_query_without_words_finds_nothing_and_text_mode_says_why(index):
    add(index, "a", harbour_video())
    assert words(index, "?!... <> --") == []
    with pytest.raises(QueryError, match="no words"):
        search(index, "text", text="?!...")


def test_an_index_from_before_words_opens_and_its_writer_adds_them(tmp_path):
    result, moments = harbour_video(), scene_moments(2)
    out = tmp_path / "results"
    out.mkdir()
    (out / "a.json").write_text(result.model_dump_json())
    save_moments(out / "a.moments.npz", moments, MODEL)
    with Indexer(tmp_path / "index") as indexer:
        assert indexer.add_result(out / "a.json") == 2
    catalog = next((tmp_path / "index").glob("*/catalog.sqlite"))
    db = sqlite3.connect(catalog)  # as an index written before words were indexed
    db.executescript("DROP TABLE texts_fts; DROP TABLE texts; DROP TABLE text_stamps;")
    db.close()
    with MomentIndex(tmp_path / "index", MODEL) as reader:
        assert not reader.has_words() and words(reader, "harbour") == []
        assert len(reader.search(QueryVector(moments.vectors[0], MODEL))) == 2
    with Indexer(tmp_path / "index") as indexer:
        assert indexer.add_result(out / "a.json") == 0  # words added, vectors kept
        assert indexer.add_result(out / "a.json") is None  # and nothing the second time
    with MomentIndex(tmp_path / "index", MODEL) as reader:
        assert reader.has_words()
        assert {h.row.kind for h in words(reader, "harbour master")} == {"speech", "text"}


def test_hybrid_fuses_ranks_and_shows_the_words_moment(index):
    add(index, "a", harbour_video())
    add(index, "b", analysis(speech=transcript(said("Nothing about boats.", 1.0))), seed=5)
    vector = QueryVector(scene_moments(2).vectors[1], MODEL)  # video a's scene 1
    hits = search(index, "hybrid", text="harbour master", vector=vector, top=5)
    first = hits[0]
    assert (first.video.key, first.scene, first.source) == ("a", 1, "speech")
    assert first.found_by == ("speech", "visual") and first.start_s == 12.0
    # Second by words (the sign in scene 0 is first), first by picture.
    assert first.fused == pytest.approx(1 / 62 + 1 / 61, abs=1e-6)
    assert first.tags == [{"label": "person", "score": 0.8}]
    visual = search(index, "visual", text="harbour master", vector=vector, top=5)
    assert visual[0].source == "visual" and visual[0].snippet is None
    assert all(h.source in ("speech", "text") for h in search(index, "text", text="harbour"))


def test_fusion_follows_reciprocal_ranks():
    from vidclip.index.hybrid import Found

    def hit(key, source):
        return Found(VideoRow(key, key), "scene", source, 0, 0.0, 1.0, 0.5)

    visual = [hit("x", "visual"), hit("y", "visual"), hit("z", "visual")]
    spoken = [hit("z", "speech"), hit("w", "speech")]
    fused = fuse(visual, spoken, top=4)
    # z: 1/61 + 1/63 beats x: 1/61 alone; w (rank 2 of words) ties y (rank 2 of vectors),
    # and words come first among equals.
    assert [h.video.key for h in fused] == ["z", "x", "w", "y"]
    assert fused[0].found_by == ("speech", "visual")


def test_vector_hits_below_the_query_minimum_are_cut(index):
    add(index, "a", harbour_video())
    vector = scene_moments(2).vectors[0]
    all_hits = index.search(QueryVector(vector, MODEL), top=5)
    assert len(all_hits) == 2
    kept = index.search(QueryVector(vector, MODEL, min_score=0.99), top=5)
    assert [h.moment.scene for h in kept] == [0]


def test_snippets_are_cut_around_the_first_match_with_their_spans():
    body = "word " * 80 + "\ue000harbour\ue001 \ue000master\ue001 " + "tail " * 80
    text, spans = snippet(body, width=60)
    assert text.startswith("\u2026") and text.endswith("\u2026") and len(text) <= 62
    assert [text[a:b] for a, b in spans] == ["harbour", "master"]


def test_the_query_worker_answers_words_without_building_its_model(tmp_path):
    from vidclip.index.service import Searcher

    with MomentIndex(tmp_path, MODEL, create=True) as index:
        add(index, "a", harbour_video())

    def no_model():
        raise AssertionError("a words search built the model")

    searcher = Searcher(no_model, tmp_path)
    hits = searcher.answer({"tenant": "acme", "q": "harbour master", "mode": "text"})["hits"]
    assert {h["found"] for h in hits} == {"speech", "text"}
    assert searcher.answer({"tenant": "globex", "q": "harbour", "mode": "text"}) == {"hits": []}
    with pytest.raises(AssertionError, match="built the model"):
        searcher.answer({"tenant": "acme", "q": "harbour master"})  # hybrid needs it
    with pytest.raises(QueryError, match="no words"):
        searcher.answer({"tenant": "acme", "q": "?!", "mode": "text"})
