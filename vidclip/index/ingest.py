"""From analysed videos to an index: one result at a time, a results folder, or a rebuild.

What a moment's row says besides its vector comes from the result: the
scene's top tags and the moderation categories flagged in it (a window
inherits its scene's). A result file is indexed again only when its moments
file changed (its size and modification time are the video's ``stamp``),
so re-running ``vidclip index`` or a resumed ``vidclip batch --index``
costs nothing for what is already in. The video's words (transcript and
on-screen text, :mod:`vidclip.index.words`) are stamped by the result file
itself: a result whose words changed, or one indexed before words were,
gets its words (re)indexed without touching its vectors.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vidclip.errors import SearchIndexError, VidclipError
from vidclip.index.archive import MomentIndex, model_dirs
from vidclip.index.catalog import VideoRow
from vidclip.index.files import SUFFIX, load_moments, result_path
from vidclip.index.identity import ModelIdentity
from vidclip.index.moments import Moments
from vidclip.index.words import text_rows
from vidclip.schema import VideoAnalysis

log = logging.getLogger(__name__)

#: Tags kept per moment: what a hit shows and what ``--tag`` filters on.
TOP_TAGS = 5


def moment_metadata(analysis: VideoAnalysis, moments: Moments
                    ) -> tuple[list[list[dict]], list[list[str]]]:
    tags, flags = [], []
    for s in moments.scene:
        scene = analysis.scenes[int(s)] if 0 <= int(s) < len(analysis.scenes) else None
        tags.append([t.model_dump() for t in scene.tags[:TOP_TAGS]] if scene else [])
        flags.append([m.category for m in scene.moderation if m.flagged] if scene else [])
    return tags, flags


def add_analysis(index: MomentIndex, video: VideoRow, analysis: VideoAnalysis,
                 moments: Moments, words_version: str = "") -> int:
    tags, flags = moment_metadata(analysis, moments)
    return index.add(video, moments, tags, flags, text_rows(analysis), words_version)


def stamp_of(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


class Indexer:
    """Indexes result files into ``root``, one :class:`MomentIndex` per model, kept open."""

    def __init__(self, root: Path):
        self.root = root
        self._open: dict[ModelIdentity, MomentIndex] = {}

    def index_for(self, identity: ModelIdentity) -> MomentIndex:
        if identity not in self._open:
            self._open[identity] = MomentIndex(self.root, identity, create=True)
        return self._open[identity]

    def add_result(self, result_json: Path) -> int | None:
        """Index one result (its ``.moments.npz`` beside it); None when already indexed."""
        moments_file = result_json.with_name(result_json.name.removesuffix(".json") + SUFFIX)
        if not moments_file.is_file():
            raise SearchIndexError(f"{result_json}: no {SUFFIX} beside it (analyse with "
                                   "--index, or --formats json,moments, to keep the vectors).")
        key, stamp = str(moments_file.resolve()), stamp_of(moments_file)
        moments, identity = load_moments(moments_file)
        index = self.index_for(identity)
        words_version = stamp_of(result_json)
        vectors_in = index.has(key, stamp)
        if vectors_in and index.words_stamp(key) == words_version:
            return None
        try:
            analysis = VideoAnalysis.model_validate_json(result_json.read_bytes())
        except (OSError, ValueError) as exc:
            raise SearchIndexError(f"{result_json}: not a readable result ({exc}).") from None
        if vectors_in:
            index.set_words(key, text_rows(analysis), words_version)
            return 0
        video = VideoRow(key, analysis.video.source, stamp=stamp)
        return add_analysis(index, video, analysis, moments, words_version)

    def close(self) -> None:
        for index in self._open.values():
            index.close()
        self._open.clear()

    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class IndexReport:
    added: int = 0
    moments: int = 0
    unchanged: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)


def result_files(results_dir: Path) -> Iterator[Path]:
    for moments_file in sorted(results_dir.rglob(f"*{SUFFIX}")):
        yield result_path(moments_file)


def index_results(results_dir: Path, root: Path,
                  on_file: Callable[[Path, int | None, str | None], None] | None = None
                  ) -> IndexReport:
    """Index every result under ``results_dir`` that has stored moments."""
    if not results_dir.is_dir():
        raise SearchIndexError(f"{results_dir}: no such directory of results.")
    report = IndexReport()
    with Indexer(root) as indexer:
        for result in result_files(results_dir):
            try:
                added = indexer.add_result(result)
            except VidclipError as exc:
                report.failed.append((result, exc.message))
                if on_file:
                    on_file(result, None, exc.message)
                continue
            if added is None:
                report.unchanged += 1
            else:
                report.added += 1
                report.moments += added
            if on_file:
                on_file(result, added, None)
    return report


def rebuild(results_dir: Path, root: Path,
            on_file: Callable[[Path, int | None, str | None], None] | None = None
            ) -> IndexReport:
    """Recreate the index of every model found under ``results_dir`` from its moment files.

    Built beside the old one and swapped in (:func:`swap_in`): open readers
    move to the new one at their next search; indexes of models with no
    moment files here are left as they are.
    """
    root.mkdir(parents=True, exist_ok=True)
    fresh = root / f".rebuild-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        report = index_results(results_dir, fresh, on_file)
        for folder, _identity in model_dirs(fresh):
            swap_in(folder, root / folder.name)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return report


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux ``renameat2``); False where the
    system or its C library cannot."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def swap_in(new: Path, target: Path) -> None:
    """Put the directory ``new`` where ``target`` is, and remove the old one.

    One atomic exchange where the system has it, so ``target`` always names a
    whole index; else two renames, between which ``target`` is missing for a
    moment (readers wait for it: ``archive.SWAP_WAIT_S``).
    """
    if not target.exists():
        os.replace(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # the old index, under the new one's name
        return
    old = target.with_name(f".old-{target.name}-{os.getpid()}")
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
