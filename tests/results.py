"""Results built by hand, for tests of what reads them (the review app, the
text routes): a video that was heard and read -- a transcript with two
speakers, a caption track with a speech cue holding markup and a sound cue,
on-screen text with known boxes, flags raised by the picture, by what was said
and by what was written -- and a job that holds such a result in the store,
written the way the worker writes one.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from vidclip.schema import (
    CaptionCue,
    Captions,
    CaptionStyleInfo,
    CaptionTrack,
    LabelScore,
    ModelInfo,
    Moderation,
    ModerationCategory,
    ModerationSegment,
    OnScreenText,
    SamplingInfo,
    Scene,
    SoundEvent,
    Tag,
    Timings,
    Transcript,
    TranscriptSegment,
    VideoAnalysis,
    VideoInfo,
    Word,
)

#: Text a page must show as text: run as markup it would set window.pwned.
MARKUP_CUE = "- Thanks <b>for</b> having me\n& <script>window.pwned=1</script>"
MARKUP_TEXT = "<img src=x onerror=window.pwned=2>"
MARKUP_EVIDENCE = "hurt <i>you</i> <img src=x onerror=window.pwned=3>"
#: The title card: where it is on the frame, [x0, y0, x1, y1] fractions.
TITLE_BOX = [0.1, 0.1, 0.6, 0.3]
STYLE = CaptionStyleInfo(max_line=42, max_lines=2, max_cps=20.0, min_duration_s=5 / 6,
                         max_duration_s=7.0, min_gap_frames=2, snap_frames=12, fps=25.0)


def _segment(start: float, end: float, text: str, speaker: str | None) -> TranscriptSegment:
    words = text.split()
    step = (end - start) / len(words)
    return TranscriptSegment(start_s=start, end_s=end, text=text, speaker=speaker, words=[
        Word(start_s=round(start + i * step, 3), end_s=round(start + (i + 1) * step, 3),
             text=w, confidence=0.9) for i, w in enumerate(words)])


def heard_and_read(source: str = "fades.mp4", duration_s: float = 10.0, width: int = 480,
                   height: int = 320, fps: float = 25.0, *, speech: bool = True,
                   text: bool = True) -> VideoAnalysis:
    """Three scenes over ``duration_s`` (at least 9 s); with ``speech`` a transcript
    and its caption track, with ``text`` three on-screen texts (two at once)."""
    cuts = [0.0, 3.0, 6.5, duration_s]
    scenes = [Scene(index=i, start_s=a, end_s=b, start_frame=round(a * fps),
                    end_frame=round(b * fps), transition="start" if i == 0 else "cut",
                    tags=[LabelScore(label="harbour", score=0.4)], caption=f"Scene {i} shows "
                    "a harbour.", description=f"A harbour, shot {i}.")
              for i, (a, b) in enumerate(pairwise(cuts))]
    segments = [ModerationSegment(start_s=1.0, end_s=2.0, score=0.7)]
    if speech:
        segments.append(ModerationSegment(start_s=6.0, end_s=7.8, score=0.9, source="speech",
                                          evidence=MARKUP_EVIDENCE, rule="lexicon"))
    if text:
        segments.append(ModerationSegment(start_s=6.0, end_s=9.0, score=0.8, source="text",
                                          evidence="NO PARKING", rule="lexicon"))
    violence = ModerationCategory(category="violence", score=0.9, threshold=0.5, flagged=True,
                                  segments=segments)
    analysis = VideoAnalysis(
        vidclip_version="0",
        video=VideoInfo(source=source, duration_s=duration_s, fps=fps, width=width,
                        height=height, frame_count=round(duration_s * fps), codec="h264",
                        decoder="pyav"),
        model=ModelInfo(name="tiny-test", embedding_dim=64, device="cpu", kind="custom"),
        sampling=SamplingInfo(strategy="fps", fps=1.0, frames=int(duration_s)),
        scenes=scenes,
        tags=[Tag(label="harbour", score=0.4, segments=[{"start_s": 0.0, "end_s": 6.5}])],
        moderation=Moderation(flagged=True, categories=[violence], policy_version="1"),
        captions=Captions(summary="A harbour at dusk.", backend="template"),
        timings=Timings())
    if speech:
        analysis.transcript = Transcript(
            language="en", backend="pocketsphinx", speech_s=5.7,
            segments=[_segment(0.5, 2.4, "Welcome to the harbour.", "S1"),
                      _segment(2.6, 4.6, "Thanks for having me.", "S2"),
                      _segment(6.0, 7.8, "I will hurt you.", "S1")],
            sounds=[SoundEvent(start_s=4.8, end_s=5.8, label="music", evidence="audio")])
        analysis.caption_track = CaptionTrack(language="en", style=STYLE, cues=[
            CaptionCue(index=0, start_s=0.5, end_s=2.4, text="Welcome to the harbour."),
            CaptionCue(index=1, start_s=2.6, end_s=4.6, text=MARKUP_CUE),
            CaptionCue(index=2, start_s=4.8, end_s=5.8, text="[music]", kind="sound"),
            CaptionCue(index=3, start_s=6.0, end_s=7.8, text="I will hurt you.")])
    if text:
        analysis.on_screen_text = [
            OnScreenText(start_s=1.0, end_s=4.0, text="GRAND OPENING\nSATURDAY", box=TITLE_BOX,
                         confidence=0.95, kind="title"),
            OnScreenText(start_s=2.0, end_s=3.5, text="NO PARKING", box=[0.7, 0.4, 0.9, 0.55],
                         confidence=0.8, kind="other"),
            OnScreenText(start_s=6.0, end_s=9.0, text=MARKUP_TEXT, box=[0.25, 0.75, 0.75, 0.9],
                         confidence=0.9, kind="lower_third")]
    return analysis


def scene_jpegs(clip: Path, analysis: VideoAnalysis) -> list[bytes]:
    """A JPEG of each scene's first frame, as the worker keeps for the strip."""
    import io

    import av

    jpegs: list[bytes] = []
    starts = [s.start_s for s in analysis.scenes]
    with av.open(str(clip)) as container:
        for frame in container.decode(video=0):
            if len(jpegs) < len(starts) and frame.time is not None and \
                    frame.time >= starts[len(jpegs)]:
                image = frame.to_image()
                image.thumbnail((320, 180))
                out = io.BytesIO()
                image.save(out, "JPEG", quality=80)
                jpegs.append(out.getvalue())
            if len(jpegs) == len(starts):
                break
    return jpegs


def store_finished(store, settings, clip: Path, analysis: VideoAnalysis, *,
                   tenant: str = "acme", submitted_by: str = "sam", tag: str | None = None
                   ) -> str:
    """A succeeded job holding ``analysis``, its media the real ``clip``: thumbnails
    written, the moderation queue entered, then the job finished (the worker's
    order). Returns the job's id."""
    from vidclip.jobs.media import job_results_dir
    from vidclip.jobs.status import JobStatus
    from vidclip.jobs.store import NewJob
    from vidclip.output.files import write_thumbnails

    job, _ = store.create(NewJob(options={"formats": ["json"]}, source_kind="path",
                                 source_value=clip.name, source_name=clip.name,
                                 media_path=str(clip), tenant=tenant, tag=tag,
                                 submitted_by=submitted_by))
    outdir = job_results_dir(settings, job.id)
    write_thumbnails(outdir, "result", scene_jpegs(clip, analysis))
    store.reviews.open_for_job(job.id, tenant, analysis.moderation, analysis.scenes)
    assert store.finish(job.id, JobStatus.SUCCEEDED, worker=None,
                        result_json=analysis.model_dump_json(), result_path=str(outdir))
    return job.id
