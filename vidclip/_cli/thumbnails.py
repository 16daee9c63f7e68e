"""``vidclip search --thumbnails DIR``: one JPEG per hit.

A scene hit whose result kept its thumbnails (``--formats ...,thumbnails``)
copies that picture; any other hit decodes the frame in the middle of its
moment from the source video, when it is still where it was analysed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from vidclip.errors import VidclipError
from vidclip.index.files import SUFFIX

#: The long side of a decoded hit's picture.
PICTURE_SIDE = 320


def _name(rank: int, source: str, start_s: float) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(source).stem)[:60] or "video"
    return f"{rank:02d}-{stem}-{start_s:.1f}s.jpg"


def _kept(result_key: str, scene: int) -> Path | None:
    moments_file = Path(result_key)
    if not moments_file.name.endswith(SUFFIX):
        return None
    stem = moments_file.name.removesuffix(SUFFIX)
    picture = moments_file.with_name(f"{stem}.thumbnails") / f"{scene}.jpg"
    return picture if picture.is_file() else None


def write_hit_thumbnails(hits, outdir: Path) -> list[str]:
    """Writes the pictures; returns a note for each hit that got none."""
    from PIL import Image

    from vidclip.index.query import frame_at

    outdir.mkdir(parents=True, exist_ok=True)
    notes = []
    for rank, hit in enumerate(hits, 1):  # vidclip.index.hybrid.Found
        target = outdir / _name(rank, hit.video.source, hit.start_s)
        kept = _kept(hit.video.key, hit.scene) if hit.kind == "scene" else None
        if kept is not None:
            shutil.copyfile(kept, target)
            continue
        try:
            frame = frame_at(Path(hit.video.source), (hit.start_s + hit.end_s) / 2,
                             PICTURE_SIDE)
        except VidclipError as exc:
            notes.append(f"note: no thumbnail for hit {rank}: {exc.message}")
            continue
        picture = Image.fromarray(frame)
        picture.thumbnail((PICTURE_SIDE, PICTURE_SIDE))
        picture.save(target, "JPEG", quality=85)
    return notes
