"""`vidclip analyze` and `vidclip batch` as a user runs them."""

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from vidclip._cli.main import cli

TINY = ["--model", "tiny-test", "-q"]


@pytest.fixture
def runner():
    return CliRunner()


def test_analyze_writes_every_format(runner, clips, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(cli, ["analyze", str(clips.short), "-o", str(out), "--formats",
                              "json,vtt,srt,csv,npy", *TINY])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["short.frames.npy", "short.json", "short.npy", "short.scenes.srt",
                     "short.scenes.vtt", "short.tags.csv"]
    data = json.loads((out / "short.json").read_text())
    assert data["schema_version"] == "1" and data["video"]["frame_count"] == 30


def test_thumbnails_format_writes_a_jpeg_per_scene(runner, clips, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(cli, ["analyze", str(clips.montage), "-o", str(out), "--formats",
                              "json,thumbnails", *TINY])
    assert res.exit_code == 0, res.output
    scenes = json.loads((out / "montage.json").read_text())["scenes"]
    pictures = sorted((out / "montage.thumbnails").iterdir())
    assert [p.name for p in pictures] == sorted(f"{i}.jpg" for i in range(len(scenes)))
    assert all(p.read_bytes()[:2] == b"\xff\xd8" for p in pictures)  # JPEG's start marker


def test_options_take_defaults_and_help_from_the_config(runner):
    from vidclip._cli.options import FIELD_OPTIONS, field_info

    res = runner.invoke(cli, ["analyze", "--help"], terminal_width=200)
    assert res.exit_code == 0
    for option in FIELD_OPTIONS:
        assert f"[{option.path}]" in res.output, option.path  # the config path is shown
    assert field_info("tags.merge_gap_s").default == 1.0


def test_analyze_json_to_stdout(runner, clips):
    res = runner.invoke(cli, ["analyze", str(clips.short), "--json", "--labels", "cat,dog",
                              *TINY])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["vocabulary"]["labels"] == 2


def test_bad_input_is_one_line_without_traceback(clips, tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    proc = subprocess.run(
        [sys.executable, "-m", "vidclip._cli.main", "analyze", str(bad), str(clips.short),
         "-o", str(tmp_path / "o"), *TINY],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "notes.mp4: not a video file" in errors[0]
    assert (tmp_path / "o" / "short.json").exists()  # the good file after it still ran


def test_a_named_model_without_weights_offline_exits_2_with_one_sentence(runner, clips):
    res = runner.invoke(cli, ["analyze", str(clips.short), "--model", "ViT-B-32", "-q"])
    assert res.exit_code == 2
    assert res.stderr.startswith("error: CLIP weights for ViT-B-32")


@pytest.mark.slow
def test_auto_falls_back_to_the_offline_encoder_and_says_why(runner, clips, tmp_path):
    # The suite runs with HF_HUB_OFFLINE=1 and an empty cache: no CLIP weights.
    res = runner.invoke(cli, ["analyze", str(clips.short), "-o", str(tmp_path), "-q",
                              "--labels", "cat,dog", "--no-moderation"])
    assert res.exit_code == 0, res.output
    notes = [line for line in res.stderr.splitlines() if line.startswith("model:")]
    assert len(notes) == 1 and "offline encoder" in notes[0] and "HF_HUB_OFFLINE" in notes[0]
    assert "--pretrained" in notes[0]  # how to get CLIP
    model = json.loads((tmp_path / "short.json").read_text())["model"]
    assert model["kind"] == "offline" and "HF_HUB_OFFLINE is set" in model["fallback_reason"]


def test_bad_input_is_answered_before_any_model_loads(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()
    # A named model that cannot load: reaching it would exit 2, not 1.
    proc = subprocess.run(
        [sys.executable, "-m", "vidclip._cli.main", "analyze", str(tmp_path / "missing.mp4"),
         str(empty), "--model", "ViT-B-32", "-q"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == [f"error: {tmp_path / 'missing.mp4'}: no such file.",
                                        f"error: {empty}: the file is empty (0 bytes)."]


@pytest.mark.parametrize("jobs", [["--jobs", "1"], ["--jobs", "2"], ["--one-at-a-time"]],
                         ids=["one-process", "two-worker-processes", "one-at-a-time"])
def test_batch_is_resumable_and_reports_failures(runner, clips, tmp_path, jobs):
    archive = tmp_path / "archive"
    (archive / "a").mkdir(parents=True)
    (archive / "b").mkdir()
    shutil.copy(clips.short, archive / "a" / "intro.mp4")
    shutil.copy(clips.counter, archive / "b" / "intro.mp4")  # same stem, other folder
    (archive / "b" / "broken.mp4").write_bytes(b"")
    (archive / "readme.txt").write_text("not a video, not picked up")
    out = tmp_path / "out"
    res = runner.invoke(cli, ["batch", str(archive), "-o", str(out), *jobs, *TINY])
    assert res.exit_code == 1
    summary = json.loads((out / "batch-summary.json").read_text())
    assert (summary["done"], summary["failed"], summary["skipped"]) == (2, 1, 0)
    failed = [i for i in summary["items"] if i["status"] == "failed"][0]
    assert failed["source"].endswith("broken.mp4") and "empty" in failed["error"]
    assert (out / "a" / "intro.json").exists() and (out / "b" / "intro.json").exists()

    again = runner.invoke(cli, ["batch", str(archive), "-o", str(out), *jobs, *TINY])
    summary = json.loads((out / "batch-summary.json").read_text())
    assert (summary["done"], summary["failed"], summary["skipped"]) == (0, 1, 2)
    assert again.exit_code == 1
    log_lines = (out / "batch-log.jsonl").read_text().splitlines()
    assert len(log_lines) == 6


def test_batch_from_a_list_file_succeeds(runner, clips, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text(f"# my videos\n{clips.short}\n")
    res = runner.invoke(cli, ["batch", str(listing), "-o", str(tmp_path / "o"), *TINY])
    assert res.exit_code == 0, res.output


def test_hedge_below_reaches_the_captions(runner, clips):
    def captions(hedge: str) -> list[str]:
        res = runner.invoke(cli, ["analyze", str(clips.short), "--json", "--labels", "cat,dog",
                                  "--threshold", "0", "--hedge-below", hedge, *TINY])
        assert res.exit_code == 0, res.output
        return [s["caption"] for s in json.loads(res.stdout)["scenes"]]

    assert all("appear" in c for c in captions("1"))  # every tag is weak evidence
    assert not any("appear" in c for c in captions("0"))


def test_cli_defaults_are_the_library_defaults():
    from vidclip._cli.options import config_from_options
    from vidclip.config import AnalysisConfig

    params = cli.commands["analyze"].make_context("analyze", ["clip.mp4"]).params
    assert config_from_options(params) == AnalysisConfig()
