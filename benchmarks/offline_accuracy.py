"""Per-scene tag accuracy and speed of the offline (ConSE) encoder.

    python benchmarks/offline_accuracy.py            # all photos, default vocabulary
    python benchmarks/offline_accuracy.py --json out/offline.json

A montage of every photograph that installed packages ship
(vidclip/encode/offline/photos.py: scikit-image, scikit-learn, matplotlib,
imgaug), one 2-second hard-cut shot each with a slow push-in, runs through
the whole pipeline (decode, scene detection, tags, moderation) with
``--model offline``. For each photo's shot, the detected scene covering its
middle is ranked against two vocabularies:

- ``default``: the bundled default vocabulary (853 labels) -- what a user gets;
- ``photo-set``: only the labels that describe some photo of the set (a
  closed-set check, 23 labels).

A shot counts as right at top-k when any label describing its photo is
among the scene's k best. "hard" photos show things ImageNet has no class
for (an astronaut, a woman in uniform); they are counted and also reported
apart. images/s is the encoder alone on pre-decoded 224 px frames (batch
``--batch-size``, after a warm-up), and the pipeline's own encode time.

Measured on the 2-core CPU box (torch threads 2), 15 photos, 2 fps:

    default vocabulary (853 labels): top-1 8/15, top-3 8/15 (easy photos 7/13, 7/13)
    photo-set labels (22):           top-1 10/15, top-3 13/15 (easy photos 9/13, 11/13)
    15 scenes detected for 15 shots; encoder 26-30 images/s at batch 32; load 2.6-6 s
    (warm text cache; ~25 s the first time, while it embeds the 1000 class sentences)

Misses are the classifier's: coins -> golf ball, moon and deep-field
galaxies -> nematode/bubble ("worm"), the motion-blurred clock -> spotlight,
the horse silhouette -> dog breeds, the astronaut -> bobsled/helmet.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table  # noqa: E402


def _run_pipeline(video: Path, encoder, labels: list[str] | None, fps: float):
    from vidclip.config import AnalysisConfig, SamplingOptions, TagOptions
    from vidclip.pipeline import Pipeline

    config = AnalysisConfig(
        sampling=SamplingOptions(strategy="fps", fps=fps),
        # Threshold 0 and no top-k cut: every label ranked, so ranks can be read.
        tags=TagOptions(labels=labels, threshold=0.0, top_k=100_000),
        include_frames=False,
    )
    pipeline = Pipeline(config, encoder=encoder)
    return pipeline.analyze(video, caption=False)


def _scene_at(analysis, t: float):
    for scene in analysis.scenes:
        if scene.start_s <= t < scene.end_s:
            return scene
    return analysis.scenes[-1]


def _grade(analysis, shots) -> list[dict]:
    rows = []
    for shot in shots:
        scene = _scene_at(analysis, (shot.start_s + shot.end_s) / 2)
        ranked = [t.label for t in scene.tags]
        ranks = [ranked.index(label) for label in shot.photo.labels if label in ranked]
        best = min(ranks) if ranks else None
        rows.append(
            {
                "photo": shot.photo.name,
                "hard": shot.photo.hard,
                "expected": list(shot.photo.labels),
                "rank": best,
                "top3": [(t.label, round(t.score, 2)) for t in scene.tags[:3]],
                "right_score": None if best is None else round(scene.tags[best].score, 3),
            }
        )
    return rows


def _summary(rows: list[dict]) -> dict:
    def acc(sub, k):
        return sum(r["rank"] is not None and r["rank"] < k for r in sub)

    easy = [r for r in rows if not r["hard"]]
    return {
        "n": len(rows),
        "top1": acc(rows, 1),
        "top3": acc(rows, 3),
        "easy_n": len(easy),
        "easy_top1": acc(easy, 1),
        "easy_top3": acc(easy, 3),
    }


def _images_per_s(encoder, n: int, batch_size: int) -> float:
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (n, 224, 224, 3), dtype=np.uint8)
    encoder.batch_size = batch_size
    encoder.encode_images(frames[:batch_size])  # warm-up
    t0 = time.perf_counter()
    encoder.encode_images(frames)
    return n / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fps", type=float, default=2.0, help="sampling rate of the pipeline")
    parser.add_argument("--seconds-each", type=float, default=2.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--speed-frames", type=int, default=128)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: leave as is)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    import torch

    from vidclip.config import ModelOptions
    from vidclip.encode.offline import build_offline_encoder
    from vidclip.encode.offline.photos import PHOTOS, available_photos, write_photo_montage

    if args.threads:
        torch.set_num_threads(args.threads)
    photos = available_photos()
    missing = sorted({p.package for p in PHOTOS} - {p.package for p in photos})
    if missing:
        print(f"note: photos of {', '.join(missing)} left out (package not installed)")
    encoder = build_offline_encoder(ModelOptions(name="offline", batch_size=args.batch_size))
    t0 = time.perf_counter()
    encoder.load()
    load_s = time.perf_counter() - t0

    results: dict = {"model": encoder.info.model_dump(), "load_s": round(load_s, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "photos.mp4"
        shots = write_photo_montage(video, photos, seconds_each=args.seconds_each)
        vocabularies = {
            "default": None,
            "photo-set": sorted({label for p in photos for label in p.labels}),
        }
        for name, labels in vocabularies.items():
            analysis = _run_pipeline(video, encoder, labels, args.fps)
            rows = _grade(analysis, shots)
            summary = _summary(rows)
            results[name] = {
                "summary": summary,
                "rows": rows,
                "scenes_detected": len(analysis.scenes),
                "encode_s": analysis.timings.encode_s,
                "frames": analysis.sampling.frames,
            }
            print(f"\n{name} vocabulary ({analysis.vocabulary.labels} labels), "
                  f"{len(analysis.scenes)} scenes detected for {len(shots)} shots")
            print(table(
                ["photo", "right label", "rank", "score", "top 3 tags"],
                [[r["photo"] + (" (hard)" if r["hard"] else ""), " | ".join(r["expected"]),
                  "-" if r["rank"] is None else r["rank"] + 1, r["right_score"],
                  ", ".join(f"{lab} {s:.2f}" for lab, s in r["top3"])] for r in rows],
            ))
            s = summary
            print(f"top-1 {s['top1']}/{s['n']}  top-3 {s['top3']}/{s['n']}   "
                  f"(without hard photos: top-1 {s['easy_top1']}/{s['easy_n']}, "
                  f"top-3 {s['easy_top3']}/{s['easy_n']})")
    ips = _images_per_s(encoder, args.speed_frames, args.batch_size)
    results["images_per_s"] = round(ips, 1)
    print(f"\nencoder: {ips:.1f} images/s at batch {args.batch_size} on {encoder.info.device} "
          f"({torch.get_num_threads()} threads); load {load_s:.1f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
