"""The videos of a batch run in one process, their frames in shared encoder batches.

Several videos are decoded at once and one loaded model embeds their
frames together (:meth:`vidclip.pipeline.Pipeline.run_many`); each video's
outputs are written as soon as it is done. The outcomes are those of
:func:`~vidclip.batch.items.analyse_item`: a video that fails is recorded
failed, alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vidclip.batch.items import Item, analyse_item

if TYPE_CHECKING:
    from vidclip.pipeline import Pipeline, RunOutput

#: (video, out_dir, stem) of one file to analyse.
Task = tuple[Path, Path, str]
#: ``write(run, out_dir, stem) -> written paths``
Writer = Callable[["RunOutput", Path, str], list[str]]


@dataclass(frozen=True)
class SharedBatch:
    """A set-up pipeline, how to write one video's outputs, and how many
    videos to decode at once (0: a default for the model's device)."""

    pipeline: Pipeline
    write: Writer
    decoders: int = 0


def run_shared(tasks: list[Task], shared: SharedBatch) -> Iterator[tuple[int, Item]]:
    """Analyse ``tasks``; yields ``(index in tasks, Item)`` as each video finishes."""
    sources = ((i, task[0]) for i, task in enumerate(tasks))
    for i, outcome in shared.pipeline.run_many(sources, decoders=shared.decoders):
        yield i, _item(tasks[i], outcome, shared.write)


def _item(task: Task, outcome: RunOutput | Exception, write: Writer) -> Item:
    def finish(video: Path, out: Path, stem: str) -> list[str]:
        if isinstance(outcome, Exception):
            raise outcome
        return write(outcome, out, stem)

    item = analyse_item(finish, *task)
    if not isinstance(outcome, Exception):
        item.seconds = outcome.analysis.timings.total_s
    return item
