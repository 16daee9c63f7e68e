"""Feeding a GPU: the encoder's and the decoders' ceilings, and vidclip end to end, in one table.

    python benchmarks/gpu.py                        # on a CUDA machine: full sizes
    python benchmarks/gpu.py --device cpu           # here: CPU, sizes scaled down (minutes)
    python benchmarks/gpu.py --json out/gpu.json
    python benchmarks/gpu.py --smoke                # tiny model and clips: checks that it runs

Rows, all from one run and one process (the model loads once; each row is
timed after a warm-up call):

- ``encoder, batch B``: pre-decoded 224x224 frames straight into the model
  (ViT-B-32, random weights: the compute of real ones) at fp16 on CUDA,
  bf16 on a CPU that has it, in calls of B frames -- images/s;
- ``decode, decord xN``: decord reads every frame of the long clip at the
  model's size, N files at once on N threads -- frames/s (a CPU ceiling);
- ``decode, torchcodec (cuda|cpu)``: torchcodec decodes every frame (NVDEC
  on CUDA) and resizes it there -- frames/s; ``-`` when torchcodec or
  FFmpeg's libraries are missing;
- ``end to end, long clip``: ``Pipeline.run`` on the long 720p clip (decoder
  ``auto``: torchcodec beside a GPU model when it is installed);
- ``end to end, archive``: ``Pipeline.run_many`` over the archive of short
  720p clips (shared encoder batches).

The end-to-end rows are in seconds of video per second, which is also hours
of video per GPU-hour, and as a share of the slower ceiling measured above:
the encoder's (best images/s over the sampled frames per second of video)
and the decoder's (best frames/s over the video's frame rate). "busy" is the
GPU's utilisation sampled every 100 ms during the row (NVML through
nvidia-ml-py, or torch.cuda.utilization); on a CPU, the process's CPU time
over wall time and cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import _common
import montage
import numpy as np


def make_media(args) -> tuple[Path, list[Path]]:
    w, h = args.width, args.height
    folder = _common.cache_dir() / f"gpu-{w}x{h}"
    long_clip = folder / f"long-{args.long_s:g}s.mp4"
    montage.make_montage(long_clip, seconds=args.long_s, width=w, height=h, fps=25.0, seed=7)
    clips = [folder / f"short-{args.clip_s:g}s-{i:03d}.mp4" for i in range(args.clips)]
    for i, path in enumerate(clips):
        montage.make_montage(path, seconds=args.clip_s, width=w, height=h, fps=25.0,
                             seed=1000 + i, shot_s=(1.5, 4.0))
    return long_clip, clips


class Busy:
    """Samples the device's utilisation in a thread while a row runs (percent)."""

    def __init__(self, device: str):
        self.device = device
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._read = self._reader()

    def _reader(self):
        if not self.device.startswith("cuda"):
            return None
        try:
            import pynvml

            pynvml.nvmlInit()
            index = int(self.device.split(":")[1]) if ":" in self.device else 0
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            return lambda: float(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu)
        except Exception:  # nvidia-ml-py absent or NVML unusable: torch asks NVML itself
            import torch

            return lambda: float(torch.cuda.utilization())

    def __enter__(self) -> "Busy":
        self._cpu0, self._wall0 = time.process_time(), time.perf_counter()
        if self._read is not None:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.samples.append(self._read())
            except Exception:
                return

    def __exit__(self, *exc) -> None:
        self._stop.set()
        wall = time.perf_counter() - self._wall0
        if self._read is None:
            cores = len(os.sched_getaffinity(0))
            self.samples = [100.0 * (time.process_time() - self._cpu0) / wall / cores]

    @property
    def percent(self) -> float | None:
        return round(float(np.mean(self.samples)), 1) if self.samples else None


def encoder_rows(encoder, sizes: list[int], seconds: float,
                 device: str) -> list[tuple[int, float, float | None]]:
    """(batch size, images/s, busy %) per batch size."""
    rng = np.random.default_rng(0)
    side = encoder.input_size
    out = []
    for size in sizes:
        encoder.batch_size = size
        frames = rng.integers(0, 255, (size, side, side, 3), dtype=np.uint8)
        encoder.encode_images(frames)  # warm-up: allocation, kernels
        with Busy(device) as busy:
            done, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                encoder.encode_images(frames)
                done += size
            rate = done / (time.perf_counter() - started)
        out.append((size, rate, busy.percent))
    return out


def decord_rate(clips: list[Path], size: tuple[int, int]) -> float:
    """Every frame of each clip, one clip per thread (decord releases the GIL)."""
    import decord

    counts = [0] * len(clips)

    def read(i: int) -> None:
        reader = decord.VideoReader(str(clips[i]), width=size[0], height=size[1], num_threads=1)
        for start in range(0, len(reader), 32):
            batch = reader.get_batch(list(range(start, min(len(reader), start + 32))))
            counts[i] += batch.shape[0]

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(clips))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def torchcodec_rate(clip: Path, device: str, short_side: int) -> float | None:
    from vidclip.decode import torchcodec_backend as tc
    from vidclip.decode.probe import output_size, probe_facts
    from vidclip.decode.sampling import Sampler
    from vidclip.decode.types import SamplingSpec

    if tc.unavailable():
        print(f"torchcodec row skipped: {tc.unavailable()}")
        return None
    facts = probe_facts(clip)
    source = tc.TorchcodecSource(facts, output_size(facts, short_side), device)
    sampler = Sampler(SamplingSpec("fps", 1.0), facts.start_time_s, facts.duration_s,
                      facts.frame_count)
    started, frames = time.perf_counter(), 0
    for batch in tc.iter_torchcodec(source, sampler, 32, True, (28, 28)):
        frames += len(batch)
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()
    return frames / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu")
    p.add_argument("--model", default="ViT-B-32", help="open_clip name (random init)")
    p.add_argument("--batch-sizes", default="", help="encoder rows (default 64,128,256,512; "
                   "16,32 with --small)")
    p.add_argument("--decoders", type=int, default=0, help="videos decoded at once (0: vidclip's "
                   "default for the device)")
    p.add_argument("--small", action="store_true", help="sizes for a CPU: a 12 s clip, 8 clips "
                   "of 3 s, 640x360 (default with --device cpu)")
    p.add_argument("--full", action="store_true", help="full sizes even with --device cpu")
    p.add_argument("--smoke", action="store_true", help="tiny model and clips, CPU: seconds; "
                   "checks that it all runs")
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args(argv)
    if args.smoke:
        args.device, args.model, args.batch_sizes = "cpu", "tiny-test", "8,16"
    small = args.small or (args.device == "cpu" and not args.full)
    args.long_s, args.clips, args.clip_s = (12.0, 8, 3.0) if small else (60.0, 200, 6.0)
    args.width, args.height = (640, 360) if small else (1280, 720)
    if args.smoke:
        args.long_s, args.clips, args.clip_s, args.width, args.height = 4.0, 3, 2.0, 160, 96
    sizes = [int(b) for b in (args.batch_sizes or ("16,32" if small else "64,128,256,512"))
             .split(",")]
    on_gpu = args.device.startswith("cuda")
    precision = "fp16" if on_gpu else "auto"  # auto: bf16 on a CPU that has it, else fp32

    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions
    from vidclip.pipeline import Pipeline

    long_clip, clips = make_media(args)
    print(f"{args.long_s:g} s clip and {args.clips} clips of {args.clip_s:g} s, "
          f"{args.width}x{args.height}, {args.model} ({precision}) on {args.device}")
    print(f"machine: {_common.machine()}{_gpu_name(args.device)}\n")
    cfg = AnalysisConfig(model=ModelOptions(name=args.model, pretrained=None, precision=precision,
                                            device=args.device, batch_size=max(sizes)),
                         sampling=SamplingOptions(fps=1.0))
    pipe = Pipeline(cfg)
    pipe.setup()
    pipe.run(clips[0])  # warm-up: first calls allocate
    encoder = pipe.encoder
    rows: list[list] = []
    measured = encoder_rows(encoder, sizes, 0.5 if args.smoke else 2.0 if small else 5.0,
                            args.device)
    for size, rate, percent in measured:
        rows.append([f"encoder, batch {size}", rate, "images/s", percent, None])
    rates = {size: rate for size, rate, _ in measured}
    encoder.batch_size = max(rates, key=rates.__getitem__)
    from vidclip.decode.probe import output_size, probe_facts

    size = output_size(probe_facts(long_clip), encoder.input_size)
    threads = [1, 2] if small else [1, 4, 8, min(16, len(os.sched_getaffinity(0)))]
    decode_best = 0.0
    for n in threads:
        with Busy(args.device) as busy:
            rate = decord_rate([long_clip] * n, size)
        decode_best = max(decode_best, rate)
        rows.append([f"decode, decord x{n}", rate, "frames/s", busy.percent, None])
    with Busy(args.device) as busy:
        tc_rate = torchcodec_rate(long_clip, args.device, encoder.input_size)
    if tc_rate is not None:
        decode_best = max(decode_best, tc_rate)
    rows.append([f"decode, torchcodec ({'cuda' if on_gpu else 'cpu'})", tc_rate, "frames/s",
                 busy.percent if tc_rate else None, None])
    # Ceilings in seconds of video per second: 1 sampled frame a second, 25 decoded.
    ceiling = min(max(rates.values()) / 1.0, decode_best / 25.0)
    with Busy(args.device) as busy:
        started = time.perf_counter()
        pipe.run(long_clip, caption=False)
        long_x = args.long_s / (time.perf_counter() - started)
    rows.append(["end to end, long clip", long_x, "video s/s", busy.percent, long_x / ceiling])
    with Busy(args.device) as busy:
        started = time.perf_counter()
        failed = [k for k, r in pipe.run_many(enumerate(clips), decoders=args.decoders,
                                              caption=False) if isinstance(r, Exception)]
        archive_x = args.clips * args.clip_s / (time.perf_counter() - started)
    if failed:
        raise SystemExit(f"{len(failed)} archive clips failed")
    rows.append(["end to end, archive", archive_x, "video s/s", busy.percent,
                 archive_x / ceiling])
    print(_common.table(["row", "rate", "unit", "busy %", "of ceiling"], rows))
    print(f"\nslower ceiling: {ceiling:.2f} video s/s; hours of video per "
          f"{'GPU' if on_gpu else 'machine'}-hour: long clip {long_x:.1f}, archive {archive_x:.1f}")
    _common.save_json(args.json, {"machine": _common.machine(), "device": args.device,
                                  "rows": rows, "ceiling": ceiling, "long_x": long_x,
                                  "archive_x": archive_x})
    return 0


def _gpu_name(device: str) -> str:
    if not device.startswith("cuda"):
        return ""
    import torch

    return f"; GPU: {torch.cuda.get_device_name(torch.device(device))}"


if __name__ == "__main__":
    sys.exit(main())
