"""Start-up: what a process pays before its first frame, with everything cached.

    python benchmarks/startup.py                 # ViT-B-32 checkpoint, 3 rounds
    python benchmarks/startup.py --rounds 5 --json out/startup.json

Each round runs two fresh processes, alternating, and each one imports
vidclip and runs ``Pipeline(...).setup()`` for a ViT-B-32 checkpoint file
(random weights, saved once under ``benchmarks/.cache``: the same bytes and
loading work as real weights) with a filled text-embedding cache:

- ``before``: ``VIDCLIP_OPEN_CLIP_TRANSFORMERS=1``, open_clip imported as it
  imports itself, Hugging Face ``transformers`` included;
- ``after``: vidclip's default, open_clip imported without ``transformers``.

Phases, each timed inside the child: ``import torch``, ``import open_clip``
(through vidclip), the rest of vidclip's imports, building the model from
the checkpoint, and the vocabulary/policy embeddings from the cache.
Medians over the rounds; the ratio is after / before of the same run.
Each phase is also reported in CPU seconds of the child (all its threads):
on a shared machine the wall clock includes waiting for a core, CPU time
does not, so the CPU column is what an idle machine's wall clock comes
close to (start-up is mostly single-threaded imports).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

PHASES = ("import torch", "import open_clip", "import vidclip", "build model", "embeddings")


def checkpoint(model: str) -> Path:
    """A random-weights checkpoint of ``model``, written once (git-ignored cache)."""
    path = _common.cache_dir() / f"{model}-random.safetensors"
    if not path.is_file():
        import open_clip
        import torch
        from safetensors.torch import save_file

        torch.manual_seed(0)
        net = open_clip.create_model(model, pretrained=None)
        tmp = path.with_suffix(".tmp")
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(tmp))
        tmp.replace(path)
    return path


def child(model: str, ckpt: str) -> dict:
    """Time the phases of one start-up in this (fresh) process."""
    marks, cpu = [time.perf_counter()], [time.process_time()]

    def mark() -> None:
        marks.append(time.perf_counter())
        cpu.append(time.process_time())

    import torch  # noqa: F401

    mark()
    from vidclip.encode.open_clip_import import import_open_clip

    import_open_clip()
    mark()
    from vidclip.config import AnalysisConfig, ModelOptions
    from vidclip.pipeline import Pipeline

    mark()
    pipe = Pipeline(AnalysisConfig(model=ModelOptions(name=model, pretrained=ckpt, device="cpu")))
    pipe.encoder.load()
    mark()
    pipe.setup()
    mark()
    out: dict = {name: marks[i + 1] - marks[i] for i, name in enumerate(PHASES)}
    out.update({f"{name} cpu": cpu[i + 1] - cpu[i] for i, name in enumerate(PHASES)})
    out["setup"] = marks[-1] - marks[0]
    out["setup cpu"] = cpu[-1] - cpu[0]
    out["transformers imported"] = "transformers" in sys.modules
    return out


def _spawn(model: str, ckpt: Path, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--child", "--model", model, "--checkpoint", str(ckpt)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.model, args.checkpoint)))
        return 0

    ckpt = checkpoint(args.model)
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as cache:
        base = {**os.environ, "VIDCLIP_CACHE_DIR": cache, "HF_HUB_OFFLINE": "1"}
        envs = {"before": {**base, "VIDCLIP_OPEN_CLIP_TRANSFORMERS": "1"},
                "after": {k: v for k, v in base.items() if k != "VIDCLIP_OPEN_CLIP_TRANSFORMERS"}}
        _spawn(args.model, ckpt, envs["after"])  # fills the text cache (not timed)
        for _ in range(args.rounds):
            for name in ("before", "after"):
                runs[name].append(_spawn(args.model, ckpt, envs[name]))

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    rows = []
    for key in (*PHASES, "setup"):
        before, after = med("before", key), med("after", key)
        rows.append([key, before, after, after / before if before else None,
                     med("before", f"{key} cpu"), med("after", f"{key} cpu")])
    print(f"{args.model} checkpoint, cached text embeddings, medians of {args.rounds} "
          f"fresh processes each (seconds)")
    print(_common.table(["phase", "before", "after", "after/before",
                         "before, CPU s", "after, CPU s"], rows))
    print("transformers imported: before "
          f"{all(r['transformers imported'] for r in runs['before'])}, after "
          f"{any(r['transformers imported'] for r in runs['after'])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
