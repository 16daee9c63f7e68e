"""End-to-end throughput of vidclip against a naive loop and two ceilings.

    python benchmarks/throughput.py                 # 60 s 1280x720 H.264 montage, ViT-B-32
    python benchmarks/throughput.py --video my.mp4 --json out/throughput.json
    python benchmarks/throughput.py --smoke         # seconds; checks that it all runs

Configurations, each in its own child process (own peak RSS):

- ``vidclip``: ``Pipeline(AnalysisConfig(...)).run(video)`` -- decode, scenes,
  tags (default vocabulary), moderation, template captions -- at ``--fps``
  frames per second with a randomly initialised ``--model`` (the compute of
  real weights without the download);
- ``naive``: OpenCV reads every frame, keeps one per second, PIL + open_clip's
  own preprocess per frame, ``encode_image`` in batches of 32;
- ``decode-seq``: decord reads every frame at the reduced size vidclip asks
  for (shorter side = model input) and keeps the sampled ones;
- ``decode-seek``: decord fetches only the sampled frames (seeks), same size;
- ``model``: the same number of pre-decoded 224x224 frames straight into
  the encoder, in batches of ``--batch-size``;
- ``vidclip-decode``: vidclip's own decode stage alone, as the pipeline runs
  it beside a CPU model -- PyAV on one thread, a tiny preview of every frame
  into the cut detector, the sampled frames at the model's size. Not a
  ceiling: it is the work the model shares the cores with, so
  ``(vidclip-decode + model x cores) / cores`` is the wall time with both
  stages' work spread over every core without loss ("shared-cores bound").

Model load and one warm-up batch are outside every timed region. Ratios are
against the baseline of the same run; the machine is shared, so absolute
figures drift more than ratios do.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import _common
import montage

CONFIGS = ("vidclip", "naive", "decode-seq", "decode-seek", "model", "vidclip-decode")
DECODE_CEILINGS = ("decode-seq", "decode-seek")


def sample_indices(n_frames: int, video_fps: float, fps: float) -> np.ndarray:
    """First frame at or after each multiple of 1/fps seconds (constant frame rate)."""
    count = int(math.floor((n_frames - 1) / video_fps * fps + 1e-9)) + 1
    return np.unique(np.ceil(np.arange(count) * video_fps / fps - 1e-6).astype(np.int64))


def _open_clip_model(name: str):
    """(model, preprocess) from open_clip without weights; 'tiny-test' as vidclip builds it."""
    import open_clip

    if name == "tiny-test":
        from vidclip.encode.clip import _TINY_CFG  # the test model's architecture (code, no file)

        model = open_clip.model.CLIP(**_TINY_CFG)
        size = _TINY_CFG["vision_cfg"]["image_size"]
        preprocess = open_clip.image_transform(size, is_train=False)
    else:
        model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=None)
    return model.eval(), preprocess


def _best(times: list[float]) -> dict:
    return {"wall_s": round(min(times), 3), "walls_s": [round(t, 3) for t in times]}


def _timed(once, repeat: int) -> dict:
    """Run ``once() -> (decoded, sampled)`` ``repeat`` times; the best wall time counts."""
    walls = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        decoded, sampled = once()
        walls.append(time.perf_counter() - t0)
    return {**_best(walls), "sampled": sampled, "decoded": decoded}


def run_vidclip(video: str, args) -> dict:
    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions
    from vidclip.pipeline import Pipeline

    cfg = AnalysisConfig(
        model=ModelOptions(name=args.model, pretrained=None, batch_size=args.batch_size,
                           precision=args.precision),
        sampling=SamplingOptions(fps=args.fps),
    )
    t0 = time.perf_counter()
    pipe = Pipeline(cfg)
    pipe.setup()  # model + text embeddings (cached on disk after the first run)
    setup_s = time.perf_counter() - t0
    side = pipe.encoder.input_size
    pipe.encoder.encode_images(np.zeros((2, side, side, 3), np.uint8))  # warm-up
    walls, out = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        out = pipe.run(video)
        walls.append(time.perf_counter() - t0)
    a = out.analysis
    return {**_best(walls), "sampled": a.sampling.frames, "decoded": a.video.frame_count,
            "scenes": len(a.scenes), "setup_s": round(setup_s, 2),
            "timings": a.timings.model_dump(exclude_none=True)}


def run_naive(video: str, args) -> dict:
    import cv2
    import torch
    from PIL import Image

    model, preprocess = _open_clip_model(args.model)
    with torch.no_grad():
        model.encode_image(torch.stack([preprocess(Image.new("RGB", (320, 180)))] * 2))

    def once() -> tuple[int, int]:
        cap = cv2.VideoCapture(video)
        video_fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        batch, decoded, sampled, next_t = [], 0, 0, 0.0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            t = decoded / video_fps
            decoded += 1
            if t + 1e-6 < next_t:
                continue
            next_t += 1.0 / args.fps
            batch.append(preprocess(Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))))
            if len(batch) == 32:
                sampled += _encode_naive(model, batch)
        sampled += _encode_naive(model, batch)
        cap.release()
        return decoded, sampled

    return _timed(once, args.repeat)


def _encode_naive(model, batch: list) -> int:
    import torch

    n = len(batch)
    if n:
        with torch.no_grad():
            emb = model.encode_image(torch.stack(batch))
            emb = emb / emb.norm(dim=-1, keepdim=True)
        batch.clear()
    return n


def _reduced_size(w: int, h: int, side: int) -> tuple[int, int]:
    scale = side / min(w, h)
    return max(side, round(w * scale)), max(side, round(h * scale))


def run_decode(video: str, args, seek: bool) -> dict:
    import decord

    side = 64 if args.model == "tiny-test" else 224

    def once() -> tuple[int, int]:
        probe = decord.VideoReader(video)
        h, w = probe[0].shape[:2]
        del probe
        rw, rh = _reduced_size(w, h, side)
        vr = decord.VideoReader(video, ctx=decord.cpu(0), width=rw, height=rh)
        n = len(vr)
        wanted = sample_indices(n, vr.get_avg_fps(), args.fps)
        kept = 0
        if seek:
            for i in range(0, len(wanted), 32):
                kept += len(vr.get_batch(wanted[i : i + 32].tolist()).asnumpy())
            return len(wanted), kept
        chosen = np.zeros(n, bool)
        chosen[wanted] = True
        for i in range(0, n, 32):
            frames = vr.get_batch(list(range(i, min(i + 32, n)))).asnumpy()
            kept += len(frames[chosen[i : i + len(frames)]])
        return n, kept

    return _timed(once, args.repeat)


def run_model(video: str, args) -> dict:
    import torch

    model, _ = _open_clip_model(args.model)
    side = 64 if args.model == "tiny-test" else 224
    n = len(sample_indices(*_frames_and_fps(video), args.fps))
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (n, side, side, 3), dtype=np.uint8)
    mean = torch.tensor((0.48145466, 0.4578275, 0.40821073)).view(1, 3, 1, 1) * 255
    std = torch.tensor((0.26862954, 0.26130258, 0.27577711)).view(1, 3, 1, 1) * 255
    pixels = ((torch.from_numpy(frames).permute(0, 3, 1, 2).float() - mean) / std).contiguous()
    if args.precision == "bf16":  # the ceiling at the precision vidclip runs at
        model, pixels = model.to(torch.bfloat16), pixels.to(torch.bfloat16)
    walls = []
    with torch.inference_mode():
        model.encode_image(pixels[:2])
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for i in range(0, n, args.batch_size):
                model.encode_image(pixels[i : i + args.batch_size], normalize=True)
            walls.append(time.perf_counter() - t0)
    return {**_best(walls), "sampled": n, "decoded": 0, "threads": torch.get_num_threads()}


def run_vidclip_decode(video: str, args) -> dict:
    from vidclip.stages.encode import PREVIEW_SIDE
    from vidclip.decode import SamplingSpec, open_video
    from vidclip.segment import SceneDetector

    side = 64 if args.model == "tiny-test" else 224

    def once() -> tuple[int, int]:
        with open_video(video, sampling=SamplingSpec("fps", fps=args.fps), short_side=side,
                        preview_side=PREVIEW_SIDE, threads=1) as reader:
            detector = SceneDetector(fps_hint=reader.info.fps or None)
            decoded = kept = 0
            for batch in reader:
                detector.observe(batch)
                decoded += len(batch)
                kept += len(batch.only_sampled())
        return decoded, kept

    return _timed(once, args.repeat)


def _frames_and_fps(video: str) -> tuple[int, float]:
    info = _common.video_summary(Path(video))
    return info["frames"], info["fps"]


RUNNERS = {
    "vidclip": run_vidclip,
    "naive": run_naive,
    "decode-seq": lambda v, a: run_decode(v, a, seek=False),
    "decode-seek": lambda v, a: run_decode(v, a, seek=True),
    "model": run_model,
    "vidclip-decode": run_vidclip_decode,
}


def default_video(smoke: bool) -> Path:
    cache = _common.cache_dir()
    if smoke:
        path = cache / "throughput-smoke-320x180.mp4"
        montage.make_montage(path, seconds=3.0, width=320, height=180, fps=30.0, seed=5,
                             shot_s=(1.0, 2.0))
    else:
        path = cache / "throughput-60s-1280x720.mp4"
        montage.make_montage(path, seconds=60.0, width=1280, height=720, fps=30.0, seed=7)
    return path


def summarise(results: dict, duration_s: float, fps: float) -> tuple[list[list], dict]:
    rows, speed = [], {}
    for name, r in results.items():
        wall = r["wall_s"]
        realtime = r["sampled"] / fps / wall if name == "model" else duration_s / wall
        speed[name] = realtime
        rows.append([name, wall, realtime, r["sampled"] / wall, r["decoded"], r.get("peak_rss_mb")])
    ratios = {}
    if "vidclip" in speed and "naive" in speed:
        ratios["vidclip / naive"] = speed["vidclip"] / speed["naive"]
    decode = [speed[c] for c in DECODE_CEILINGS if c in speed]
    if decode:
        best = max(DECODE_CEILINGS, key=lambda c: speed.get(c, -1.0))
        ratios["decode ceiling"] = best
        if "model" in speed:
            ceiling = min(max(decode), speed["model"])
            ratios["slower ceiling (x realtime)"] = ceiling
            if "vidclip" in speed:
                ratios["vidclip / min(ceilings)"] = speed["vidclip"] / ceiling
    if "vidclip-decode" in results and "model" in results:
        cores = results["model"].get("threads") or 1
        wall = (results["vidclip-decode"]["wall_s"] + results["model"]["wall_s"] * cores) / cores
        ratios["shared-cores bound (x realtime)"] = duration_s / wall
        if "vidclip" in speed:
            ratios["vidclip / shared-cores bound"] = speed["vidclip"] * wall / duration_s
    return rows, ratios


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--video", help="any video file; default: a generated 60 s 1280x720 H.264 clip")
    p.add_argument("--model", default=None, help="open_clip architecture (default ViT-B-32)")
    p.add_argument("--fps", type=float, default=1.0, help="sampled frames per second of video")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="vidclip's and the model ceiling's (bf16: CPUs with AVX512-BF16/AMX); "
                   "the naive loop stays fp32")
    p.add_argument("--repeat", type=int, default=1,
                   help="timed runs inside each child (after its warm-up); the best counts")
    p.add_argument("--rounds", type=int, default=1,
                   help="children per config, interleaved with the others; the best counts")
    p.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated subset")
    p.add_argument("--in-process", action="store_true", help="no child processes (RSS is shared)")
    p.add_argument("--smoke", action="store_true", help="tiny clip and model, in process")
    p.add_argument("--json", help="write the figures to this file")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.model = args.model or ("tiny-test" if args.smoke else "ViT-B-32")

    if args.child:
        _common.write_child_result(args.child_out, RUNNERS[args.child](args.video, args))
        return 0

    video = Path(args.video) if args.video else default_video(args.smoke)
    info = _common.video_summary(video)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    print(f"video: {video.name}  {info['width']}x{info['height']} {info['codec']} "
          f"{info['fps']} fps {info['duration_s']} s; model {args.model} (random init), "
          f"{args.fps} frame/s, batch {args.batch_size}, {args.precision}")
    print(f"machine: {_common.machine()}\n")
    results = {}
    child_args = ["--video", str(video), "--model", args.model, "--fps", str(args.fps),
                  "--batch-size", str(args.batch_size), "--repeat", str(args.repeat),
                  "--precision", args.precision]
    for round_ in range(args.rounds):  # every config once per round: load drift hits all alike
        for name in configs:
            if args.in_process or args.smoke:
                r = {**RUNNERS[name](str(video), args), "peak_rss_mb": None}
            else:
                r = _common.run_child(Path(__file__), name, child_args)
            print(f"  round {round_ + 1} {name}: {r['wall_s']:.2f} s", file=sys.stderr)
            if name not in results or r["wall_s"] < results[name]["wall_s"]:
                results[name] = {**r, "rounds_wall_s": results.get(name, {}).get(
                    "rounds_wall_s", [])}
            results[name]["rounds_wall_s"].append(r["wall_s"])
    rows, ratios = summarise(results, info["duration_s"], args.fps)
    print(_common.table(["config", "wall s", "x realtime", "sampled f/s", "decoded",
                         "peak RSS MB"], rows))
    print()
    for key, value in ratios.items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
    if "vidclip" in results:
        print("vidclip stage timings (s):", results["vidclip"].get("timings"))
    _common.save_json(args.json, {"video": {"path": str(video), **info}, "model": args.model,
                                  "fps": args.fps, "machine": _common.machine(),
                                  "results": results, "ratios": ratios})
    return 0


if __name__ == "__main__":
    sys.exit(main())
