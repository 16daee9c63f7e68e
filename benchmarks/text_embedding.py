"""The first run's text embeddings: open_clip's padded path against vidclip's.

    python benchmarks/text_embedding.py                    # ViT-B-32, default vocabulary
    python benchmarks/text_embedding.py --naive-sample 0   # the naive path on every prompt
    python benchmarks/text_embedding.py --smoke            # tiny model, seconds

A model's first run embeds every prompt of the vocabulary (853 labels x 14
templates = 11,942 prompts for the default one) before its first frame.
Rows, all on the same model with random weights (which cost what real
weights cost), in this process, one after the other:

- ``naive``: open_clip's ``encode_text`` on prompts padded to the context
  length (77 tokens), batches of 256, fp32 -- what vidclip did before. It is
  slow, so by default it runs on a random sample of ``--naive-sample``
  prompts and its total for the whole vocabulary is extrapolated (marked ~);
- ``trimmed fp32``: vidclip's text path (vidclip.encode.clip_text): prompts
  sorted by length, each batch cut to its longest prompt's real length;
- ``trimmed bf16``: the same with the text tower in bf16, where the CPU has
  it natively (what ``--precision auto`` runs there).

``max 1-cos`` compares each row's prompt embeddings with the naive path's
on the naive sample; ``label 1-cos`` compares the template-ensembled label
embeddings with trimmed fp32's over the whole vocabulary; ``max |d score|``
is the largest change of a calibrated tag score (vidclip.calibration) that the
row's label and anchor embeddings cause against fp32's, over frames of
``../shared/media/testvideo.mp4`` (or random frames without it).

The last table is ``Pipeline.setup()`` in a fresh process with an empty
text cache (the first run: vocabulary, anchor and moderation policy) and
again with the cache filled, at ``--precision auto`` and ``fp32``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import _common


def _prompts(limit: int | None) -> tuple[list[str], list[list[str]]]:
    from vidclip.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    sets = [vocab.prompts(label) for label in vocab.labels]
    if limit:
        sets = sets[:limit]
    return [p for s in sets for p in s], sets


def _encoder(model: str, precision: str):
    from vidclip.config import ModelOptions
    from vidclip.encode.clip import ClipEncoder

    encoder = ClipEncoder(ModelOptions(name=model, pretrained=None, device="cpu",
                                       precision=precision))
    encoder.load()
    return encoder


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _labels(emb: np.ndarray, sets: list[list[str]]) -> np.ndarray:
    out, pos = [], 0
    for s in sets:
        m = emb[pos : pos + len(s)].mean(axis=0)
        out.append(m / np.linalg.norm(m))
        pos += len(s)
    return np.stack(out)


def _frames(encoder, n: int = 24) -> np.ndarray:
    video = _common.SHARED_MEDIA / "testvideo.mp4"
    side = encoder.input_size
    if video.is_file():
        from vidclip.decode import SamplingSpec, open_video

        with open_video(video, sampling=SamplingSpec("fps", fps=1.0), short_side=side,
                        full_rate=False) as reader:
            frames = [f for batch in reader for f in batch.only_sampled().frames]
        return np.stack(frames[:n])
    return np.random.default_rng(0).integers(0, 256, (n, side, side, 3), dtype=np.uint8)


def _scores(frame_emb, labels, anchor, encoder) -> np.ndarray:
    from vidclip.calibration import Calibration

    calibration = Calibration(anchor.astype(np.float64), encoder.logit_scale,
                              encoder.score_margin)
    return calibration.scores(frame_emb.astype(np.float64), labels.astype(np.float64))


def _one_minus_cos(a: np.ndarray, b: np.ndarray) -> str:
    return f"{float(np.abs(1.0 - (a.astype(np.float64) * b).sum(axis=1)).max()):.1e}"


def embed_rows(args) -> list[list]:
    import torch

    from vidclip.encode.clip import _cpu_has_bf16
    from vidclip.encode.clip_text import encode_padded
    from vidclip.vocabulary import read_lines

    flat, sets = _prompts(args.labels)
    anchor_prompts = read_lines((Path(__file__).resolve().parents[1] / "vidclip" / "data"
                                 / "templates" / "neutral.txt").read_text())
    fp32 = _encoder(args.model, "fp32")
    rng = np.random.default_rng(0)
    sample = (np.arange(len(flat)) if not args.naive_sample or args.naive_sample >= len(flat)
              else np.sort(rng.choice(len(flat), args.naive_sample, replace=False)))
    texts = [flat[i] for i in sample]
    with torch.inference_mode():
        naive, naive_s = _timed(lambda: encode_padded(
            fp32._model, fp32._tokenizer(texts)).numpy())
    naive_total = naive_s * len(flat) / len(texts)
    rows = [["naive (padded to 77, fp32)", len(texts) / naive_s, naive_total,
             "~" if len(texts) < len(flat) else "", 1.0, "0", None, None]]

    frames = _frames(fp32)
    base = None
    encoders = [("trimmed fp32", fp32)]
    if _cpu_has_bf16() and not args.smoke:
        encoders.append(("trimmed bf16", _encoder(args.model, "bf16")))
    for name, enc in encoders:
        emb, secs = _timed(lambda enc=enc: enc.encode_texts(flat))
        labels = _labels(emb, sets)
        anchor = _labels(enc.encode_texts(anchor_prompts), [anchor_prompts])[0]
        scores = _scores(enc.encode_images(frames), labels, anchor, enc)
        if base is None:
            base = (labels, scores)
        rows.append([f"{name} (vidclip)", len(flat) / secs, secs, "",
                     naive_total / secs, _one_minus_cos(emb[sample], naive),
                     _one_minus_cos(labels, base[0]), f"{float(np.abs(scores - base[1]).max()):.1e}"])
    return rows


def _child_setup(args) -> None:
    """One ``Pipeline.setup()`` in this fresh process; prints its seconds as JSON."""
    from vidclip.config import AnalysisConfig, ModelOptions
    from vidclip.pipeline import Pipeline

    t0, c0 = time.perf_counter(), time.process_time()
    config = AnalysisConfig(model=ModelOptions(name=args.model, pretrained=None,
                                               precision=args.precision, device="cpu"))
    Pipeline(config).setup()
    print(json.dumps({"setup_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}))


def setup_rows(args) -> list[list]:
    import subprocess

    rows = []
    for precision in ("auto", "fp32"):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "VIDCLIP_CACHE_DIR": cache}
            cmd = [sys.executable, __file__, "--child-setup", "--model", args.model,
                   "--precision", precision]
            runs = []
            for _ in range(2):  # first run (empty cache), then cached
                out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        first, cached = runs
        rows.append([precision, first["setup_s"], cached["setup_s"],
                     first["setup_s"] - cached["setup_s"], first["cpu_s"] - cached["cpu_s"]])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--naive-sample", type=int, default=1000,
                        help="prompts the naive path runs on (0: all of them)")
    parser.add_argument("--labels", type=int, default=None, help="only the first N labels")
    parser.add_argument("--no-setup", action="store_true", help="skip the Pipeline.setup() table")
    parser.add_argument("--setup-only", action="store_true", help="only the Pipeline.setup() table")
    parser.add_argument("--smoke", action="store_true", help="tiny model, 40 labels: seconds")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child-setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--precision", default="auto", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.model, args.labels, args.naive_sample = "tiny-test", 40, 0
    if args.child_setup:
        _child_setup(args)
        return 0

    import torch

    print(f"{args.model}, random weights, CPU, {torch.get_num_threads()} torch threads")
    result: dict = {}
    if not args.setup_only:
        rows = embed_rows(args)
        print(_common.table(
            ["path", "prompts/s", "total s", "", "x naive", "max 1-cos", "label 1-cos",
             "max |d score|"], rows))
        result["embed"] = rows
    if not args.no_setup:
        setup = setup_rows(args)
        print("\nPipeline.setup() in a fresh process (default vocabulary and policy):")
        # CPU seconds of all threads: on a shared machine the wall clock also
        # counts waiting for a core; CPU s / cores is what an idle machine takes.
        print(_common.table(["precision", "first run s", "cached s", "first-run extra s",
                             "first-run extra, CPU s"], setup))
        result["setup"] = setup
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
