"""Stage 5, assemble: the result contract from the stages' outputs."""

from __future__ import annotations

from vidclip import __version__
from vidclip.context import AnalysisContext
from vidclip.moderate import ModerationResult
from vidclip.schema import (
    Captions,
    Moderation,
    SamplingInfo,
    Scene,
    Timings,
    VideoAnalysis,
    VocabularyInfo,
)
from vidclip.stages.scenes import SegmentedVideo
from vidclip.tag import TagResult


def assemble(ctx: AnalysisContext, video: SegmentedVideo, tags: TagResult,
             moderation: ModerationResult | None, timings: Timings) -> VideoAnalysis:
    """The analysis without captions (``captions.backend`` is ``none`` until they run)."""
    if moderation is None:
        summary = Moderation(flagged=False, policy="disabled")
        hits: list[list] = [[] for _ in video.scenes]
    else:
        summary, hits = moderation.summary, moderation.scene_hits
    scenes = [
        Scene(
            index=i,
            start_s=round(s.start_s, 3),
            end_s=round(s.end_s, 3),
            start_frame=s.start_frame,
            end_frame=s.end_frame,
            transition=s.transition,
            tags=tags.scene_tags[i],
            moderation=hits[i],
        )
        for i, s in enumerate(video.scenes)
    ]
    sampling = ctx.config.sampling
    vocabulary = ctx.labels.vocabulary
    options = ctx.config.tags
    return VideoAnalysis(
        vidclip_version=__version__,
        video=video.info,
        model=ctx.encoder.describe(),
        sampling=SamplingInfo(
            strategy=sampling.strategy,
            fps=sampling.fps if sampling.strategy == "fps" else None,
            frames=len(video.frames),
            max_frames=sampling.max_frames,
        ),
        vocabulary=VocabularyInfo(
            name=vocabulary.name, labels=len(vocabulary.labels),
            templates=len(vocabulary.templates), sha256=vocabulary.sha256,
            threshold=options.threshold, top_k=options.top_k, merge_gap_s=options.merge_gap_s,
        ),
        scenes=scenes,
        tags=tags.video_tags,
        moderation=summary,
        captions=Captions(backend="none"),
        frames=tags.frame_tags,
        timings=timings,
    )
