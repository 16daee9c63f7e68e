"""Archive throughput: many short clips against one long clip of the same length.

    python benchmarks/archive.py                    # 30 clips of 6 s against one 180 s clip
    python benchmarks/archive.py --jobs 2,4         # also with 2 and 4 worker processes
    python benchmarks/archive.py --decoders 1,2,3   # shared batches with 1, 2 and 3 decoders
    python benchmarks/archive.py --clips 60 --clip-s 3
    python benchmarks/archive.py --smoke            # tiny model, 3 clips of 2 s

An archive is mostly short files. Each one pays what a long video pays once:
opening and probing the container, starting the decoder thread, a first
encoder call before any overlap, tagging, moderation, captions and writing
outputs -- while nothing else runs. This measures that cost.

The runs use a loaded pipeline (ViT-B-32, random weights, which cost what
real ones do; 1 frame/s) in one child process, 640x360 H.264 photo montages
(benchmarks/montage.py), JSON output written as ``vidclip batch`` writes it:

- ``one long clip``: ``Pipeline.run`` on one clip of clips x clip-s seconds;
- ``batch, one at a time``: :func:`vidclip.batch.run_batch` over the short
  clips one after the other, each through ``Pipeline.run`` (how ``vidclip
  batch`` ran them before shared batches: the baseline);
- ``batch, shared, N decoders``: ``run_batch`` with shared encoder batches,
  as ``vidclip batch`` runs them now: N clips decoded at once in threads,
  their frames in common encoder calls (:mod:`vidclip.stages.encode_many`);
- ``batch, --jobs N``: the same in N worker processes with cores/N threads
  each (``vidclip batch --jobs N``). "with start-up" is timed from the
  start (worker start-up and N model loads included: what a short run
  pays); "steady" is the files' time inside the workers divided by N (what
  a long archive run approaches once the workers are up).

Where the gap comes from on a 2-core CPU (30 x 6 s, ViT-B-32 bf16): each
clip's ~6 frames go to the encoder in one or two small calls, the first on
one thread while the decoder holds the other core, which then idles once the
short clip is decoded; the first frames wait ~40 ms for the decoder. Reading
the next clip ahead in the same process was tried and gained nothing (0.73
against 0.72): the encoder calls stay small. Shared batches close the gap
in one process: several clips decode at once and their frames fill the
same encoder calls, so neither the model nor the decoder waits on one
file's start or end. Worker processes close it too, with one model each.

``batch / one long`` is the share of the long-video speed an archive keeps.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import _common
import montage


def make_clips(n: int, seconds: float, width: int, height: int) -> tuple[list[Path], Path]:
    folder = _common.cache_dir() / f"archive-{n}x{seconds:g}s-{width}x{height}"
    clips = [
        folder / f"clip{i:03d}.mp4" for i in range(n)
    ]
    for i, path in enumerate(clips):
        montage.make_montage(path, seconds=seconds, width=width, height=height, fps=25.0,
                             seed=100 + i, shot_s=(1.5, 4.0))
    long_clip = folder.parent / f"archive-long-{n * seconds:g}s-{width}x{height}.mp4"
    montage.make_montage(long_clip, seconds=n * seconds, width=width, height=height, fps=25.0,
                         seed=99, shot_s=(1.5, 4.0))
    return clips, long_clip


def loaded(model: str, precision: str, fps: float, warm_up: str):
    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions
    from vidclip.pipeline import Pipeline

    cfg = AnalysisConfig(model=ModelOptions(name=model, pretrained=None, precision=precision),
                         sampling=SamplingOptions(fps=fps))
    pipe = Pipeline(cfg)
    pipe.setup()
    pipe.analyze(warm_up)  # first calls allocate
    return pipe


def write_json(run, out: Path, stem: str) -> list[str]:
    from vidclip.output import write_outputs

    return [str(p) for p in write_outputs(run.analysis, out, stem, ("json",)).values()]


def make_analyser(model: str, precision: str, fps: float, warm_up: str, pipe=None):
    """One loaded pipeline writing JSON as ``vidclip batch`` does (also run in worker processes)."""
    pipe = pipe or loaded(model, precision, fps, warm_up)

    def one(video: Path, out: Path, stem: str) -> list[str]:
        return write_json(pipe.run(video), out, stem)

    return one


def child(args) -> dict:
    import functools

    from vidclip.batch import SharedBatch, run_batch

    clips = [Path(p) for p in args.clip_list.split(",")]
    factory = functools.partial(make_analyser, args.model, args.precision, args.fps, str(clips[0]))
    pipe = loaded(args.model, args.precision, args.fps, str(clips[0]))
    one = make_analyser(args.model, args.precision, args.fps, str(clips[0]), pipe)

    results = {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            one(Path(args.long), Path(tmp), "long")
            results.setdefault("long_s", []).append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            report = run_batch(clips, Path(tmp), one, resume=False)
            results.setdefault("batch_s", []).append(time.perf_counter() - t0)
        assert report.count("done") == len(clips), report.as_dict()
        for decoders in args.decoders:
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                report = run_batch(clips, Path(tmp), resume=False,
                                   shared=SharedBatch(pipe, write_json, decoders))
                results.setdefault(f"shared{decoders}_s", []).append(time.perf_counter() - t0)
            assert report.count("done") == len(clips), report.as_dict()
        for jobs in args.jobs:
            # Timed from the start, worker start-up and model loads included,
            # as a user's `vidclip batch --jobs N` pays them.
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                report = run_batch(clips, Path(tmp), resume=False, jobs=jobs,
                                   make_analyser=factory)
                results.setdefault(f"jobs{jobs}_s", []).append(time.perf_counter() - t0)
            assert report.count("done") == len(clips), report.as_dict()
            # Once the workers are up: each file's time inside its worker,
            # spread over the N workers that ran side by side.
            busy = sum(item.seconds for item in report.items) / jobs
            results.setdefault(f"jobs{jobs}_steady_s", []).append(busy)
    return {k: min(v) for k, v in results.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clips", type=int, default=30)
    p.add_argument("--clip-s", type=float, default=6.0, help="length of each short clip")
    p.add_argument("--size", default="640x360")
    p.add_argument("--model", default="ViT-B-32", help="open_clip name (random init) or tiny-test")
    p.add_argument("--precision", default="auto")
    p.add_argument("--fps", type=float, default=1.0)
    p.add_argument("--rounds", type=int, default=1, help="best of N")
    p.add_argument("--jobs", default="2", help="comma list of worker-process counts to run too "
                   "(vidclip batch --jobs N); empty: none")
    p.add_argument("--decoders", default="2,3", help="comma list of decoder counts for shared "
                   "batches (vidclip batch --decoders N); empty: none")
    p.add_argument("--smoke", action="store_true", help="tiny model, 3 clips of 2 s")
    p.add_argument("--json", help="write the figures to this file")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    p.add_argument("--clip-list", help=argparse.SUPPRESS)
    p.add_argument("--long", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.smoke:
        args.clips, args.clip_s, args.model, args.size = 3, 2.0, "tiny-test", "160x96"
    args.jobs = [int(j) for j in str(args.jobs).split(",") if j.strip()]
    args.decoders = [int(d) for d in str(args.decoders).split(",") if d.strip()]
    if args.child:
        _common.write_child_result(args.child_out, child(args))
        return 0

    width, height = (int(v) for v in args.size.split("x"))
    clips, long_clip = make_clips(args.clips, args.clip_s, width, height)
    total_s = args.clips * args.clip_s
    print(f"{args.clips} clips of {args.clip_s:g} s against one {total_s:g} s clip, {args.size}, "
          f"{args.model}, {args.fps} frame/s")
    print(f"machine: {_common.machine()}\n")
    r = _common.run_child(Path(__file__), "archive", [
        "--clip-list", ",".join(str(c) for c in clips), "--long", str(long_clip),
        "--model", args.model, "--precision", args.precision, "--fps", str(args.fps),
        "--rounds", str(args.rounds), "--jobs", ",".join(map(str, args.jobs)),
        "--decoders", ",".join(map(str, args.decoders))],
        timeout=3 * 3600)
    long_x, batch_x = total_s / r["long_s"], total_s / r["batch_s"]
    rows = [
        ["one long clip", round(r["long_s"], 2), long_x, 1.0],
        [f"batch of {args.clips}, one at a time", round(r["batch_s"], 2), batch_x,
         batch_x / long_x],
    ]
    for decoders in args.decoders:
        x = total_s / r[f"shared{decoders}_s"]
        rows.append([f"batch of {args.clips}, shared, {decoders} decoders",
                     round(r[f"shared{decoders}_s"], 2), x, x / long_x])
    for jobs in args.jobs:
        for key, note in ((f"jobs{jobs}_s", "with start-up"), (f"jobs{jobs}_steady_s", "steady")):
            x = total_s / r[key]
            rows.append([f"batch of {args.clips}, --jobs {jobs}, {note}", round(r[key], 2), x,
                         x / long_x])
    print(_common.table(["run", "wall s", "x realtime", "ratio"], rows))
    per_file = (r["batch_s"] - r["long_s"]) / args.clips
    print(f"\ncost of a file beyond its frames: {per_file * 1000:.0f} ms")
    _common.save_json(args.json, {"machine": _common.machine(), "clips": args.clips,
                                  "clip_s": args.clip_s, "model": args.model, **r,
                                  "batch_over_long": batch_x / long_x,
                                  "decoders": args.decoders})
    return 0


if __name__ == "__main__":
    sys.exit(main())
