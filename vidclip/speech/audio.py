"""The audio stream, decoded to 16 kHz mono float32 in chunks (bounded memory).

Times are on the video's timeline: the audio stream's start minus the first
video stream's start (PyAV/ffmpeg apply edit lists). A file without audio is
:class:`NoAudio` (a reason, not an error for the user); damaged audio part-way
keeps what was decoded and :attr:`AudioSource.note` says where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from vidclip.schema import AudioInfo

RATE = 16000
CHUNK_S = 30.0


class NoAudio(Exception):
    """The file has no (such) audio stream: the transcript is skipped with this reason."""


def _start(stream) -> float:
    if stream is None or stream.start_time is None or stream.time_base is None:
        return 0.0
    return float(stream.start_time * stream.time_base)


@dataclass
class AudioSource:
    """Opens the file lazily; :meth:`chunks` may be iterated once per instance."""

    path: str
    track: int = 0
    chunk_s: float = CHUNK_S
    info: AudioInfo | None = None
    note: str | None = None
    decoded_s: float = 0.0

    def probe(self) -> AudioInfo:
        import av

        try:
            container = av.open(self.path)
        except Exception as exc:
            raise NoAudio(f"the file could not be opened for audio: {exc}") from exc
        with container:
            self.info = _info(container, self.track)
        return self.info

    def chunks(self) -> Iterator[tuple[float, np.ndarray]]:
        """(start_s on the video's timeline, float32 mono samples at 16 kHz)."""
        import av

        info = self.info or self.probe()
        container = av.open(self.path)
        try:
            stream = container.streams.audio[info.stream]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            size = int(self.chunk_s * RATE)
            pending: list[np.ndarray] = []
            have = 0
            emitted = 0
            try:
                for packet in container.demux(stream):
                    for frame in packet.decode():
                        for out in resampler.resample(frame):
                            pending.append(out.to_ndarray().reshape(-1).astype(np.float32))
                            have += pending[-1].size
                        while have >= size:
                            block = np.concatenate(pending)
                            yield info.start_time_s + emitted / RATE, block[:size]
                            emitted += size
                            pending, have = [block[size:]], block.size - size
                for out in resampler.resample(None):
                    pending.append(out.to_ndarray().reshape(-1).astype(np.float32))
                    have += pending[-1].size
            except Exception as exc:  # damaged audio: keep what was decoded, say where
                where = info.start_time_s + (emitted + have) / RATE
                self.note = (f"audio decoding stopped at {where:.1f} s "
                             f"({type(exc).__name__}: {exc}); the transcript ends there")
            if have:
                block = np.concatenate(pending)
                yield info.start_time_s + emitted / RATE, block
                emitted += block.size
            self.decoded_s = emitted / RATE
        finally:
            container.close()


def _info(container, track: int) -> AudioInfo:
    audio = list(container.streams.audio)
    if not audio:
        raise NoAudio("the file has no audio stream")
    if track >= len(audio):
        raise NoAudio(f"audio track {track} asked for, the file has {len(audio)}")
    stream = audio[track]
    ctx = stream.codec_context
    video = container.streams.video[0] if container.streams.video else None
    offset = max(0.0, _start(stream) - _start(video)) if video is not None else 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / 1_000_000
    else:
        duration = 0.0
    return AudioInfo(stream=track, codec=ctx.name or "unknown",
                     sample_rate=int(ctx.sample_rate or 0), channels=int(ctx.channels or 0),
                     duration_s=round(max(0.0, duration), 3), start_time_s=round(offset, 3))


def has_video(path: str) -> bool:
    """Whether the file has a video stream that is a picture (not cover art only)."""
    import av

    try:
        with av.open(path) as container:
            return any(s.disposition.value & 0x400 == 0 for s in container.streams.video
                       if hasattr(s, "disposition")) if container.streams.video else False
    except Exception:
        return True  # let the video decoder say what is wrong
