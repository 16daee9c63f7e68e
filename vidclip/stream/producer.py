"""The decoder side of a stream: every decoded chunk to the cut detector, the
looked-at frames to the text reader, the sampled frames on to the encoder."""

from __future__ import annotations

import time
from collections.abc import Iterator

from vidclip.decode.reader import VideoReader
from vidclip.decode.types import FrameBatch, FrameObserver
from vidclip.stream.stats import DecodeStats
from vidclip.stream.thumbnails import ThumbnailKeeper


class FrameProducer:
    """Iterating runs one decoding pass over ``reader`` (in the prefetch thread).

    ``observer`` (the scene detector) sees every decoded frame in order; only
    batches with sampled frames are yielded, holding only those frames.
    ``thumbnails``, when given, is offered the sampled frames on the way;
    ``looker`` (the text stage's watcher) the looked-at frames, when the
    reader delivers them (``open_video(..., looks=...)``).
    """

    def __init__(self, reader: VideoReader, observer: FrameObserver,
                 thumbnails: ThumbnailKeeper | None = None,
                 looker: FrameObserver | None = None):
        self.reader = reader
        self.observer = observer
        self.thumbnails = thumbnails
        self.looker = looker
        self.stats = DecodeStats()

    def __call__(self) -> Iterator[FrameBatch]:
        chunks = iter(self.reader)
        while True:
            started = time.perf_counter()
            batch = next(chunks, None)
            if batch is None:
                return
            self.observer.observe(batch)
            if self.looker is not None:
                looks = batch.looks()
                if looks is not None and len(looks):
                    self.looker.observe(looks)
            self.stats.frames += len(batch)
            self.stats.seconds += time.perf_counter() - started
            sampled = batch.only_sampled()
            if len(sampled):
                if self.thumbnails is not None:
                    self.thumbnails.offer(sampled)
                yield sampled
