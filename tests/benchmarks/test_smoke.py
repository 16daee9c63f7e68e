"""Each benchmark script's ``--smoke`` mode runs end to end and writes its figures.

The scripts are run as a user runs them (a subprocess, ``python
benchmarks/X.py --smoke --json F``); the clips they generate go to a
session cache so each is made once. Speed is never asserted here: the
benchmarks measure it, tests only keep the scripts working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="session")
def bench_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bench-cache")


def run_smoke(script: str, cache: Path, tmp_path: Path, *extra: str) -> tuple[dict, str]:
    out = tmp_path / "figures.json"
    env = {**os.environ, "VIDCLIP_BENCH_CACHE": str(cache)}
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke", "--json", str(out), *extra],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert proc.returncode == 0, (
        f"{script} --smoke failed:\n{proc.stdout[-1500:]}\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text()), proc.stdout


@pytest.mark.slow
def test_throughput_smoke(bench_cache, tmp_path):
    figures, printed = run_smoke("throughput.py", bench_cache, tmp_path)
    assert set(figures["results"]) == {"vidclip", "naive", "decode-seq", "decode-seek", "model",
                                       "vidclip-decode"}
    for name, result in figures["results"].items():
        assert result["wall_s"] > 0 and result["sampled"] > 0, name
    # The naive loop and both decoders keep the same frames (vidclip may add
    # one for a scene shorter than the sampling step).
    sampled = {figures["results"][c]["sampled"]
               for c in ("naive", "decode-seq", "decode-seek", "vidclip-decode")}
    assert len(sampled) == 1, sampled
    assert figures["ratios"]["vidclip / naive"] > 0
    assert "vidclip / min(ceilings)" in printed and "vidclip / shared-cores bound" in printed


@pytest.mark.slow
def test_scenes_smoke(bench_cache, tmp_path):
    figures, printed = run_smoke("scenes.py", bench_cache, tmp_path)
    vidclip = figures["methods"]["vidclip"]
    assert 0.0 <= vidclip["f1"] <= 1.0 and vidclip["frames_per_s"] > 0
    assert vidclip["truths"] > 0
    try:
        import scenedetect  # noqa: F401
    except ImportError:
        return
    assert {"psd-content", "psd-adaptive"} <= set(figures["methods"])


@pytest.mark.slow
def test_memory_smoke(bench_cache, tmp_path):
    figures, printed = run_smoke("memory.py", bench_cache, tmp_path)
    assert figures["decoded"] >= 1190  # 2 minutes at 10 fps
    assert set(figures["rss_at_mb"]) == {"10%", "50%", "90%"}
    assert figures["flat"], printed


@pytest.mark.slow
def test_archive_smoke(bench_cache, tmp_path):
    figures, printed = run_smoke("archive.py", bench_cache, tmp_path)
    assert figures["clips"] == 3 and figures["long_s"] > 0 and figures["batch_s"] > 0
    assert figures["batch_over_long"] > 0 and "batch of 3" in printed
    assert figures["jobs2_s"] > 0 and 0 < figures["jobs2_steady_s"] <= figures["jobs2_s"]
    assert figures["shared2_s"] > 0 and "shared, 2 decoders" in printed


@pytest.mark.slow
def test_gpu_smoke(bench_cache, tmp_path):
    figures, printed = run_smoke("gpu.py", bench_cache, tmp_path)
    names = [row[0] for row in figures["rows"]]
    assert names[:2] == ["encoder, batch 8", "encoder, batch 16"]
    assert "end to end, archive" in names and figures["archive_x"] > 0 and figures["ceiling"] > 0
    assert "hours of video per machine-hour" in printed


@pytest.mark.slow
@pytest.mark.service
def test_load_smoke(bench_cache, tmp_path):
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (vidclip up starts one)")
    figures, out = run_smoke("load.py", bench_cache, tmp_path)
    assert figures["unintended"] == {}, out
    assert "upload 413" in figures["codes"] and "submit 429" in figures["codes"], out


def test_metrics_smoke(bench_cache, tmp_path):
    figures, _ = run_smoke("metrics.py", bench_cache, tmp_path)
    assert figures["multiprocess"]["per_job_us"] > 0 and figures["in_process"]["inc_us"] > 0


@pytest.mark.slow
def test_search_smoke(bench_cache, tmp_path):
    figures, printed = run_smoke("search.py", bench_cache, tmp_path, "--no-meaning")
    kinds = {(r["n"], r["kind"]) for r in figures["synthetic"]}
    assert kinds == {(2000, "flat"), (2000, "hnsw-sq8")}
    for result in figures["synthetic"]:
        assert result["recall10"] > 0.9 and result["add_video_ms"] > 0, result
    assert "recall@10" in printed
