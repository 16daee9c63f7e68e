"""``run_batch``: every video of an archive, resumably, outcomes logged as they come.

A video is finished when its ``.json`` exists (written last, atomically),
so a re-run skips it. Every outcome is appended to ``batch-log.jsonl`` as it
happens -- a crash loses nothing -- and ``batch-summary.json`` is written at
the end.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from vidclip.batch.discover import output_stem
from vidclip.batch.items import Analyser, BatchReport, Item, analyse_item
from vidclip.batch.pool import AnalyserFactory, Task, run_pool
from vidclip.batch.shared import SharedBatch, run_shared


@dataclass(frozen=True)
class _Planned:
    position: int
    task: Task
    done: bool  # its JSON exists: skipped when resuming


def run_batch(
    videos: Iterable[Path],
    outdir: Path,
    analyse_one: Analyser | None = None,
    *,
    root: Path | None = None,
    formats: tuple[str, ...] = ("json",),
    resume: bool = True,
    on_item: Callable[[Item], None] | None = None,
    jobs: int = 1,
    make_analyser: AnalyserFactory | None = None,
    shared: SharedBatch | None = None,
) -> BatchReport:
    """Run ``analyse_one(video, out_dir, stem) -> written paths`` over every video.

    Failures mark their item failed and the run goes on (:func:`analyse_item`).
    With ``jobs > 1``, ``make_analyser`` (picklable) builds an analyser in
    each of ``jobs`` worker processes (:mod:`vidclip.batch.pool`); items are
    logged as they finish and reported in the order of ``videos``.
    With ``jobs == 1`` and ``shared``, the videos run in this process with
    their frames in shared encoder batches (:mod:`vidclip.batch.shared`),
    also logged as they finish.
    """
    if jobs > 1 and make_analyser is None:
        raise ValueError("jobs > 1 needs make_analyser (a picklable factory)")
    if analyse_one is None and make_analyser is None and shared is None:
        raise ValueError("run_batch needs analyse_one, make_analyser or shared")
    outdir.mkdir(parents=True, exist_ok=True)
    plan = []
    for position, video in enumerate(videos):
        target_dir, stem = output_stem(video, root, outdir)
        done = resume and "json" in formats and (target_dir / f"{stem}.json").is_file()
        plan.append(_Planned(position, (video, target_dir, stem), done))
    items: list[Item | None] = [None] * len(plan)
    with (outdir / "batch-log.jsonl").open("a", encoding="utf-8") as log:

        def record(position: int, item: Item) -> None:
            log.write(json.dumps(asdict(item)) + "\n")
            log.flush()
            items[position] = item
            if on_item is not None:
                on_item(item)

        for planned in plan:
            if planned.done:
                record(planned.position, Item(str(planned.task[0]), "skipped"))
        todo = [p for p in plan if not p.done]
        if jobs > 1 and len(todo) > 1 and make_analyser is not None:
            for i, item in run_pool([p.task for p in todo], make_analyser, jobs):
                record(todo[i].position, item)
        elif todo and shared is not None:
            for i, item in run_shared([p.task for p in todo], shared):
                record(todo[i].position, item)
        elif todo:
            analyse = analyse_one or make_analyser()  # type: ignore[misc]
            for planned in todo:
                started = time.perf_counter()
                item = analyse_item(analyse, *planned.task)
                item.seconds = round(time.perf_counter() - started, 3)
                record(planned.position, item)
    report = BatchReport(items=[item for item in items if item is not None])
    summary = outdir / "batch-summary.json"
    tmp = summary.with_suffix(".json.part")
    tmp.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    os.replace(tmp, summary)
    return report
