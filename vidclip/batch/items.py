"""One video's outcome in a batch run, and the run's report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vidclip.errors import VidclipError

logger = logging.getLogger(__name__)

#: ``analyse(video, out_dir, stem) -> written paths``
Analyser = Callable[[Path, Path, str], list[str]]


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


def analyse_item(analyse: Analyser, video: Path, target_dir: Path, stem: str) -> Item:
    """Run ``analyse`` on one video; every outcome, expected or not, becomes an Item.

    Expected failures (:class:`VidclipError`) mark the item failed. An
    unexpected exception is a bug, but one odd file must not stop an archive
    run either: it is logged with its traceback and recorded as ``internal_error``.
    """
    try:
        return Item(str(video), "done", outputs=analyse(video, target_dir, stem))
    except VidclipError as exc:
        return Item(str(video), "failed", error_code=exc.code, error=exc.message)
    except Exception as exc:
        logger.exception("unexpected error on %s", video)
        return Item(str(video), "failed", error_code="internal_error",
                    error=f"{type(exc).__name__}: {exc}")
