"""Worker processes for archive runs: every file gets an outcome, whatever its worker does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from vidclip.batch import run_batch
from vidclip.errors import ModelError, VidclipError


def files_analyser():
    """A stand-in analyser (the real one loads a model): behaves by file name."""
    pid = os.getpid()

    def analyse(video: Path, out: Path, stem: str) -> list[str]:
        if "crash" in video.name:
            os._exit(3)  # as a segfault in native code would: no answer, no cleanup
        if "bad" in video.name:
            raise VidclipError(f"{video.name}: not a video", code="unreadable")
        if "bug" in video.name:
            raise RuntimeError("boom")
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{stem}.json"
        path.write_text(json.dumps({"pid": pid}))
        return [str(path)]

    return analyse


def unloadable_analyser():
    raise ModelError("CLIP weights for ViT-B-32 are not here.", code="weights_missing")


def _videos(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        (folder / name).write_bytes(b"x")
        paths.append(folder / name)
    return paths


def test_a_crashing_worker_fails_only_its_file_and_the_run_goes_on(tmp_path):
    names = ["a.mp4", "crash.mp4", "b.mp4", "bad.mp4", "bug.mp4", "c.mp4", "d.mp4"]
    videos = _videos(tmp_path / "in", names)
    seen = []
    report = run_batch(videos, tmp_path / "out", jobs=2, make_analyser=files_analyser,
                       root=tmp_path / "in", on_item=seen.append)
    # reported in the archive's order, logged as they finished
    assert [Path(i.source).name for i in report.items] == names
    by_name = {Path(i.source).name: i for i in report.items}
    assert by_name["crash.mp4"].error_code == "worker_crashed"
    assert "exit code 3" in by_name["crash.mp4"].error
    assert by_name["bad.mp4"].error_code == "unreadable"
    assert (by_name["bug.mp4"].error_code, by_name["bug.mp4"].error) == ("internal_error",
                                                                          "RuntimeError: boom")
    done = [n for n in names if by_name[n].status == "done"]
    assert done == ["a.mp4", "b.mp4", "c.mp4", "d.mp4"]
    assert len(seen) == len(names) == len((tmp_path / "out" / "batch-log.jsonl").read_text().splitlines())
    # worker processes did the work, not this one
    pids = {json.loads((tmp_path / "out" / f"{Path(n).stem}.json").read_text())["pid"] for n in done}
    assert os.getpid() not in pids
    again = run_batch(videos, tmp_path / "out", jobs=2, make_analyser=files_analyser,
                      root=tmp_path / "in")
    assert again.count("skipped") == 4 and again.count("failed") == 3


def test_a_worker_that_cannot_load_its_model_stops_the_run_with_the_reason(tmp_path):
    videos = _videos(tmp_path / "in", ["a.mp4", "b.mp4", "c.mp4"])
    with pytest.raises(VidclipError, match="CLIP weights for ViT-B-32"):
        run_batch(videos, tmp_path / "out", jobs=2, make_analyser=unloadable_analyser)


def test_jobs_need_a_factory_the_workers_can_build(tmp_path):
    with pytest.raises(ValueError, match="make_analyser"):
        run_batch([], tmp_path, lambda v, o, s: [], jobs=2)
