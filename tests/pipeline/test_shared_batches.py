"""Many videos into shared encoder batches give what one-at-a-time analysis gives."""

import threading

import numpy as np
import pytest

from vidclip.batch import SharedBatch, run_batch
from vidclip.errors import VidclipError
from vidclip.output import write_outputs

REAL = ("fades.mp4", "issue-134-rotate.mp4", "delayed_start.mp4")


def _sources(clips, shared_media_or_none, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    sources = [clips.montage, clips.counter, bad, clips.vfr, clips.delayed, clips.short]
    if shared_media_or_none is not None:
        sources += [shared_media_or_none / name for name in REAL]
    return sources, bad


@pytest.fixture
def media_if_present():
    from tests.conftest import SHARED_MEDIA

    return SHARED_MEDIA if SHARED_MEDIA.is_dir() else None


def _same(shared, alone) -> None:
    """Frames, times, scenes and every score equal; embeddings to float rounding
    (an encoder call of another size may sum in another order)."""
    a, b = shared.analysis, alone.analysis
    assert np.array_equal(shared.indices, alone.indices)
    assert np.array_equal(shared.times_s, alone.times_s)
    assert np.allclose(shared.embeddings, alone.embeddings, atol=1e-5)
    assert a.video == b.video
    assert [(s.start_frame, s.end_frame, s.start_s, s.end_s) for s in a.scenes] == \
        [(s.start_frame, s.end_frame, s.start_s, s.end_s) for s in b.scenes]
    strip = {"timings": True}
    one, other = a.model_dump(exclude=strip), b.model_dump(exclude=strip)
    assert _rounded(one) == _rounded(other)


def _rounded(value, digits=3):
    """Scores compared to 1e-3: the result rounds them to 4 digits, and a last digit
    may flip with the embeddings' float rounding."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v, digits) for v in value]
    return value


def test_shared_batches_match_one_at_a_time(pipeline, clips, media_if_present, tmp_path):
    sources, bad = _sources(clips, media_if_present, tmp_path)
    before = threading.active_count()
    outcomes = dict(pipeline.run_many(enumerate(sources), decoders=3))
    assert sorted(outcomes) == list(range(len(sources)))
    for i, source in enumerate(sources):
        if source == bad:
            with pytest.raises(VidclipError) as alone_error:
                pipeline.run(source)
            assert isinstance(outcomes[i], VidclipError)
            assert outcomes[i].code == alone_error.value.code  # fails alone, as it would alone
            continue
        _same(outcomes[i], pipeline.run(source))
    assert threading.active_count() <= before  # every decoder thread has ended


def test_encoder_calls_hold_frames_of_several_videos(pipeline, clips):
    from vidclip.stages.encode_many import encode_many

    ctx = pipeline.setup()
    sources = [clips.montage, clips.counter, clips.short, clips.delayed]
    results = dict(encode_many(ctx, ((str(s), str(s)) for s in sources), decoders=4))
    frames = sum(len(r.frames) for r in results.values())
    calls = {r.encode.calls for r in results.values()}
    # One model call per video would be at least one call each; shared calls
    # carry more frames each than the shortest video has.
    total_calls = max(calls)
    assert frames / total_calls > min(len(r.frames) for r in results.values())
    assert all(r.encode.frames == len(r.frames) for r in results.values())


def test_closing_early_stops_the_decoders(pipeline, clips):
    from vidclip.stages.encode_many import encode_many

    ctx = pipeline.setup()
    before = threading.active_count()
    many = encode_many(ctx, ((i, str(clips.montage)) for i in range(20)), decoders=2)
    next(many)
    many.close()
    assert threading.active_count() <= before


def test_batch_run_writes_each_video_and_fails_the_bad_one_alone(pipeline, clips, tmp_path):
    sources, bad = _sources(clips, None, tmp_path)

    def write(run, out, stem):
        return [str(p) for p in write_outputs(run.analysis, out, stem, ("json",)).values()]

    report = run_batch(sources, tmp_path / "out", formats=("json",),
                       shared=SharedBatch(pipeline, write, decoders=2))
    assert [i.source for i in report.items] == [str(s) for s in sources]
    assert [i.status for i in report.items] == \
        ["failed" if s == bad else "done" for s in sources]
    assert all((tmp_path / "out" / f"{s.stem}.json").is_file() for s in sources if s != bad)
    again = run_batch(sources, tmp_path / "out", formats=("json",),
                      shared=SharedBatch(pipeline, write, decoders=2))
    assert again.count("skipped") == len(sources) - 1 and again.count("failed") == 1
