"""Precision and recall of the offline encoder's scene tags, before and after a change.

    python benchmarks/offline_precision.py                  # this tree against main
    python benchmarks/offline_precision.py --baseline HEAD~3 --json out/offline_pr.json

Both versions run the whole pipeline (``--model offline``, 2 frames/s, the
default vocabulary and threshold) in their own process: the baseline from
``git archive BASELINE vidclip`` unpacked in a temporary folder, this tree
as it is. Scene tags at or above the threshold are judged against

- ``real clips``: ``../shared/media`` labelled by looking at their frames
  (``benchmarks/data/shared_media_labels.yaml``: per time range the labels
  that are right, and those a viewer would accept). A tag is right when it
  is right or acceptable for a range the scene overlaps; recall asks, for
  every range, for each of its right labels on the scene at its middle;
- ``photo montage``: the photographs that installed packages ship
  (vidclip/encode/offline/photos.py), one 2 s shot each, each photo's own
  labels right and nothing else accepted (stricter: "kitten" for the cat
  counts as wrong).

Every wrong tag is listed, so the table can be checked by eye.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

import _common

LABELS = _common.BENCH_DIR / "data" / "shared_media_labels.yaml"
#: A scene and a labelled range count as overlapping beyond this (seconds).
MIN_OVERLAP_S = 0.1


def _ranges(entries: list[dict]) -> list[dict]:
    """Labelled ranges; a transition accepts what its neighbours accept and asks nothing."""
    out = []
    for i, e in enumerate(entries):
        ok = set(e.get("right", [])) | set(e.get("acceptable", []))
        if e.get("transition"):
            for j in (i - 1, i + 1):
                if 0 <= j < len(entries):
                    ok |= set(entries[j].get("right", [])) | set(entries[j].get("acceptable", []))
        out.append({"start": e["start"], "end": e["end"], "right": list(e.get("right", [])),
                    "ok": ok})
    return out


def judge(scenes: list[dict], ranges: list[dict]) -> dict:
    """Counts and wrong tags for one clip. ``scenes``: start_s, end_s, tags [(label, score)]."""
    right = wrong = 0
    wrong_tags = []
    for scene in scenes:
        ok = set()
        for r in ranges:
            if min(scene["end_s"], r["end"]) - max(scene["start_s"], r["start"]) > MIN_OVERLAP_S:
                ok |= r["ok"]
        for label, score in scene["tags"]:
            if label in ok:
                right += 1
            else:
                wrong += 1
                wrong_tags.append(f"{scene['start_s']:.1f}-{scene['end_s']:.1f}s {label} {score:.2f}")
    wanted = found = 0
    for r in ranges:
        mid = (r["start"] + r["end"]) / 2
        at = [s for s in scenes if s["start_s"] <= mid < s["end_s"]] or scenes[-1:]
        labels = {label for s in at for label, _ in s["tags"]}
        wanted += len(r["right"])
        found += len(set(r["right"]) & labels)
    return {"right": right, "wrong": wrong, "wanted": wanted, "found": found,
            "wrong_tags": wrong_tags}


def _analyse(path: Path, encoder) -> list[dict]:
    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions
    from vidclip.pipeline import Pipeline

    config = AnalysisConfig(model=ModelOptions(name="offline"),
                            sampling=SamplingOptions(strategy="fps", fps=2.0),
                            include_frames=False)
    analysis = Pipeline(config, encoder=encoder).analyze(path, caption=False)
    return [{"start_s": s.start_s, "end_s": s.end_s,
             "tags": [(t.label, t.score) for t in s.tags]} for s in analysis.scenes]


def child() -> dict:
    """Judge this process's vidclip (whichever is first on sys.path) on both sets."""
    import vidclip
    from vidclip.config import ModelOptions
    from vidclip.encode.offline import build_offline_encoder
    from vidclip.encode.offline.photos import available_photos, write_photo_montage

    encoder = build_offline_encoder(ModelOptions(name="offline"))
    out: dict = {"vidclip": str(Path(vidclip.__file__).parent), "real clips": {},
                 "photo montage": {}}
    if _common.SHARED_MEDIA.is_dir():
        for clip, entries in yaml.safe_load(LABELS.read_text()).items():
            scenes = _analyse(_common.SHARED_MEDIA / clip, encoder)
            out["real clips"][clip] = judge(scenes, _ranges(entries))
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "photos.mp4"
        shots = write_photo_montage(video, available_photos(), seconds_each=2.0)
        ranges = [{"start": s.start_s, "end": s.end_s, "right": list(s.photo.labels),
                   "ok": set(s.photo.labels)} for s in shots]
        out["photo montage"]["photos"] = judge(_analyse(video, encoder), ranges)
    return out


def _run_version(root: Path | None) -> dict:
    env = dict(os.environ)
    if root is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        subprocess.run([sys.executable, __file__, "--child", str(out)], env=env, check=True)
        return json.loads(out.read_text())


def _baseline_tree(rev: str, into: Path) -> Path:
    data = subprocess.run(["git", "archive", rev, "vidclip"], cwd=_common.REPO,
                          capture_output=True, check=True).stdout
    archive = into / "baseline.tar"
    archive.write_bytes(data)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def _totals(per_clip: dict) -> list:
    r = sum(c["right"] for c in per_clip.values())
    w = sum(c["wrong"] for c in per_clip.values())
    wanted = sum(c["wanted"] for c in per_clip.values())
    found = sum(c["found"] for c in per_clip.values())
    return [r + w, r, w, r / (r + w) if r + w else None, f"{found}/{wanted}",
            found / wanted if wanted else None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        Path(args.child).write_text(json.dumps(child(), default=sorted))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        results = {f"before ({args.baseline})": _run_version(_baseline_tree(args.baseline,
                                                                            Path(tmp))),
                   "after (this tree)": _run_version(None)}
    rows = []
    for version, res in results.items():
        for name in ("real clips", "photo montage"):
            if res[name]:
                rows.append([version, name, *_totals(res[name])])
    print(_common.table(["version", "set", "tags", "right", "wrong", "precision", "found/wanted",
                         "recall"], rows))
    for version, res in results.items():
        print(f"\nwrong tags, {version}:")
        for name in ("real clips", "photo montage"):
            for clip, c in res[name].items():
                for tag in c["wrong_tags"]:
                    print(f"  {clip}: {tag}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=sorted))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
