"""Stage 1 over many videos at once: several decoders filling shared encoder batches.

    decoder threads (``decoders`` of them): each opens its next video and runs
        its FrameProducer (the cut detector sees every frame), putting the
        sampled frames, tagged with their video, on one bounded feed
    caller's thread: one BatchEncoder takes frames from every video into
        common calls and hands each video its own rows back; a video whose
        last frame is embedded comes out at once as a StreamedVideo, while
        the other decoders go on

An archive of short clips handed one at a time gives the encoder a few frames
per call and leaves cores idle between files (open, probe, the decoder
thread's start, the other stages); here those gaps are filled by other
videos. Decoders are threads: decord and PyAV decode in C with the GIL
released, and a thread shares the one loaded model.

Each video is read exactly as :func:`~vidclip.stages.encode.encode_video`
reads it (same reader options, same cut detector), so its frames, times
and boundaries are the same; only the encoder calls mix videos. An
audio-only file (wav, mp3, m4a) has no picture to decode: it comes out at
once as the empty stream :meth:`~vidclip.pipeline.Pipeline.run` gives it
(:mod:`vidclip.stages.audio_only`), for the speech stage to hear. A video that
cannot be opened or fails part-way comes out as its error, alone, and its
frames still waiting are dropped. The feed bounds the frames held between
decoders and encoder whatever the number or length of the videos; a long
video holds one decoder, never the others.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from vidclip.context import AnalysisContext
from vidclip.errors import DecodeError
from vidclip.ocr.base import TextReader
from vidclip.stages.audio_only import audio_only, audio_stream
from vidclip.stages.encode import QUEUE_BATCHES, StreamedVideo, StreamPlan, VideoStream, open_stream
from vidclip.stream import BatchEncoder, EncodedFrames, EncodeStats

#: Decoder threads beside a model on the CPU: while one clip is opened,
#: probed or finished, the others keep frames coming (benchmarks/archive.py:
#: 3 did better than 2 in every run on a 2-core machine).
CPU_DECODERS = 3
#: Beside a GPU model, where decoding is the limit: more files in flight.
GPU_DECODERS = 4

K = TypeVar("K", bound=Hashable)
_DONE = object()
_EXIT = object()


def default_decoders(ctx: AnalysisContext) -> int:
    return CPU_DECODERS if ctx.encoder.info.device.startswith("cpu") else GPU_DECODERS


@dataclass(eq=False)
class _Video(Generic[K]):
    key: K
    source: str
    started: float = field(default_factory=time.perf_counter)
    stream: VideoStream | None = None
    parts: list[EncodedFrames] = field(default_factory=list)
    waiting: int = 0  # frames handed to the encoder, not yet embedded
    decoded: bool = False
    failed: bool = False
    handed: bool = False  # its StreamedVideo (and text watcher) went to the caller
    encode: EncodeStats = field(default_factory=EncodeStats)


class _Feed:
    """The bounded buffer every decoder thread puts into and the caller takes from."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self.cond = threading.Condition()
        self.items: deque = deque()
        self.held = 0  # frames in ``items``
        self.decoding = 0  # decoder threads inside a decoder call right now
        self.stop = False

    def put(self, video: _Video, item: object, n: int = 0) -> bool:
        with self.cond:
            if n:
                self.decoding -= 1  # waiting on a full feed is not decoding
            while not self.stop and n and self.held and self.held + n > self.limit:
                self.cond.wait()
            if n:
                self.decoding += 1
            if self.stop:
                return False
            self.items.append((video, item, n))
            self.held += n
            self.cond.notify_all()
            return True

    def take(self) -> tuple[_Video, object]:
        with self.cond:
            while not self.items:
                self.cond.wait()
            video, item, n = self.items.popleft()
            self.held -= n
            self.cond.notify_all()
            return video, item

    def set_decoding(self, delta: int) -> None:
        with self.cond:
            self.decoding += delta

    def close(self) -> None:
        with self.cond:
            self.stop = True
            self.items.clear()
            self.held = 0
            self.cond.notify_all()


class _Decoders:
    """``count`` threads, each taking the next source and decoding it to the feed."""

    def __init__(self, ctx: AnalysisContext, sources: Iterator[tuple[Hashable, str]],
                 feed: _Feed, count: int, text_reader: TextReader | None = None):
        self.ctx = ctx
        self.text_reader = text_reader
        self.sources = sources
        self.feed = feed
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, name=f"vidclip-decode-{i}",
                                         daemon=True) for i in range(max(1, count))]
        for thread in self.threads:
            thread.start()

    def _next(self) -> _Video | None:
        with self.lock:
            if self.feed.stop:
                return None
            try:
                key, source = next(self.sources)
            except StopIteration:
                return None
        return _Video(key, str(source))

    def _run(self) -> None:
        try:
            while (video := self._next()) is not None:
                self._decode(video)
        finally:
            self.feed.put(None, _EXIT)  # type: ignore[arg-type]

    def _decode(self, video: _Video) -> None:
        self.feed.set_decoding(+1)
        try:
            outcome: object = _DONE
            if audio_only(video.source):  # no picture: only the speech stage has work
                outcome = audio_stream(self.ctx, video.source)
            else:
                video.stream = open_stream(self.ctx, video.source, self.text_reader)
                for batch in video.stream.producer():
                    if not self.feed.put(video, batch, len(batch)):
                        video.stream.drop_text()
                        return
        except BaseException as exc:  # the video's own failure, handed to the caller
            outcome = exc
            if video.stream is not None:
                video.stream.drop_text()
        finally:
            self.feed.set_decoding(-1)
            if video.stream is not None:
                video.stream.close()
        self.feed.put(video, outcome)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=10)


def encode_many(ctx: AnalysisContext, sources: Iterable[tuple[K, str]],
                decoders: int = 0, text_reader: TextReader | None = None,
                busy_beside: Callable[[], bool] | None = None
                ) -> Iterator[tuple[K, StreamedVideo | BaseException]]:
    """Yield ``(key, StreamedVideo)`` for each source as soon as its last frame is
    embedded, or ``(key, error)`` for one that fails; in finishing order.

    ``decoders`` is the number of videos decoded at once (0: a default for
    the encoder's device); ``text_reader`` reads each one's looked-at frames
    during its pass, as in :func:`~vidclip.stages.encode.open_stream`;
    ``busy_beside()`` says another stage (speech) is working beside them. The
    caller may do each video's next stages
    between items: the decoders keep going meanwhile. Closing the generator
    early stops the decoders.
    """
    encoder = ctx.encoder
    plan = StreamPlan.for_context(ctx)
    count = decoders or default_decoders(ctx)
    feed = _Feed(QUEUE_BATCHES * encoder.batch_size)
    # Videos seen and not yet given back (their text watchers may be reading).
    live: dict[int, _Video] = {}

    def reading() -> bool:
        return any(v.stream is not None and v.stream.watcher is not None
                   and v.stream.watcher.busy for v in live.values())

    batcher = BatchEncoder(encoder, shares_cpu=plan.shares_cpu,
                           decoder_busy=lambda: feed.decoding > 0 or reading() or (
                               busy_beside is not None and busy_beside()))
    pool = _Decoders(ctx, iter(sources), feed, count, text_reader)
    running = len(pool.threads)
    try:
        while running or batcher.pending:
            if running:
                video, item = feed.take()
                if video is not None:
                    live.setdefault(id(video), video)
                final = item is _DONE or isinstance(item, (BaseException, StreamedVideo))
                if item is _EXIT:
                    running -= 1
                elif video.failed:
                    pass  # the model failed on its frames: the rest of it is not wanted
                elif isinstance(item, BaseException):
                    _fail(video)
                    batcher.discard(video)
                    yield video.key, item
                elif isinstance(item, StreamedVideo):  # an audio-only file: nothing to embed
                    yield video.key, item
                elif item is _DONE:
                    video.decoded = True
                    if not video.waiting:
                        yield video.key, _finished(video)
                else:
                    batcher.add(item, video)  # type: ignore[arg-type]
                    video.waiting += len(item)  # type: ignore[arg-type]
                if final and (video.failed or video.handed or not video.waiting):
                    live.pop(id(video), None)
            # No more frames can come: embed what is left, full or not.
            if batcher.should_flush(queued=feed.held) or (not running and batcher.pending):
                yield from _flush(batcher)
                for done in [v for v in live.values() if v.handed or v.failed]:
                    live.pop(id(done), None)
    finally:
        feed.close()
        pool.join()
        for video in live.values():  # closed early: nobody will wait for their text
            if not video.handed and video.stream is not None:
                video.stream.drop_text()


def _flush(batcher: BatchEncoder) -> Iterator[tuple[K, StreamedVideo | BaseException]]:
    calls, seconds, total = batcher.stats.calls, batcher.stats.seconds, batcher.pending
    waiting = [_owner(o) for o in batcher.owners()]
    try:
        parts = batcher.flush_parts()
    except Exception as exc:  # the model failed on this call: its videos fail, the rest go on
        for video in waiting:
            _fail(video)
            yield video.key, exc
        return
    calls, seconds = batcher.stats.calls - calls, batcher.stats.seconds - seconds
    owners: list[_Video] = []
    for owner, frames in parts:
        video = _owner(owner)
        video.parts.append(frames)
        video.waiting -= len(frames)
        # Each video is charged its share of the calls its frames were in.
        video.encode.frames += len(frames)
        video.encode.seconds += seconds * len(frames) / max(total, 1)
        if video not in owners:
            owners.append(video)
    for video in owners:
        video.encode.calls += calls
        if video.decoded and not video.waiting and not video.failed:
            yield video.key, _finished(video)


def _fail(video: _Video) -> None:
    video.failed = True
    if video.stream is not None:
        video.stream.drop_text()


def _owner(owner: Hashable) -> _Video:
    if not isinstance(owner, _Video):
        raise TypeError(f"frames of an unknown owner: {owner!r}")
    return owner


def _finished(video: _Video) -> StreamedVideo | BaseException:
    stream = video.stream
    if stream is None or not video.parts:
        if stream is not None:
            stream.drop_text()
        return DecodeError(f"{video.source}: no frame could be decoded.")
    keeper = stream.producer.thumbnails
    dim = video.parts[0].embeddings.shape[1]
    video.handed = True
    return StreamedVideo(video.source, stream.reader.info, EncodedFrames.concat(video.parts, dim),
                         stream.detector, stream.producer.stats, video.encode,
                         keeper.result() if keeper else None, stream.watcher)
