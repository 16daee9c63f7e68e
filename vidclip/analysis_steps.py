"""The steps of :meth:`Pipeline.run`, each a plain function over typed data.

``encode_stream`` is the streaming part (decode + cut detection in a
background thread, encoding in the caller's); ``analyse_embeddings`` turns
the embeddings into scenes, tags and moderation; ``apply_captions`` runs the
caption backend over the evidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from vidclip import __version__
from vidclip.caption.base import CaptionRequest, SceneEvidence
from vidclip.errors import DecodeError
from vidclip.prefetch import Prefetcher
from vidclip.schema import (
    Captions,
    Moderation,
    SamplingInfo,
    Scene,
    Timings,
    VideoAnalysis,
    VideoInfo,
    VocabularyInfo,
)
from vidclip.segment.signals import GRID_CELLS
from vidclip.timeline import Span, Timeline

if TYPE_CHECKING:
    from vidclip.pipeline import CancelFn, Pipeline, ProgressFn

#: Sampled frames waiting for the encoder, in encoder batches: the decoder
#: must be able to fill the next batch while the encoder runs the current
#: one (a bound of a few chunks made them take turns), and the bound keeps
#: memory flat for any video length.
_QUEUE_BATCHES = 2
_CHUNK_FRAMES = 32
#: Shorter side of the previews the cut detector sees for every frame: its
#: grid (one area-averaged pixel a cell). Only the sampled frames are
#: converted at the model's size. Same boundaries and montage F1 as 224 px.
PREVIEW_SIDE = GRID_CELLS
#: Previews pay from this model input size on: below it, converting every
#: frame at the model's size costs less than PyAV's per-frame Python work
#: (decord's loop is C++), e.g. the 64-px test model on a 160x90 clip.
PREVIEW_MIN_INPUT = 4 * PREVIEW_SIDE
#: Frames per encoder call while the decoder still runs beside a CPU model, so
#: the cores are shared out again every ~0.5 s (ViT-B-32 on one core): a long
#: call on one thread would run on after the decoder has finished.
_SHARED_CALL = 4


@dataclass
class EncodedStream:
    info: VideoInfo
    embeddings: np.ndarray
    times_s: np.ndarray
    indices: np.ndarray
    scenes: list
    frames_decoded: int
    timings: Timings = field(default_factory=Timings)


def _expected_samples(pipeline: "Pipeline", info: VideoInfo) -> int:
    s = pipeline.config.sampling
    if s.strategy == "fps":
        n = int(info.duration_s * s.fps) + 1
    elif s.strategy == "count":
        n = s.count
    else:
        n = max(info.frame_count, 1)
    return max(1, min(n, s.max_frames or n))


def encode_stream(
    pipeline: "Pipeline", source: str, report: "ProgressFn", should_cancel: "CancelFn"
) -> EncodedStream:
    from vidclip.decode import open_video
    from vidclip.pipeline import Cancelled
    from vidclip.segment import SceneDetector

    cfg = pipeline.config
    encoder = pipeline.encoder
    # (With every frame sampled, previews would only be extra work.)
    previews = encoder.input_size >= PREVIEW_MIN_INPUT and cfg.sampling.strategy != "all"
    # A real model on the CPU is the slow stage: the decoder gets one core and
    # the model the others while both run (``Encoder.sharing_cpu``), all of
    # them after. Threads of both on every core waited on each other.
    cpu_model = previews and encoder.info.device.startswith("cpu")
    reader = open_video(
        source,
        sampling=cfg.sampling.spec(),
        short_side=encoder.input_size,
        chunk_size=_CHUNK_FRAMES,
        backend=cfg.decoder,
        full_rate=cfg.sampling.strategy != "keyframes",
        preview_side=PREVIEW_SIDE if previews else None,
        threads=1 if cpu_model else 0,
    )
    info = reader.info
    detector = SceneDetector(cfg.scenes, fps_hint=info.fps or None)
    stats = {"decoded": 0, "decode_s": 0.0}
    total = max(info.frame_count, 1)

    def produce():
        it = iter(reader)
        while True:
            t0 = time.perf_counter()
            batch = next(it, None)
            if batch is None:
                return
            detector.observe(batch)
            stats["decoded"] += len(batch)
            stats["decode_s"] += time.perf_counter() - t0
            sampled = batch.only_sampled()
            if len(sampled):
                yield sampled

    expected = _expected_samples(pipeline, info)
    embeddings, times, indices, pending = [], [], [], []
    encode_s = 0.0

    def flush(batches: Prefetcher) -> None:
        nonlocal encode_s
        frames = np.concatenate([b.frames for b in pending])
        t0 = time.perf_counter()
        start = 0
        while start < len(frames):
            decoding = cpu_model and not batches.producer_idle
            step = min(encoder.batch_size, _SHARED_CALL) if decoding else encoder.batch_size
            with encoder.sharing_cpu(1 if decoding else 0):
                embeddings.append(encoder.encode_images(frames[start : start + step]))
            start += step
        encode_s += time.perf_counter() - t0
        times.extend(t for b in pending for t in b.times_s)
        indices.extend(i for b in pending for i in b.indices)
        pending.clear()
        report("encode", min(1.0, len(times) / expected))

    try:
        with Prefetcher(produce, depth=_QUEUE_BATCHES * encoder.batch_size, size=len) as batches:
            for batch in batches:
                if should_cancel():
                    raise Cancelled(f"cancelled while analysing {source}")
                pending.append(batch)
                report("decode", min(1.0, stats["decoded"] / total))
                # A full batch; for a CPU model, the slow stage, also whatever
                # has come when nothing more is queued, rather than let it wait
                # (elsewhere small calls would only add per-call overhead).
                ready = sum(len(b) for b in pending) >= encoder.batch_size
                if ready or (cpu_model and not batches.queued):
                    flush(batches)
            if pending:
                flush(batches)
        info = reader.info  # the decoder may have learned more (exact count, fallback)
    finally:
        reader.close()
    if not times:
        raise DecodeError(f"{source}: no frame could be decoded.")
    report("decode", 1.0)
    report("encode", 1.0)
    emb = np.concatenate(embeddings)
    times_arr = np.asarray(times, dtype=np.float64)
    idx_arr = np.asarray(indices, dtype=np.int64)
    if cfg.sampling.strategy != "keyframes":
        info = info.model_copy(update={"frame_count": stats["decoded"]})
    timeline_end = info.start_time_s + info.duration_s
    if len(times_arr) and times_arr[-1] >= timeline_end:
        # Container durations can be short of the last frame's time.
        step = 1.0 / info.fps if info.fps else 0.0
        info = info.model_copy(update={"duration_s": round(times_arr[-1] + step - info.start_time_s, 6)})
        timeline_end = info.start_time_s + info.duration_s
    t0 = time.perf_counter()
    scenes = detector.finish(
        total_frames=info.frame_count,
        duration_s=timeline_end,
        sampled_times=times_arr,
        sampled_embeddings=emb,
        # A random-weight test model's distances mean nothing.
        embeddings_meaningful=encoder.info.kind != "custom",
    )
    extra = _fill_empty_scenes(pipeline, source, scenes, idx_arr, info)
    if extra is not None:
        emb, times_arr, idx_arr = _merge(emb, times_arr, idx_arr, *extra)
    report("segment", 1.0)
    timings = Timings(
        decode_s=round(stats["decode_s"], 3),
        encode_s=round(encode_s, 3),
        segment_s=round(time.perf_counter() - t0, 3),
    )
    return EncodedStream(info, emb, times_arr, idx_arr, scenes, stats["decoded"], timings)


def _fill_empty_scenes(pipeline: "Pipeline", source: str, scenes, sampled_idx: np.ndarray,
                       info: VideoInfo):
    """Embed the middle frame of every scene no sampled frame fell into."""
    from vidclip.decode.seek import read_frames

    if pipeline.config.sampling.strategy == "keyframes":
        return None  # triage mode: a scene without a key frame stays untagged
    missing = []
    for scene in scenes:
        lo, hi = np.searchsorted(sampled_idx, [scene.start_frame, scene.end_frame])
        if hi == lo and scene.end_frame > scene.start_frame:
            missing.append((scene.start_frame + scene.end_frame - 1) // 2)
    if not missing:
        return None
    backend = "pyav" if info.decoder == "pyav" else pipeline.config.decoder
    batch = read_frames(source, missing, pipeline.encoder.input_size, backend)
    if not len(batch):
        return None
    return pipeline.encoder.encode_images(batch.frames), batch.times_s, batch.indices


def _merge(emb, times, idx, more_emb, more_times, more_idx):
    order = np.argsort(np.concatenate([idx, more_idx]), kind="stable")
    return (np.concatenate([emb, more_emb])[order], np.concatenate([times, more_times])[order],
            np.concatenate([idx, more_idx])[order])


def analyse_embeddings(pipeline: "Pipeline", stream: EncodedStream, report: "ProgressFn") -> VideoAnalysis:
    from vidclip.moderate import moderate
    from vidclip.tag import tag

    cfg = pipeline.config
    encoder = pipeline.encoder
    vocab = pipeline._vocab
    spans = [Span(s.start_frame, s.end_frame, s.start_s, s.end_s) for s in stream.scenes]
    timeline = Timeline.build(stream.times_s, stream.indices, spans)
    t0 = time.perf_counter()
    tags = tag(
        stream.embeddings,
        timeline,
        vocab.labels,
        pipeline._label_emb,
        pipeline._anchor,
        logit_scale=encoder.logit_scale,
        margin=encoder.score_margin,
        threshold=cfg.tags.threshold,
        top_k=cfg.tags.top_k,
        merge_gap_s=cfg.tags.merge_gap_s,
        with_frames=cfg.include_frames,
    )
    stream.timings.tag_s = round(time.perf_counter() - t0, 3)
    report("tag", 1.0)
    t0 = time.perf_counter()
    if pipeline._policy_emb is not None:
        mod = moderate(stream.embeddings, timeline, pipeline._policy_emb, pipeline._anchor,
                       logit_scale=encoder.logit_scale, margin=encoder.score_margin)
        moderation, scene_hits = mod.summary, mod.scene_hits
    else:
        moderation, scene_hits = Moderation(flagged=False, policy="disabled"), [[] for _ in spans]
    stream.timings.moderate_s = round(time.perf_counter() - t0, 3)
    report("moderate", 1.0)
    scenes = [
        Scene(
            index=i,
            start_s=round(s.start_s, 3),
            end_s=round(s.end_s, 3),
            start_frame=s.start_frame,
            end_frame=s.end_frame,
            transition=getattr(s, "transition", "cut"),
            tags=tags.scene_tags[i],
            moderation=scene_hits[i],
        )
        for i, s in enumerate(stream.scenes)
    ]
    s = cfg.sampling
    return VideoAnalysis(
        vidclip_version=__version__,
        video=stream.info,
        model=encoder.info,
        sampling=SamplingInfo(
            strategy=s.strategy,
            fps=s.fps if s.strategy == "fps" else None,
            frames=len(stream.times_s),
            max_frames=s.max_frames,
        ),
        vocabulary=VocabularyInfo(
            name=vocab.name, labels=len(vocab.labels), templates=len(vocab.templates),
            sha256=vocab.sha256, threshold=cfg.tags.threshold, top_k=cfg.tags.top_k,
            merge_gap_s=cfg.tags.merge_gap_s,
        ),
        scenes=scenes,
        tags=tags.video_tags,
        moderation=moderation,
        captions=Captions(backend="none"),
        frames=tags.frame_tags,
        timings=stream.timings,
    )


def caption_request(pipeline: "Pipeline", analysis: VideoAnalysis) -> CaptionRequest:
    scenes = tuple(
        SceneEvidence(
            index=s.index,
            start_s=s.start_s,
            end_s=s.end_s,
            tags=tuple(s.tags),
            flagged_categories=tuple(m.category for m in s.moderation if m.flagged),
        )
        for s in analysis.scenes
    )
    from vidclip.schema import LabelScore

    video_tags = tuple(LabelScore(label=t.label, score=t.score) for t in analysis.tags)
    flagged = tuple(c.category for c in analysis.moderation.categories if c.flagged)
    return CaptionRequest(
        scenes=scenes,
        video_tags=video_tags,
        duration_s=analysis.video.duration_s,
        language=pipeline.config.captions.language,
        flagged_categories=flagged,
        vocabulary=pipeline._vocab.labels,
        # All of the policy's categories, flagged or not: none may be described.
        moderation_categories=tuple(c.category for c in analysis.moderation.categories),
    )


def apply_captions(pipeline: "Pipeline", analysis: VideoAnalysis, report: "ProgressFn") -> VideoAnalysis:
    t0 = time.perf_counter()
    captioner = pipeline.captioner
    captioner.setup()
    result = captioner.caption(caption_request(pipeline, analysis))
    by_index = {c.index: c for c in result.scenes}
    # Backends that write audio descriptions return them; otherwise the
    # caption doubles as the description.
    described = {d.index: d for d in result.descriptions}
    scenes = []
    for scene in analysis.scenes:
        c = by_index.get(scene.index)
        d = described.get(scene.index, c)
        scenes.append(scene.model_copy(update={
            "caption": c.text if c else None,
            "caption_grounded": c.grounded if c else None,
            "caption_source": c.source if c else None,
            "caption_note": c.note if c else None,
            "description": d.text if d else None,
            "description_source": d.source if d else None,
        }))
    captions = Captions(
        summary=result.summary,
        backend=result.backend,
        model=result.model,
        prompt=result.prompt,
        language=result.language,
        fallback_reason=result.fallback_reason,
        summary_source=result.summary_source,
    )
    timings = analysis.timings.model_copy(update={"caption_s": round(time.perf_counter() - t0, 3)})
    report("caption", 1.0)
    return analysis.model_copy(update={"scenes": scenes, "captions": captions, "timings": timings})
