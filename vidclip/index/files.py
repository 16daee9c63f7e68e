"""The stored moment vectors of one analysed video: the index's source of truth.

``<stem>.moments.npz`` sits beside ``<stem>.json`` whenever indexing is
asked for. It holds each moment's vector, kind, scene and time range, and
the identity of the model that made them; everything else an index keeps
(source, tags, flags) is read from the result JSON. An index is derived from
these files and ``vidclip index --rebuild`` recreates it from them.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np

from vidclip.errors import SearchIndexError
from vidclip.index.identity import ModelIdentity
from vidclip.index.moments import Moments

SUFFIX = ".moments.npz"


def moments_path(result_json: Path) -> Path:
    return result_json.with_name(result_json.name.removesuffix(".json") + SUFFIX)


def result_path(moments_file: Path) -> Path:
    return moments_file.with_name(moments_file.name.removesuffix(SUFFIX) + ".json")


def moments_bytes(moments: Moments, identity: ModelIdentity) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, vectors=moments.vectors.astype(np.float32), kind=moments.kind,
             scene=moments.scene, start_s=moments.start_s, end_s=moments.end_s,
             model=np.array(identity.to_json()))
    return buffer.getvalue()


def save_moments(path: Path, moments: Moments, identity: ModelIdentity) -> Path:
    """Write aside, then rename: a half-written file is never taken for a whole one."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(moments_bytes(moments, identity))
    os.replace(tmp, path)
    return path


def parse_moments(data: bytes, what: str) -> tuple[Moments, ModelIdentity]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            moments = Moments(npz["vectors"].astype(np.float32), npz["kind"].astype(np.uint8),
                              npz["scene"].astype(np.int32), npz["start_s"].astype(np.float64),
                              npz["end_s"].astype(np.float64))
            identity = ModelIdentity.from_json(str(npz["model"]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise SearchIndexError(f"{what}: not a readable moments file ({exc}).") from None
    if moments.vectors.ndim != 2 or moments.vectors.shape[1] != identity.dim or not (
            len(moments.kind) == len(moments.scene) == len(moments.start_s)
            == len(moments.end_s) == len(moments.vectors)):
        raise SearchIndexError(f"{what}: the moments file's arrays do not agree.")
    return moments, identity


def load_moments(path: Path) -> tuple[Moments, ModelIdentity]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SearchIndexError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    return parse_moments(data, str(path))
