"""Find CLIP weights on disk before anything touches the network.

open_clip downloads a ``pretrained`` tag on first use. Offline that ends in
long retry loops and a stack trace, so we resolve the tag ourselves: the
local cache first, then (only when the hub is reachable) a download, and
otherwise one sentence that says which weights are missing and how to
provide them.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from vidclip.errors import ModelError, WeightsMissingError

_HUB_HOST = "huggingface.co"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ResolvedWeights:
    checkpoint: str | None  # a local file, or None for "local-dir:"/"hf-hub:" names
    tag_cfg: dict  # open_clip's pretrained config for a tag ({} for files)


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def _hub_reachable(host: str = _HUB_HOST, timeout_s: float = 2.0) -> bool:
    # One short TCP probe instead of huggingface_hub's retries with long timeouts.
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def _missing(model_name: str, tag: str, where: str, why: str) -> WeightsMissingError:
    return WeightsMissingError(
        f"CLIP weights for {model_name} '{tag}' are not on this machine ({where}) and {why}: "
        f"run once with network access to cache them, or pass a local checkpoint with "
        f"--pretrained /path/to/open_clip_model.safetensors (or --cache-dir DIR holding them)."
    )


def resolve(model_name: str, pretrained: str | None, cache_dir: str | None, *,
            download: bool = True) -> ResolvedWeights:
    """Turn ``pretrained`` (tag, file or None) into a local checkpoint path.

    With ``download=False`` a tag that is not cached raises
    :class:`WeightsMissingError` at once, without touching the network.
    """
    from vidclip.encode.open_clip_import import import_open_clip

    open_clip = import_open_clip()

    if model_name.startswith(("local-dir:", "hf-hub:")):
        if model_name.startswith("local-dir:") and not Path(model_name[10:]).is_dir():
            raise ModelError(f"model directory {model_name[10:]!r} does not exist.")
        return ResolvedWeights(None, {})
    if model_name not in open_clip.list_models():
        raise ModelError(
            f"unknown open_clip model {model_name!r}; see `python -c \"import open_clip; "
            f"print(open_clip.list_models())\"` for the names it knows."
        )
    if not pretrained:
        return ResolvedWeights(None, {})
    if Path(pretrained).expanduser().is_file():
        return ResolvedWeights(str(Path(pretrained).expanduser()), {})
    tag_cfg = open_clip.get_pretrained_cfg(model_name, pretrained)
    if not tag_cfg:
        looks_like_path = os.sep in pretrained or pretrained.endswith(
            (".pt", ".bin", ".safetensors"))
        if looks_like_path:
            raise WeightsMissingError(f"checkpoint file {pretrained!r} does not exist.")
        tags = ", ".join(open_clip.list_pretrained_tags_by_model(model_name)) or "none"
        raise ModelError(
            f"{pretrained!r} is neither a checkpoint file nor a pretrained tag of {model_name} "
            f"(known tags: {tags})."
        )
    hub_id = tag_cfg.get("hf_hub", "")
    if hub_id:
        return ResolvedWeights(_from_hub(model_name, pretrained, hub_id, cache_dir, download),
                               tag_cfg)
    return ResolvedWeights(_from_url(model_name, pretrained, tag_cfg["url"], cache_dir, download),
                           tag_cfg)


def hub_cache_root(cache_dir: str | None = None) -> Path:
    """The Hugging Face hub cache ``hf_hub_download`` reads (its own rules, without
    importing huggingface_hub: that import alone costs a noticeable part of set-up)."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(name):
            return Path(os.environ[name]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(xdg) / "huggingface" / "hub"


def cached_hub_file(hub_id: str, cache_dir: str | None = None) -> str | None:
    """The cached checkpoint of an open_clip ``hf_hub`` entry (``org/repo/[file]``), or
    None: the file names and the ``refs/main`` snapshot :func:`_from_hub` would find."""
    repo_id, filename = os.path.split(hub_id)  # as _from_hub splits it
    repo = hub_cache_root(cache_dir) / ("models--" + repo_id.replace("/", "--"))
    try:
        revision = (repo / "refs" / "main").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    for name in _hub_candidates(filename or "open_clip_pytorch_model.bin"):
        path = repo / "snapshots" / revision / name
        if path.is_file():
            return str(path)
    return None


def hub_unavailable(host: str = _HUB_HOST) -> str | None:
    """Why weights cannot be downloaded now, or None when they can be."""
    if hub_offline():
        return "HF_HUB_OFFLINE is set"
    if not _hub_reachable(host):
        return f"{host} cannot be reached"
    return None


def _hub_candidates(filename: str) -> list[str]:
    if filename == "open_clip_pytorch_model.bin":
        return ["open_clip_model.safetensors", filename]
    if filename.endswith((".bin", ".pth")):
        return [filename[:-4] + ".safetensors", filename]
    return [filename]


def _from_hub(model_name: str, tag: str, hub_id: str, cache_dir: str | None,
              download: bool) -> str:
    from huggingface_hub import hf_hub_download

    repo_id, filename = os.path.split(hub_id)
    candidates = _hub_candidates(filename or "open_clip_pytorch_model.bin")
    for name in candidates:
        try:
            return hf_hub_download(repo_id, name, cache_dir=cache_dir, local_files_only=True)
        except Exception:  # not cached under this name
            continue
    where = f"Hugging Face cache{' ' + cache_dir if cache_dir else ''}, repo {repo_id}"
    if not download:
        raise _missing(model_name, tag, where, "were not to be downloaded")
    why = hub_unavailable()
    if why:
        raise _missing(model_name, tag, where, why)
    last_error: Exception | None = None
    for name in candidates:
        try:
            return hf_hub_download(repo_id, name, cache_dir=cache_dir)
        except Exception as exc:  # try the next file name
            last_error = exc
    raise WeightsMissingError(
        f"downloading CLIP weights {model_name} '{tag}' from {repo_id} failed ({last_error}); "
        f"pass a local checkpoint with --pretrained FILE."
    )


def _from_url(model_name: str, tag: str, url: str, cache_dir: str | None,
              download: bool) -> str:
    from open_clip.pretrained import download_pretrained_from_url

    root = Path(cache_dir or os.path.expanduser("~/.cache/clip"))
    target = root / os.path.basename(url)
    if target.is_file():
        return str(target)
    host = urlparse(url).hostname or _HUB_HOST
    if not download:
        raise _missing(model_name, tag, str(target), "were not to be downloaded")
    if hub_unavailable(host):
        raise _missing(model_name, tag, str(target), "there is no network access")
    try:
        return download_pretrained_from_url(url, cache_dir=str(root))
    except Exception as exc:
        raise WeightsMissingError(
            f"downloading CLIP weights {model_name} '{tag}' failed ({exc}); "
            f"pass a local checkpoint with --pretrained FILE."
        ) from exc
