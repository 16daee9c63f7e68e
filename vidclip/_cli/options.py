"""Click options shared by ``analyze`` and ``batch``, and their mapping onto
:class:`vidclip.config.AnalysisConfig`. The option names match the settings'
field names so the CLI, the README and ``VIDCLIP_`` variables agree."""

from __future__ import annotations

import functools

import click

from vidclip.config import DEFAULT_MODEL, DEFAULT_PRETRAINED, OUTPUT_FORMATS, AnalysisConfig


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _parse_formats(ctx, param, value: str) -> tuple[str, ...]:
    formats = tuple(_split(value))
    unknown = [f for f in formats if f not in OUTPUT_FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"choose from {', '.join(OUTPUT_FORMATS)}")
    return formats


def _parse_kv(ctx, param, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}")
        out[key.strip()] = val.strip()
    return out


_OPTIONS = [
    click.option("-o", "--outdir", type=click.Path(file_okay=False), default="vidclip-out",
                 show_default=True, help="Directory for the outputs."),
    click.option("--formats", default="json,vtt,srt,csv,descriptions", show_default=True,
                 callback=_parse_formats, help=f"Comma list of {', '.join(OUTPUT_FORMATS)}."),
    # sampling
    click.option("--fps", type=float, default=1.0, show_default=True,
                 help="Frames per second to tag."),
    click.option("--frames", "count", type=int, default=None,
                 help="Tag N frames spread evenly instead of --fps."),
    click.option("--all-frames", is_flag=True, help="Tag every frame."),
    click.option("--keyframes", is_flag=True, help="Tag key frames only (fast triage)."),
    click.option("--max-frames", type=int, default=None, help="Cap on tagged frames."),
    # model
    click.option("--model", default=DEFAULT_MODEL, show_default=True,
                 help="open_clip model name, or 'offline' for the pip-installable encoder."),
    click.option("--pretrained", default=DEFAULT_PRETRAINED, show_default=True,
                 help="open_clip pretrained tag or a local checkpoint file."),
    click.option("--cache-dir", default=None, help="Directory holding / receiving weights."),
    click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:1..."),
    click.option("--precision", type=click.Choice(["auto", "fp32", "fp16", "bf16"]),
                 default="auto", show_default=True,
                 help="Image-tower precision. auto: fp16 on a GPU, bf16 on CPUs that run it "
                 "natively (AVX512-BF16/AMX), else fp32. fp32 gives the same scores everywhere."),
    click.option("--batch-size", type=int, default=32, show_default=True,
                 help="Frames per encoder call."),
    click.option("--decoder", type=click.Choice(["auto", "decord", "pyav"]), default="auto",
                 show_default=True),
    # tags
    click.option("--vocabulary", default="default", show_default=True,
                 help="Bundled vocabulary, a .txt file (one label a line) or a directory."),
    click.option("--labels", default=None, help="Comma list of labels (replaces the vocabulary)."),
    click.option("--templates", default="default", show_default=True,
                 help="Prompt templates: bundled set (default, single) or a file."),
    click.option("--threshold", type=float, default=0.5, show_default=True,
                 help="Calibrated tag score to report (0..1)."),
    click.option("--top-k", type=int, default=10, show_default=True, help="Tags per scene/frame."),
    click.option("--merge-gap", type=float, default=1.0, show_default=True,
                 help="Merge a tag's segments at most this many seconds apart (0: never)."),
    click.option("--min-scene", type=float, default=0.6, show_default=True,
                 help="Shortest scene, seconds."),
    click.option("--no-frames", is_flag=True, help="Leave per-frame tags out of the JSON."),
    # moderation and captions
    click.option("--policy", default="default", show_default=True,
                 help="Moderation policy: bundled name or a YAML file."),
    click.option("--no-moderation", is_flag=True),
    click.option("--captioner", default="template", show_default=True,
                 help="template, openai or transformers."),
    click.option("--language", default="en", show_default=True, help="Caption language."),
    click.option("--hedge-below", type=click.FloatRange(0, 1), default=0.7, show_default=True,
                 help="Captions phrase tags scored below this with a hedge ('appears to be')."),
    click.option("--caption-option", "caption_options", multiple=True, callback=_parse_kv,
                 metavar="KEY=VALUE", help="Backend setting, e.g. base_url=..., model=..."),
    click.option("-q", "--quiet", is_flag=True, help="No progress bars."),
]


def analysis_options(func):
    for option in reversed(_OPTIONS):
        func = option(func)
    return functools.wraps(func)(func)


def config_from_options(o: dict) -> AnalysisConfig:
    strategy = "fps"
    if o["all_frames"]:
        strategy = "all"
    elif o["keyframes"]:
        strategy = "keyframes"
    elif o["count"]:
        strategy = "count"
    return AnalysisConfig.model_validate({
        "sampling": {"strategy": strategy, "fps": o["fps"], "count": o["count"] or 16,
                     "max_frames": o["max_frames"]},
        "model": {"name": o["model"], "pretrained": o["pretrained"] or None,
                  "cache_dir": o["cache_dir"], "device": o["device"],
                  "precision": o["precision"], "batch_size": o["batch_size"]},
        "scenes": {"min_scene_s": o["min_scene"]},
        "tags": {"vocabulary": o["vocabulary"], "labels": _split(o["labels"]) or None,
                 "templates": o["templates"], "threshold": o["threshold"], "top_k": o["top_k"],
                 "merge_gap_s": o["merge_gap"]},
        "moderation": {"enabled": not o["no_moderation"], "policy": o["policy"]},
        "captions": {"backend": o["captioner"], "language": o["language"],
                     "hedge_below": o["hedge_below"], "options": o["caption_options"]},
        "decoder": o["decoder"],
        "include_frames": not o["no_frames"],
        "keep_embeddings": "npy" in o["formats"],
    })
