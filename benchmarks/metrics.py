"""What prometheus_client's multiprocess mode costs a worker, against plain
in-process metrics measured in the same run.

    python benchmarks/metrics.py
    python benchmarks/metrics.py --smoke

Each mode runs in its own child process (the mode is chosen when
prometheus_client is imported). Measured: one counter increment, one
histogram observation, what a worker records for one job (the observations
``workers.metrics.observe_run`` and a task make, about 25), and the time to
render ``/metrics`` from 1, 4 and 16 pool processes' files.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import _common

PER_JOB = 25


def _per_call(fn, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def child(mode: str, n: int, out: str) -> None:
    if mode == "multiprocess":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="vidclip-bench-mp-")
    from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

    counter = Counter("bench_frames_total", "frames")
    histogram = Histogram("bench_stage_seconds", "stage", ["stage"])
    stages = [histogram.labels(s) for s in ("decode", "encode", "segment", "tag", "moderate")]
    result = {"inc_us": _per_call(lambda: counter.inc(3), n) * 1e6,
              "observe_us": _per_call(lambda: stages[1].observe(0.42), n) * 1e6}

    def one_job():
        for _ in range(PER_JOB // 5):
            for stage in stages:
                stage.observe(0.1)

    result["per_job_us"] = _per_call(one_job, max(1, n // PER_JOB)) * 1e6
    if mode == "multiprocess":
        from prometheus_client.multiprocess import MultiProcessCollector

        directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
        scrape = {}
        for processes in (1, 4, 16):
            for p in range(processes - 1):  # more pool processes' files, like this one's
                for f in Path(directory).glob(f"*_{os.getpid()}.db"):
                    target = f.with_name(f.name.replace(str(os.getpid()), f"9{p:05d}"))
                    if not target.exists():
                        target.write_bytes(f.read_bytes())
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            scrape[processes] = _per_call(lambda r=registry: generate_latest(r), 50) * 1e3
        result["scrape_ms"] = scrape
    else:
        result["scrape_ms"] = {1: _per_call(generate_latest, 50) * 1e3}
    _common.write_child_result(out, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--child")
    parser.add_argument("--child-out")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.calls, args.child_out)
        return
    calls = 2_000 if args.smoke else args.calls
    runs = {mode: _common.run_child(Path(__file__), mode, ["--calls", str(calls)])
            for mode in ("in-process", "multiprocess")}
    base, multi = runs["in-process"], runs["multiprocess"]
    rows = [[what, base[key], multi[key], multi[key] / base[key]] for what, key in (
        ("counter inc (us)", "inc_us"), ("histogram observe (us)", "observe_us"),
        (f"one job's {PER_JOB} observations (us)", "per_job_us"))]
    rows += [[f"render /metrics, {n} process(es) (ms)", base["scrape_ms"].get(str(n)) or
              base["scrape_ms"].get(n), v, None] for n, v in multi["scrape_ms"].items()]
    print(_common.table(["", "in-process", "multiprocess", "ratio"], rows))
    print(_common.machine())
    _common.save_json(args.json, {"in_process": base, "multiprocess": multi})


if __name__ == "__main__":
    sys.exit(main())
