"""Audio-only files (wav, mp3, m4a): no picture to decode, so the visual stages
get an empty stream (no frames, no scenes, no tags) and the result says why in
``video.decoder_note`` and ``skipped``; the speech stage gives the transcript
and the caption track as for any video."""

from __future__ import annotations

import numpy as np

from vidclip.context import AnalysisContext
from vidclip.schema import Skipped, VideoInfo
from vidclip.segment import SceneDetector
from vidclip.stages.encode import StreamedVideo
from vidclip.stream import DecodeStats, EncodedFrames, EncodeStats

REASON = "the file has audio only (no video stream): nothing to see, only the speech is analysed"
SKIPPED = Skipped(part="visual", reason=REASON)


def audio_only(path: str) -> bool:
    """True for a file with an audio stream and no picture (cover art does not count)."""
    import av

    try:
        with av.open(path) as container:
            pictures = [s for s in container.streams.video
                        if not (s.disposition & av.stream.Disposition.attached_pic)]
            return bool(container.streams.audio) and not pictures
    except Exception:
        return False  # the video decoder says what is wrong with it


def audio_stream(ctx: AnalysisContext, source: str) -> StreamedVideo:
    """The empty picture stream of an audio-only file, timed by its audio."""
    from vidclip.speech.audio import AudioSource

    info = AudioSource(source).probe()
    return empty_stream(ctx, source, info.duration_s, info.codec)


def empty_stream(ctx: AnalysisContext, source: str, duration_s: float, codec: str
                 ) -> StreamedVideo:
    info = VideoInfo(source=source, duration_s=duration_s, fps=0.0, width=0, height=0,
                     frame_count=0, codec=codec, decoder="pyav", decoder_note=REASON)
    dim = ctx.encoder.info.embedding_dim
    frames = EncodedFrames(np.zeros((0, dim), np.float32), np.zeros(0, np.float64),
                           np.zeros(0, np.int64))
    return StreamedVideo(source, info, frames, SceneDetector(ctx.config.scenes, fps_hint=None),
                         DecodeStats(), EncodeStats())
