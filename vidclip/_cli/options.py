"""Click options shared by ``analyze`` and ``batch``, built from
:class:`vidclip.config.AnalysisConfig`.

Most options set one field of the config: :data:`FIELD_OPTIONS` maps each
flag to its field's path (``--merge-gap`` -> ``tags.merge_gap_s``), and the
default, the help text and the type (choices included) come from the field
itself, so the CLI cannot drift from the library, the service's
``VIDCLIP_DEFAULT_OPTIONS`` or the docs. ``--help`` shows each path. A few
options are shortcuts that set several fields (``--frames N``: strategy
``count`` with ``count=N``) or are not analysis options at all (``--formats``,
``--outdir``, ``--quiet``).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from vidclip.config import OUTPUT_FORMATS, AnalysisConfig, deep_merge
from vidclip.cues.styles import CAPTION_STYLES, caption_style


@dataclass(frozen=True)
class FieldOption:
    flag: str
    path: str
    #: Environment variable read when the flag is not given.
    envvar: str | None = None


FIELD_OPTIONS = (
    FieldOption("--fps", "sampling.fps"),
    FieldOption("--max-frames", "sampling.max_frames"),
    FieldOption("--model", "model.name"),
    FieldOption("--pretrained", "model.pretrained"),
    FieldOption("--cache-dir", "model.cache_dir"),
    FieldOption("--device", "model.device"),
    FieldOption("--precision", "model.precision"),
    FieldOption("--batch-size", "model.batch_size"),
    FieldOption("--tune-malloc", "model.tune_malloc", envvar="VIDCLIP_TUNE_MALLOC"),
    FieldOption("--decoder", "decoder"),
    FieldOption("--vocabulary", "tags.vocabulary"),
    FieldOption("--templates", "tags.templates"),
    FieldOption("--threshold", "tags.threshold"),
    FieldOption("--top-k", "tags.top_k"),
    FieldOption("--merge-gap", "tags.merge_gap_s"),
    FieldOption("--min-scene", "scenes.min_scene_s"),
    FieldOption("--policy", "moderation.policy"),
    FieldOption("--captioner", "captions.backend"),
    FieldOption("--language", "captions.language"),
    FieldOption("--hedge-below", "captions.hedge_below"),
    FieldOption("--text", "text.backend"),
    FieldOption("--text-min-confidence", "text.min_confidence"),
    FieldOption("--speech", "speech.backend"),
    FieldOption("--speech-model", "speech.model"),
    FieldOption("--speech-language", "speech.language"),
    FieldOption("--audio-track", "speech.audio_track"),
)


def field_info(path: str) -> FieldInfo:
    """The pydantic field at ``path`` (``"tags.merge_gap_s"``) of AnalysisConfig."""
    model: type[BaseModel] = AnalysisConfig
    *parents, name = path.split(".")
    for part in parents:
        annotation = model.model_fields[part].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    return model.model_fields[name]


def _click_type(annotation: Any) -> Any:
    """click's type for a field's annotation (``X | None`` is X; a Literal is a Choice)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return _click_type(args[0])
    if typing.get_origin(annotation) is typing.Literal:
        return click.Choice([str(a) for a in args])
    return annotation


def _dest(option: FieldOption) -> str:
    return "field__" + option.path.replace(".", "__")


def _field_option(option: FieldOption) -> Callable:
    info = field_info(option.path)
    default = info.get_default(call_default_factory=True)
    help_text = f"{info.description or ''} [{option.path}]".strip()
    if info.annotation is bool:
        negative = option.flag.replace("--", "--no-", 1)
        return click.option(f"{option.flag}/{negative}", _dest(option), default=default,
                            show_default=True, envvar=option.envvar, help=help_text)
    return click.option(option.flag, _dest(option), type=_click_type(info.annotation),
                        default=default, show_default=default is not None,
                        envvar=option.envvar, help=help_text)


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


_SHORTCUTS = [
    click.option("-o", "--outdir", type=click.Path(file_okay=False), default="vidclip-out",
                 show_default=True, help="Directory for the outputs."),
    click.option("--formats", default="json,captions,vtt,srt,csv,descriptions,transcript,html",
                 show_default=True,
                 callback=_parse_formats, help=f"Comma list of {', '.join(OUTPUT_FORMATS)}."),
    click.option("--frames", "count", type=click.IntRange(min=1), default=None,
                 help="Tag N frames spread evenly instead of --fps [sampling.strategy=count]."),
    click.option("--all-frames", is_flag=True, help="Tag every frame [sampling.strategy=all]."),
    click.option("--keyframes", is_flag=True,
                 help="Tag key frames only, fast triage [sampling.strategy=keyframes]."),
    click.option("--labels", default=None,
                 help="Comma list of labels; replaces the vocabulary [tags.labels]."),
    click.option("--no-frames", is_flag=True,
                 help="Leave per-frame tags out of the JSON [include_frames=false]."),
    click.option("--no-moderation", is_flag=True, help="[moderation.enabled=false]"),
    click.option("--caption-option", "caption_options", multiple=True, callback=_parse_kv,
                 metavar="KEY=VALUE",
                 help="Caption backend setting, e.g. base_url=..., model=... [captions.options]."),
    click.option("--caption-style", type=click.Choice(list(CAPTION_STYLES)), default=None,
                 help="Caption reading speed: adult (20 characters a second) or children "
                 "(17) [timed_text.max_cps]."),
    click.option("-q", "--quiet", is_flag=True, help="No progress bars."),
]


def analysis_options(func):
    for option in reversed([*_SHORTCUTS, *map(_field_option, FIELD_OPTIONS)]):
        func = option(func)
    return functools.wraps(func)(func)


def _nested(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _nested(rest, value) if rest else value}


def config_from_options(o: dict) -> AnalysisConfig:
    values: dict[str, Any] = {}
    for option in FIELD_OPTIONS:
        values = deep_merge(values, _nested(option.path, o[_dest(option)]))
    strategy = "fps"
    if o["all_frames"]:
        strategy = "all"
    elif o["keyframes"]:
        strategy = "keyframes"
    elif o["count"]:
        strategy = "count"
        values = deep_merge(values, {"sampling": {"count": o["count"]}})
    if o.get("caption_style"):
        values = deep_merge(values, {"timed_text": caption_style(o["caption_style"])})
    return AnalysisConfig().with_overrides(deep_merge(values, {
        "sampling": {"strategy": strategy},
        "tags": {"labels": _split(o["labels"]) or None},
        "moderation": {"enabled": not o["no_moderation"]},
        "captions": {"options": o["caption_options"]},
        "include_frames": not o["no_frames"],
        "keep_embeddings": "npy" in o["formats"] or "moments" in o["formats"],
        "thumbnails": "thumbnails" in o["formats"],
    }))
