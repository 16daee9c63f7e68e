"""``benchmarks/jobs.py --smoke`` runs the real service end to end and reports.

Speed is never asserted: the benchmark measures it; this keeps it working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.service, pytest.mark.slow]

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def test_jobs_benchmark_smoke(redis_url, tmp_path):
    out = tmp_path / "figures.json"
    env = {**os.environ, "VIDCLIP_BENCH_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(BENCH / "jobs.py"), "--smoke", "--json", str(out)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-1500:] + proc.stderr[-3000:]
    figures = json.loads(out.read_text())["figures"]
    assert figures["library"]["jobs_per_min"] > 0
    assert figures["service-1"]["failed"] == 0 and figures["service-1"]["jobs_per_min"] > 0
    assert "x library" in proc.stdout
