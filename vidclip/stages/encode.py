"""Stage 1, decode + encode: one video streamed into frame embeddings.

The decoder runs in a background thread (:class:`FrameProducer`, which also
feeds every decoded frame to the scene detector) and hands the sampled
frames through a bounded buffer to the caller's thread, where a
:class:`BatchEncoder` embeds them; neither ever holds the whole video.
Given a text reader, the same pass also hands the frames it looks at to a
:class:`~vidclip.ocr.watch.Watcher` reading in a third thread, when the
decoder can deliver them (:func:`vidclip.ocr.sampling.look_spec`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vidclip.config import SamplingOptions
from vidclip.context import AnalysisContext
from vidclip.control import CancelFn, Cancelled, ProgressFn
from vidclip.decode import open_video
from vidclip.decode.reader import VideoReader
from vidclip.decode.types import SamplingSpec
from vidclip.errors import DecodeError
from vidclip.ocr.base import TextReader
from vidclip.ocr.sampling import look_spec
from vidclip.ocr.watch import Watcher
from vidclip.prefetch import Prefetcher
from vidclip.schema import VideoInfo
from vidclip.segment import SceneDetector
from vidclip.segment.signals import GRID_CELLS
from vidclip.stream import BatchEncoder, DecodeStats, EncodedFrames, EncodeStats, FrameProducer
from vidclip.stream.thumbnails import ThumbnailKeeper, Thumbnails

#: Sampled frames waiting for the encoder, in encoder batches: the decoder
#: must be able to fill the next batch while the encoder runs the current
#: one (a bound of a few chunks made them take turns), and the bound keeps
#: memory flat for any video length.
QUEUE_BATCHES = 2
CHUNK_FRAMES = 32
#: Shorter side of the previews the cut detector sees for every frame: its
#: grid (one area-averaged pixel a cell). Only the sampled frames are
#: converted at the model's size; the boundaries are the same as at 224 px.
PREVIEW_SIDE = GRID_CELLS
#: Previews pay from this model input size on: below it, converting every
#: frame at the model's size costs less than PyAV's per-frame Python work
#: (decord's loop is C++), e.g. the 64-px test model on a small clip.
PREVIEW_MIN_INPUT = 4 * PREVIEW_SIDE


@dataclass(frozen=True)
class StreamPlan:
    """How a video is read for this context's encoder and sampling."""

    #: The cut detector sees small previews; only sampled frames are converted at full size.
    previews: bool
    #: A real model on the CPU, beside the decoder thread (see vidclip.stream.batch_encoder).
    shares_cpu: bool

    @classmethod
    def for_context(cls, ctx: AnalysisContext) -> "StreamPlan":
        encoder = ctx.encoder
        # With every frame sampled, previews would only be extra work.
        previews = (encoder.input_size >= PREVIEW_MIN_INPUT
                    and ctx.config.sampling.strategy != "all")
        return cls(previews, previews and encoder.info.device.startswith("cpu"))


@dataclass
class VideoStream:
    """One opened video: its reader, its scene detector and the producer joining them."""

    source: str
    plan: StreamPlan
    reader: VideoReader
    detector: SceneDetector
    producer: FrameProducer
    #: Reading the text on the looked-at frames while the pass goes on, or None.
    watcher: Watcher | None = None

    def close(self) -> None:
        self.reader.close()

    def drop_text(self) -> None:
        """The video failed: stop reading its text (safe to call twice)."""
        if self.watcher is not None:
            self.watcher.abort()


def sampling_spec(options: SamplingOptions) -> SamplingSpec:
    return SamplingSpec(options.strategy, options.fps, options.count, options.max_frames)


def open_stream(ctx: AnalysisContext, source: str,
                text_reader: TextReader | None = None) -> VideoStream:
    """Probe and open ``source`` (bad input fails here, before any frame is decoded).

    With ``text_reader``, the frames the text stage looks at come from this
    pass when the decoder can deliver them (``stream.watcher``); when it cannot
    (decord, torchcodec, no previews) the text stage reads them afterwards.
    """
    cfg = ctx.config
    plan = StreamPlan.for_context(ctx)
    reader = open_video(
        source,
        sampling=sampling_spec(cfg.sampling),
        short_side=ctx.encoder.input_size,
        chunk_size=CHUNK_FRAMES,
        backend=cfg.decoder,
        full_rate=cfg.sampling.strategy != "keyframes",
        preview_side=PREVIEW_SIDE if plan.previews else None,
        # A CPU model gets the other cores while the decoder runs.
        threads=1 if plan.shares_cpu else 0,
        # torchcodec decodes on the model's GPU, and auto prefers it there.
        device=ctx.encoder.info.device,
        looks=look_spec(cfg.text) if text_reader is not None else None,
    )
    detector = SceneDetector(cfg.scenes, fps_hint=reader.info.fps or None)
    keeper = ThumbnailKeeper() if cfg.thumbnails else None
    watcher = Watcher(text_reader) if text_reader is not None and reader.delivers_looks else None
    return VideoStream(source, plan, reader, detector,
                       FrameProducer(reader, detector, keeper, watcher), watcher)


@dataclass(frozen=True)
class StreamedVideo:
    """A video decoded to its end and its sampled frames embedded."""

    source: str
    #: As the decoder learnt it (exact count, fallback decoder, notes).
    info: VideoInfo
    frames: EncodedFrames
    #: Has seen every decoded frame; :meth:`SceneDetector.finish` is the next stage's.
    detector: SceneDetector
    decode: DecodeStats
    encode: EncodeStats
    #: Kept while decoding when the config asks for thumbnails.
    thumbnails: Thumbnails | None = None
    #: Reading the looked-at frames' text, when the pass delivered them.
    watcher: Watcher | None = None


def expected_samples(options: SamplingOptions, info: VideoInfo) -> int:
    """About how many frames sampling will pick (for progress only)."""
    if options.strategy == "fps":
        n = int(info.duration_s * options.fps) + 1
    elif options.strategy == "count":
        n = options.count
    else:
        n = max(info.frame_count, 1)
    return max(1, min(n, options.max_frames or n))


def encode_video(ctx: AnalysisContext, source: str, report: ProgressFn,
                 should_cancel: CancelFn, text_reader: TextReader | None = None,
                 busy_beside: Callable[[], bool] | None = None) -> StreamedVideo:
    """``busy_beside()`` says another stage (speech) is working beside this one:
    a CPU model then leaves it a core, as it does for the decoder."""
    stream = open_stream(ctx, source, text_reader)
    try:
        frames, encode_stats = _run(ctx, stream, report, should_cancel, busy_beside)
        info = stream.reader.info  # the decoder may have learnt more (exact count, fallback)
        if not len(frames):
            raise DecodeError(f"{source}: no frame could be decoded.")
    except BaseException:
        stream.drop_text()
        raise
    finally:
        stream.close()
    report("decode", 1.0)
    report("encode", 1.0)
    keeper = stream.producer.thumbnails
    return StreamedVideo(source, info, frames, stream.detector, stream.producer.stats,
                         encode_stats, keeper.result() if keeper else None, stream.watcher)


def _run(ctx: AnalysisContext, stream: VideoStream, report: ProgressFn,
         should_cancel: CancelFn, busy_beside: Callable[[], bool] | None = None
         ) -> tuple[EncodedFrames, EncodeStats]:
    encoder = ctx.encoder
    info = stream.reader.info
    total = max(info.frame_count, 1)
    expected = expected_samples(ctx.config.sampling, info)
    parts: list[EncodedFrames] = []
    with Prefetcher(stream.producer, depth=QUEUE_BATCHES * encoder.batch_size,
                    size=len) as queue:
        watcher = stream.watcher

        def others_busy() -> bool:
            return (not queue.producer_idle or (watcher is not None and watcher.busy)
                    or (busy_beside is not None and busy_beside()))

        batcher = BatchEncoder(encoder, shares_cpu=stream.plan.shares_cpu,
                               decoder_busy=others_busy)
        for batch in queue:
            if should_cancel():
                raise Cancelled(f"cancelled while analysing {stream.source}")
            batcher.add(batch)
            report("decode", min(1.0, stream.producer.stats.frames / total))
            if batcher.should_flush(queued=queue.queued):
                parts.append(batcher.flush())
                report("encode", min(1.0, batcher.stats.frames / expected))
        if batcher.pending:
            parts.append(batcher.flush())
    dim = parts[0].embeddings.shape[1] if parts else 0
    return EncodedFrames.concat(parts, dim), batcher.stats
