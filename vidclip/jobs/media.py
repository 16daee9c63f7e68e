"""Where a job's files live, and taking media in safely.

Layout (names are generated; a client's filename never reaches the disk)::

    <media_dir>/<job id>/source.<container>      uploaded or downloaded video
    <results_dir>/<job id>/result.json, .scenes.vtt ... what the worker wrote

Path submissions are read where they are, inside ``media_root`` only, and
are never deleted by a purge.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from vidclip.jobs.errors import PathRefusedError, TooLargeError
from vidclip.jobs.sniff import SNIFF_BYTES, require_video, sniff_file

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def job_media_dir(settings, job_id: str) -> Path:
    return settings.media_dir / job_id


def job_results_dir(settings, job_id: str) -> Path:
    return settings.results_dir / job_id


def display_name(filename: str | None) -> str | None:
    """A client's filename, fit to show (never to open): last component, no controls."""
    if not filename:
        return None
    name = PureWindowsPath(PurePosixPath(filename).name).name
    name = _UNSAFE.sub("", unicodedata.normalize("NFC", name)).strip()
    return name[:255] or None


class CappedFile:
    """Write chunks to ``<dir>/source.part``, refusing more than ``max_bytes``.

    The suffix comes from the sniffed container once the first bytes are in;
    :meth:`finish` renames the file into place and returns its path. On any
    failure :meth:`discard` removes what was written.
    """

    def __init__(self, directory: Path, max_bytes: int, *, what: str = "upload"):
        self.directory = directory
        self.max_bytes = max_bytes
        self.what = what
        self.size = 0
        self._head = b""
        directory.mkdir(parents=True, exist_ok=True)
        self._part = directory / "source.part"
        self._fh = open(self._part, "wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLargeError(
                f"the {self.what} is larger than the limit of {self.max_bytes} bytes.")
        if len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
        self._fh.write(chunk)

    def finish(self) -> Path:
        self._fh.close()
        kind = require_video(self._head)
        final = self.directory / f"source.{kind}"
        os.replace(self._part, final)
        return final

    def discard(self) -> None:
        self._fh.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def resolve_media_path(settings, value: str) -> Path:
    """A file named by a client, resolved (symlinks too) and inside ``media_root``."""
    root = settings.media_root
    if root is None:
        raise PathRefusedError("this service does not take file paths (VIDCLIP_MEDIA_ROOT is "
                               "unset); upload the file or give a URL.")
    root = root.resolve()
    candidate = Path(value)
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise PathRefusedError(f"no such file under the media root: {value!r}.") from None
    except (OSError, RuntimeError) as exc:  # symlink loops, permissions, too long
        raise PathRefusedError(f"the path {value!r} cannot be read ({exc}).") from None
    except ValueError:  # a NUL byte: no file system takes one
        raise PathRefusedError(f"the path {value!r} is not a valid path.") from None
    if not resolved.is_relative_to(root):
        raise PathRefusedError(f"the path {value!r} is outside the media root.")
    if not resolved.is_file():
        raise PathRefusedError(f"the path {value!r} is not a file.")
    sniff_file(resolved)
    return resolved


def purge_job_files(settings, job_id: str) -> None:
    """Remove what the service stored for a job (never files under media_root)."""
    for directory in (job_media_dir(settings, job_id), job_results_dir(settings, job_id)):
        shutil.rmtree(directory, ignore_errors=True)


_JOB_DIR = re.compile(r"^[0-9a-f]{32}$")


def sweep_orphan_uploads(settings, existing, older_than_s: float) -> list[str]:
    """Remove upload directories that no job owns and nothing wrote to for
    ``older_than_s``: an API process killed mid-upload leaves them. A live upload
    writes every moment, and a finished one becomes a job at once, so neither is
    touched. ``existing(ids)`` is the subset of ids the store knows."""
    media = settings.media_dir
    if not media.is_dir():
        return []
    cutoff = time.time() - older_than_s
    idle = []
    for directory in media.iterdir():
        if not _JOB_DIR.match(directory.name) or not directory.is_dir():
            continue
        try:
            newest = max([directory.stat().st_mtime]
                         + [f.stat().st_mtime for f in directory.iterdir()])
        except FileNotFoundError:  # removed meanwhile
            continue
        if newest < cutoff:
            idle.append(directory.name)
    orphans = sorted(set(idle) - set(existing(idle))) if idle else []
    for job_id in orphans:
        shutil.rmtree(media / job_id, ignore_errors=True)
    return orphans
