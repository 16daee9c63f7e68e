"""`vidclip batch --index`, `vidclip index` and `vidclip search` as a user runs them."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

pytest.importorskip("faiss", reason="search needs faiss-cpu (the index extra)")

from vidclip._cli.main import cli

TINY = ["--model", "tiny-test", "-q"]


@pytest.fixture(scope="module")
def archive(clips, tmp_path_factory):
    """Two clips batch-tagged with --index: (videos dir, results dir, index dir)."""
    root = tmp_path_factory.mktemp("archive")
    videos = root / "videos"
    videos.mkdir()
    for clip in (clips.montage, clips.short):
        shutil.copy(clip, videos / clip.name)
    out, index = root / "out", root / "index"
    res = CliRunner().invoke(cli, ["batch", str(videos), "-o", str(out), "--index", str(index),
                                   "--formats", "json,thumbnails", "--no-moderation",
                                   "--text", "off", *TINY])
    assert res.exit_code == 0, res.output
    return videos, out, index


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def search_json(index, *args: str) -> list[dict]:
    res = run("search", *args, "--index", str(index), "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["hits"]


def test_batch_with_index_keeps_moments_and_search_answers_with_time_ranges(archive, clips):
    _, out, index = archive
    assert (out / "montage.moments.npz").is_file() and (out / "short.moments.npz").is_file()
    hits = search_json(index, "a dog", "--top", "3")
    assert 1 <= len(hits) <= 3
    for hit in hits:
        assert hit["source"].endswith(".mp4") and 0 <= hit["start_s"] < hit["end_s"]
        assert 0.0 <= hit["score"] <= 1.0
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    table = run("search", "a dog", "--index", str(index), "--top", "2")
    assert table.exit_code == 0 and "start-end" in table.stdout and ".mp4" in table.stdout


def test_a_resumed_batch_and_a_second_index_run_add_nothing_twice(archive):
    videos, out, index = archive
    before = search_json(index, "a dog", "--top", "50")
    res = run("batch", str(videos), "-o", str(out), "--index", str(index), "--no-moderation",
              *TINY)
    assert res.exit_code == 0 and "[skipped]" in res.output
    again = run("index", str(out), "--index", str(index))
    assert again.exit_code == 0 and "indexed 0 videos" in again.output
    assert search_json(index, "a dog", "--top", "50") == before


def test_image_like_filters_and_thumbnails(archive, tmp_path):
    from PIL import Image

    videos, _out, index = archive
    picture = tmp_path / "p.png"
    Image.new("RGB", (64, 48), (10, 200, 30)).save(picture)
    assert search_json(index, "--image", str(picture), "--top", "2")
    like = search_json(index, "--like", f"{videos / 'montage.mp4'}@0:01", "--top", "20")
    assert not any(h["source"].endswith("montage.mp4") and h["start_s"] <= 1.0 <= h["end_s"]
                   for h in like)  # the moment asked about is not its own hit
    only = search_json(index, "a dog", "--source", "*short.mp4", "--min-duration", "0.5")
    assert only and all(h["source"].endswith("short.mp4") for h in only)
    assert search_json(index, "a dog", "--flagged") == []
    pictures = tmp_path / "thumbs"
    res = run("search", "a dog", "--index", str(index), "--top", "3", "--thumbnails",
              str(pictures))
    assert res.exit_code == 0, res.output
    assert len(list(pictures.glob("*.jpg"))) == 3


@pytest.mark.parametrize("args, message", [
    (["   "], "empty"),
    (["x" * 10_000], "10,000 characters"),
    (["a dog", "--model", "offline"], "cannot be compared"),
    ([], "give one query"),
], ids=["empty", "10k-chars", "other-model", "no-query"])
def test_bad_queries_fail_clearly(archive, args, message):
    res = run("search", *args, "--index", str(archive[2]))
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_a_file_that_is_not_an_image_is_refused(archive, tmp_path):
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture")
    res = run("search", "--image", str(fake), "--index", str(archive[2]))
    assert res.exit_code == 2 and "not an image" in res.output


def test_a_missing_or_broken_index_is_restored_by_rebuild(archive, tmp_path):
    _, out, index = archive
    broken = tmp_path / "index"
    shutil.copytree(index, broken)
    res = run("search", "a dog", "--index", str(tmp_path / "nowhere"))
    assert res.exit_code == 2 and "--rebuild" in res.output
    for path in broken.rglob("*.faiss"):
        path.unlink()
    res = run("search", "a dog", "--index", str(broken))
    assert res.exit_code == 2 and "--rebuild" in res.output
    res = run("index", str(out), "--index", str(broken), "--rebuild")
    assert res.exit_code == 0, res.output
    assert search_json(broken, "a dog", "--top", "50") == search_json(index, "a dog", "--top",
                                                                     "50")


def _with_words(result_json, *segments, on_screen=()):
    from tests.spoken import transcript
    from vidclip.schema import VideoAnalysis

    analysis = VideoAnalysis.model_validate_json(result_json.read_text())
    result_json.write_text(analysis.model_copy(update={
        "transcript": transcript(*segments), "on_screen_text": list(on_screen)}
    ).model_dump_json())


def test_words_said_and_written_are_found_by_text_and_hybrid_search(archive, tmp_path,
                                                                    monkeypatch):
    from tests.spoken import said, written

    out, index = tmp_path / "out", tmp_path / "index"
    shutil.copytree(archive[1], out)
    _with_words(out / "montage.json", said("Here the harbour master waves.", 0.5),
                on_screen=[written("NO PARKING", 1.0, 2.0)])
    assert run("index", str(out), "--index", str(index)).exit_code == 0
    hybrid = search_json(index, "harbour master", "--top", "3")
    assert hybrid[0]["found"] == "speech" and "speech" in hybrid[0]["found_by"]
    table = run("search", "harbour master", "--index", str(index))
    assert "said: Here the [harbour master] waves." in table.stdout
    import vidclip._cli.search as search_module

    def no_model(*args, **kwargs):
        raise AssertionError("text mode loaded a model")

    monkeypatch.setattr(search_module, "_embedder", no_model)
    [hit] = search_json(index, "no parking", "--mode", "text")
    assert (hit["found"], hit["kind"], hit["start_s"], hit["end_s"]) == ("text", "text", 1.0, 2.0)
    assert hit["snippet"] == "NO PARKING" and hit["highlights"] == [[0, 10]]
    assert hit["source"].endswith("montage.mp4") and "fused" not in hit
    # New words replace the old ones at the next `vidclip index`.
    _with_words(out / "montage.json", said("Only gulls now.", 0.5))
    assert run("index", str(out), "--index", str(index)).exit_code == 0
    assert search_json(index, "harbour", "--mode", "text") == []
    assert len(search_json(index, "gulls", "--mode", "text")) == 1


@pytest.mark.parametrize("args, message", [
    (["--image", "x.png", "--mode", "text"], "--mode text searches words"),
    (["?!", "--mode", "text"], "no words to look for"),
], ids=["image-in-text-mode", "no-words"])
def test_text_mode_needs_words(archive, args, message):
    res = run("search", *args, "--index", str(archive[2]))
    assert res.exit_code == 2 and message in res.output
