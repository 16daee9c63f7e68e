"""Pipeline(config)(source) -> VideoAnalysis: the core, free of any distributor.

The CLI, the batch runner, the tests and the Celery workers are distributors
over this class. :meth:`Pipeline.setup` builds the heavy, reusable state
once -- the loaded encoder, the embedded vocabulary, anchor and policy -- as
a frozen :class:`~vidclip.context.AnalysisContext`; :meth:`Pipeline.run`
is then the list of stages (:mod:`vidclip.stages`) over one video.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from vidclip.caption.base import Captioner
from vidclip.config import AnalysisConfig, default_cache_dir
from vidclip.context import (
    AnalysisContext,
    CaptionContext,
    prepare_analysis,
    prepare_captions,
    read_vocabulary,
)
from vidclip.control import CancelFn, Cancelled, ProgressFn, never_cancel, no_progress
from vidclip.encode import ModelChoice, build_chosen, choose_model
from vidclip.encode.base import Encoder
from vidclip.index.moments import Moments, compute_moments
from vidclip.ocr.subtitles import mark_subtitles
from vidclip.schema import Timings, VideoAnalysis
from vidclip.stages.assemble import assemble
from vidclip.stages.audio_only import SKIPPED, audio_only, audio_stream
from vidclip.stages.captions import caption_analysis
from vidclip.stages.encode import StreamedVideo, encode_video
from vidclip.stages.encode_many import encode_many
from vidclip.stages.moderation import moderate_video
from vidclip.stages.scenes import segment_video
from vidclip.stages.speech import SpeechJob, start_speech
from vidclip.stages.tags import tag_video
from vidclip.stages.text import read_text, reader_info
from vidclip.stages.thumbnails import SceneThumbnails, scene_thumbnails
from vidclip.stages.timed_text import lay_out_captions
from vidclip.stages.words import moderate_said_and_written
from vidclip.stream import DecodeStats, EncodedFrames, EncodeStats
from vidclip.vocabulary import EmbedProgressFn, Vocabulary

K = TypeVar("K", bound=Hashable)


@dataclass
class RunOutput:
    """The analysis plus what does not belong in JSON: the frame embeddings and
    the streaming stage's counters (what a worker reports as metrics)."""

    analysis: VideoAnalysis
    frames: EncodedFrames
    #: One JPEG per scene, when the config asks for thumbnails.
    thumbnails: SceneThumbnails | None = None
    decode: DecodeStats = field(default_factory=DecodeStats)
    encode: EncodeStats = field(default_factory=EncodeStats)

    @property
    def embeddings(self) -> np.ndarray:
        return self.frames.embeddings

    @property
    def times_s(self) -> np.ndarray:
        return self.frames.times_s

    @property
    def indices(self) -> np.ndarray:
        return self.frames.indices

    def moments(self) -> Moments:
        """The searchable moments (vidclip.index): a vector per scene and per window."""
        return compute_moments(self.analysis, self.embeddings, self.times_s, self.indices)


class _Clock:
    """Seconds per stage, rounded as the result reports them."""

    def __init__(self, start: float | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self._first = self._started = time.perf_counter() if start is None else start

    def lap(self, name: str) -> float:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._started, 3)
        self._started = now
        return self.seconds[name]

    def total(self) -> float:
        return round(time.perf_counter() - self._first, 3)


class Pipeline:
    """Loads its models once (:meth:`setup`) and analyses any number of videos.

    ``cache_dir`` holds the text-embedding cache (default: ``$VIDCLIP_CACHE_DIR``
    or ``~/.cache/vidclip``). ``encoder`` and ``captioner`` may be passed in to
    share them between pipelines (a worker keeps one model for every job), and
    so may ``recognizer`` and ``reader``: choices already made (and loaded) for
    ``config.speech`` and ``config.text`` (a worker makes them when it starts).
    """

    def __init__(
        self,
        config: AnalysisConfig | None = None,
        *,
        encoder: Encoder | None = None,
        captioner: Captioner | None = None,
        cache_dir: Path | None = None,
        recognizer=None,
        reader=None,
    ):
        self.config = config or AnalysisConfig()
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        #: What ``model.name`` (``auto`` among others) resolved to; None for a given encoder.
        self.model_choice: ModelChoice | None = None
        if encoder is None:
            self.model_choice = choose_model(self.config.model)
            encoder = build_chosen(self.model_choice, cache_dir=self.cache_dir)
        self.encoder = encoder
        self._captioner = captioner
        self._lock = threading.Lock()
        self._vocabulary: Vocabulary | None = None
        self._analysis: AnalysisContext | None = None
        self._captions: CaptionContext | None = None
        self._reader_choice = reader
        self._recognizer_choice = recognizer
        # What this pipeline built itself (a per-job speech model, its decoder
        # processes) is closed when it is dropped, closed or not: a worker's cache
        # drops pipelines while a job may still hold one.
        self._owned: list = []
        weakref.finalize(self, _close_owned, self._owned)

    # -- heavy state, built once -------------------------------------------------
    def setup(self, progress: EmbedProgressFn | None = None) -> AnalysisContext:
        """Load the model and embed vocabulary, anchor and policy; idempotent.

        ``progress(done, total)`` follows a first run's embedding of the
        vocabulary (a tqdm bar on a terminal shows it anyway).
        """
        with self._lock:
            if self._analysis is None:
                self._analysis = prepare_analysis(self.config, self.encoder, self.cache_dir,
                                                  self._read_vocabulary(), progress)
            return self._analysis

    def caption_context(self) -> CaptionContext:
        """The caption backend, set up once; never loads the image model."""
        with self._lock:
            if self._captions is None:
                captioner = self._captioner
                if captioner is None:
                    captioner = self._captioner = build_captioner(self.config)
                    self._owned.append(captioner)
                self._captions = prepare_captions(self.config, captioner,
                                                  self._read_vocabulary())
            return self._captions

    def text_reader(self):
        """The on-screen text reader (:mod:`vidclip.ocr.choose`), loaded once."""
        with self._lock:
            if self._reader_choice is None:
                from vidclip.ocr.choose import choose_reader

                self._reader_choice = choose_reader(self.config.text)
                self._owned.append(self._reader_choice.reader)
            return self._reader_choice

    def recognizer(self):
        """The speech recogniser (:mod:`vidclip.speech.choose`), loaded once."""
        with self._lock:
            if self._recognizer_choice is None:
                from vidclip.speech.choose import choose_recognizer

                self._recognizer_choice = choose_recognizer(self.config.speech)
                self._owned.append(self._recognizer_choice.recognizer)
            return self._recognizer_choice

    def _start_speech(self, source: str) -> SpeechJob | None:
        return start_speech(source, self.config.speech, self.recognizer)

    def _read_vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = read_vocabulary(self.config)
        return self._vocabulary

    @property
    def vocabulary(self) -> Vocabulary:
        with self._lock:
            return self._read_vocabulary()

    def close(self) -> None:
        if self._recognizer_choice is not None and self._recognizer_choice.recognizer:
            self._recognizer_choice.recognizer.close()
        if self._reader_choice is not None and self._reader_choice.reader is not None:
            self._reader_choice.reader.close()
        if self._captioner is not None:
            self._captioner.close()
        self._owned.clear()  # closed just now
        self.encoder.close()

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one video -----------------------------------------------------------------
    def __call__(self, source: str | Path) -> VideoAnalysis:
        return self.analyze(source)

    def analyze(
        self,
        source: str | Path,
        *,
        progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
        caption: bool = True,
    ) -> VideoAnalysis:
        """Decode, encode, segment, tag, moderate and (unless ``caption=False``) caption."""
        return self.run(source, progress=progress, should_cancel=should_cancel,
                        caption=caption).analysis

    def run(
        self,
        source: str | Path,
        *,
        progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
        caption: bool = True,
    ) -> RunOutput:
        report = progress or no_progress
        ctx = self.setup()
        clock = _Clock()
        speech = self._start_speech(str(source))
        if audio_only(str(source)):
            streamed = audio_stream(ctx, str(source))
        else:
            streamed = encode_video(ctx, str(source), report, should_cancel or never_cancel,
                                    self.text_reader().reader,
                                    (lambda: speech.busy) if speech is not None else None)
        clock.lap("decode+encode")
        return self._finish(ctx, streamed, clock, report, caption, speech)

    def run_many(
        self,
        sources: Iterable[tuple[K, str | Path]],
        *,
        decoders: int = 0,
        caption: bool = True,
    ) -> Iterator[tuple[K, RunOutput | Exception]]:
        """Analyse many videos with their frames in shared encoder batches.

        Yields ``(key, RunOutput)`` per source as soon as that video is done,
        or ``(key, error)`` for one that fails (alone: the others go on); in
        finishing order. ``decoders`` videos are decoded at once (0: a default
        for the model's device; :mod:`vidclip.stages.encode_many`). Each result
        is what :meth:`run` gives for that video, an audio-only file's included
        (no picture, its transcript and captions).
        """
        ctx = self.setup()
        started: dict[K, float] = {}
        speech: dict[K, SpeechJob | None] = {}

        def keyed() -> Iterator[tuple[K, str]]:
            for key, source in sources:
                started[key] = time.perf_counter()
                speech[key] = self._start_speech(str(source))
                yield key, str(source)

        def listening() -> bool:  # the decoder threads add jobs meanwhile: copy first
            return any(job is not None and job.busy for job in list(speech.values()))

        for key, streamed in encode_many(ctx, keyed(), decoders, self.text_reader().reader,
                                         listening):
            if isinstance(streamed, StreamedVideo):
                clock = _Clock(started.pop(key, None))
                clock.lap("decode+encode")
                try:
                    yield key, self._finish(ctx, streamed, clock, no_progress, caption,
                                            speech.pop(key, None))
                except Exception as exc:  # this video's failure; the others go on
                    yield key, exc
            elif isinstance(streamed, Exception):
                started.pop(key, None)
                job = speech.pop(key, None)
                if job is not None:
                    job.join()
                yield key, streamed
            else:  # KeyboardInterrupt, SystemExit: the run's end, not the video's
                raise streamed

    def _finish(self, ctx: AnalysisContext, streamed: StreamedVideo, clock: "_Clock",
                report: ProgressFn, caption: bool,
                speech: SpeechJob | None = None) -> RunOutput:
        """Every stage after decode + encode, for one video."""
        try:
            return self._after_encode(ctx, streamed, clock, report, caption, speech)
        finally:
            if streamed.watcher is not None:  # a stage failed before the text one
                streamed.watcher.abort()

    def _after_encode(self, ctx: AnalysisContext, streamed: StreamedVideo, clock: "_Clock",
                      report: ProgressFn, caption: bool, speech: SpeechJob | None
                      ) -> RunOutput:
        source = streamed.source
        video = segment_video(ctx, streamed)
        pictures = (scene_thumbnails(ctx, str(source), video, streamed.thumbnails)
                    if streamed.thumbnails is not None else None)
        report("segment", 1.0)
        segment_s = clock.lap("segment")
        tags = tag_video(ctx, video)
        report("tag", 1.0)
        tag_s = clock.lap("tag")
        moderation = moderate_video(ctx, video)
        report("moderate", 1.0)
        moderate_s = clock.lap("moderate")
        choice = self.text_reader()
        written, frames_read = (read_text(ctx, str(source), video, choice.reader,
                                          streamed.watcher)
                                if choice.reader is not None else ([], 0))
        report("text", 1.0)
        text_s = clock.lap("text")
        transcript, skipped, speech_s = speech.join() if speech is not None else (None, None, 0.0)
        report("speech", 1.0)
        timings = Timings(decode_s=round(streamed.decode.seconds, 3),
                          encode_s=round(streamed.encode.seconds, 3),
                          segment_s=segment_s, tag_s=tag_s, moderate_s=moderate_s,
                          text_s=text_s, speech_s=speech_s)
        analysis = assemble(ctx, video, tags, moderation, timings)
        analysis = analysis.model_copy(update={
            "on_screen_text": written,
            "transcript": transcript,
            "skipped": analysis.skipped + ([skipped] if skipped else [])
            + ([SKIPPED] if streamed.info.decoder_note == SKIPPED.reason else []),
            "text_reader": reader_info(choice.backend, choice.reader, frames_read,
                                       choice.fallback_reason)})
        analysis = mark_subtitles(analysis)
        analysis = moderate_said_and_written(ctx, analysis)
        analysis = lay_out_captions(ctx, analysis)
        if caption:
            analysis = self.caption(analysis, progress=report)
        analysis.timings.total_s = clock.total()
        return RunOutput(analysis, video.frames, pictures, streamed.decode, streamed.encode)

    def caption(self, analysis: VideoAnalysis, *, progress: ProgressFn | None = None
                ) -> VideoAnalysis:
        """Run (or re-run) only the caption stage over an existing analysis."""
        started = time.perf_counter()
        captioned = caption_analysis(self.caption_context(), analysis)
        seconds = round(time.perf_counter() - started, 3)
        (progress or no_progress)("caption", 1.0)
        timings = captioned.timings.model_copy(update={"caption_s": seconds})
        return captioned.model_copy(update={"timings": timings})


def _close_owned(owned: list) -> None:
    """Close what a dropped pipeline built itself (never what it was given)."""
    while owned:
        part = owned.pop()
        if part is not None:
            try:
                part.close()
            except Exception:  # at garbage collection: nobody to tell but the log
                logging.getLogger(__name__).warning("closing %r failed", part, exc_info=True)


def build_captioner(config: AnalysisConfig) -> Captioner:
    """The configured caption backend (the registry knows the optional ones)."""
    from vidclip.caption.registry import get_captioner

    return get_captioner(config.captions)


__all__ = ["Pipeline", "RunOutput", "Cancelled", "ProgressFn", "CancelFn", "build_captioner"]
