"""Tag a media archive: resumable, skips bad files, reports at the end.

Outputs mirror the archive's folder layout under ``outdir`` so two
``intro.mp4`` in different folders never collide. A video is finished when
its ``.json`` exists (written last, atomically), so a re-run skips it. Every
outcome is appended to ``batch-log.jsonl`` as it happens -- a crash loses
nothing -- and ``batch-summary.json`` is written at the end.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vidclip.errors import VidclipError

logger = logging.getLogger(__name__)

VIDEO_SUFFIXES = {
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".wmv", ".flv", ".mpg", ".mpeg",
    ".ts", ".mts", ".m2ts", ".3gp", ".ogv", ".mxf", ".vob",
}


@dataclass
class Item:
    source: str
    status: str  # done | skipped | failed
    outputs: list[str] = field(default_factory=list)
    error_code: str | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class BatchReport:
    items: list[Item] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def failed(self) -> list[Item]:
        return [i for i in self.items if i.status == "failed"]

    def as_dict(self) -> dict:
        return {
            "done": self.count("done"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "items": [asdict(i) for i in self.items],
        }


def discover(target: str | Path) -> tuple[list[Path], Path | None]:
    """Videos under a directory (recursively, sorted), or listed in a text file.

    Returns the paths and the root their output paths are made relative to.
    """
    target = Path(target)
    if target.is_dir():
        found = sorted(
            p for p in target.rglob("*")
            if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file() and not p.name.startswith(".")
        )
        return found, target
    if target.is_file():
        lines = target.read_text(encoding="utf-8").splitlines()
        paths = [Path(line.strip()) for line in lines if line.strip() and not line.startswith("#")]
        return paths, None
    raise VidclipError(f"{target}: no such directory or list file.", code="not_found")


def output_stem(video: Path, root: Path | None, outdir: Path) -> tuple[Path, str]:
    """Where a video's outputs go: (directory, file stem)."""
    if root is not None:
        try:
            rel = video.resolve().relative_to(root.resolve())
            return outdir / rel.parent, rel.stem
        except ValueError:
            pass
    return outdir, video.stem


def run_batch(
    videos: Iterable[Path],
    outdir: Path,
    analyse_one: Callable[[Path, Path, str], list[str]] | None = None,
    *,
    root: Path | None = None,
    formats: tuple[str, ...] = ("json",),
    resume: bool = True,
    on_item: Callable[[Item], None] | None = None,
    jobs: int = 1,
    make_analyser: Callable[[], Callable[[Path, Path, str], list[str]]] | None = None,
) -> BatchReport:
    """Run ``analyse_one(video, out_dir, stem) -> written paths`` over every video.

    Expected failures (:class:`VidclipError`) mark the item failed and the run
    goes on. An unexpected exception is a bug, but one odd file must not stop
    an archive run either: it is logged with its traceback, recorded as
    ``internal_error`` and the run goes on.

    With ``jobs > 1``, ``make_analyser`` (picklable) builds an analyser in
    each of ``jobs`` worker processes (:mod:`vidclip.batch_pool`); items are
    logged as they finish and reported in the order of ``videos``.
    """
    if jobs > 1 and make_analyser is None:
        raise ValueError("jobs > 1 needs make_analyser (a picklable factory)")
    if analyse_one is None and make_analyser is None:
        raise ValueError("run_batch needs analyse_one or make_analyser")
    outdir.mkdir(parents=True, exist_ok=True)
    plan: list[tuple[Path, Path, str, bool]] = []
    for video in videos:
        target_dir, stem = output_stem(video, root, outdir)
        done = resume and "json" in formats and (target_dir / f"{stem}.json").is_file()
        plan.append((video, target_dir, stem, done))
    items: list[Item | None] = [None] * len(plan)
    with (outdir / "batch-log.jsonl").open("a", encoding="utf-8") as log:

        def record(position: int, item: Item) -> None:
            log.write(json.dumps(asdict(item)) + "\n")
            log.flush()
            items[position] = item
            if on_item is not None:
                on_item(item)

        for position, (video, _, _, done) in enumerate(plan):
            if done:
                record(position, Item(str(video), "skipped"))
        todo = [(position, video, target_dir, stem)
                for position, (video, target_dir, stem, done) in enumerate(plan) if not done]
        if jobs > 1 and len(todo) > 1:
            from vidclip.batch_pool import run_pool

            tasks = [(video, target_dir, stem) for _, video, target_dir, stem in todo]
            for i, status, outputs, code, error, seconds in run_pool(tasks, make_analyser, jobs):
                item = Item(str(tasks[i][0]), status, outputs=outputs, error_code=code,
                            error=error, seconds=seconds)
                record(todo[i][0], item)
        elif todo:
            analyse_one = analyse_one or make_analyser()
            for position, video, target_dir, stem in todo:
                started = time.perf_counter()
                item = analyse_item(analyse_one, video, target_dir, stem)
                item.seconds = round(time.perf_counter() - started, 3)
                record(position, item)
    report = BatchReport(items=[item for item in items if item is not None])
    summary = outdir / "batch-summary.json"
    tmp = summary.with_suffix(".json.part")
    tmp.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    os.replace(tmp, summary)
    return report


def analyse_item(analyse_one, video: Path, target_dir: Path, stem: str) -> Item:
    """Run ``analyse_one`` on one video; every outcome, expected or not, becomes an Item."""
    try:
        return Item(str(video), "done", outputs=analyse_one(video, target_dir, stem))
    except VidclipError as exc:
        return Item(str(video), "failed", error_code=exc.code, error=exc.message)
    except Exception as exc:
        logger.exception("unexpected error on %s", video)
        return Item(str(video), "failed", error_code="internal_error",
                    error=f"{type(exc).__name__}: {exc}")
