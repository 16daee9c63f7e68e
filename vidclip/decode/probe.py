"""Read a video's metadata (PyAV) and turn unreadable input into clear errors.

Times: vidclip reports each frame's presentation timestamp on the video
stream's own timeline (``pts * time_base``, the clock ffprobe prints as
``pts_time``), not shifted to start at zero and not on the container's
clock. A file whose first frame is stamped 1.075 s reports 1.075 for it, and
``start_time_s`` is that first decoded frame's time. The stream's clock and
not the container's (``format.start_time``, the earliest of all streams,
often audio) is used because it is what every decoder reports per frame, so
decord and PyAV agree and cue times line up with players, which honour the
same timestamps.

``frame_count`` is the container's frame count where the header has one
(MP4/MOV: exact unless the file is damaged), otherwise duration x average
rate (an estimate; Matroska, WebM, MPEG-TS). A reader replaces it with the
true count once it knows it (decord indexes every packet on opening; PyAV
counts while decoding at full rate).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from vidclip.errors import (
    DecodeError,
    InputError,
    NotFoundError,
    NoVideoStreamError,
    UnsupportedVideoError,
)
from vidclip.schema import VideoInfo

#: Frames larger than this are refused before decoding (8K is 33 MP).
MAX_PIXELS = 80_000_000
MAX_SIDE = 16_384
#: Wider (or taller) than this is refused: resized to a 224 px short side it
#: would make frames of megapixels (panoramas stop near 8:1).
MAX_ASPECT = 16


@dataclass(frozen=True)
class StreamFacts:
    """What the decoders need to know, beyond what the user sees in VideoInfo."""

    path: str
    codec: str
    pix_fmt: str
    coded_width: int
    coded_height: int
    display_width: int  # after pixel aspect and rotation
    display_height: int
    rotation: int  # clockwise degrees to turn coded frames upright: 0, 90, 180, 270
    start_time_s: float  # the first decoded frame's presentation time
    stream_start_s: float  # the stream's declared start (decord counts its times from it)
    duration_s: float
    frame_count: int
    frame_count_exact: bool
    avg_fps: float
    variable_frame_rate: bool
    bit_depth: int


def _check_path(source: str | Path) -> Path:
    path = Path(source)
    if not path.exists():
        raise NotFoundError(f"{path}: no such file.")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a video file.", code="not_a_file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes).", code="empty_file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied.", code="permission_denied")
    return path


def _first_error_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rstrip(".")


def _unreadable(path: Path) -> str:
    """Say what the bytes look like, since FFmpeg only says "invalid data"."""
    with path.open("rb") as fh:
        head = fh.read(12)
    if head[4:8] == b"ftyp":
        return (f"{path}: an MP4/MOV whose index (moov atom) is missing or damaged -- "
                f"the file is truncated or was not finished writing.")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return f"{path}: a damaged Matroska/WebM file that FFmpeg cannot read."
    return f"{path}: not a video file ffmpeg can read (unrecognised or damaged data)."


def _rotation_of(frame) -> int:
    """Clockwise degrees (0/90/180/270) from the frame's display matrix.

    FFmpeg gives the angle counter-clockwise; odd angles snap to the nearest
    quarter turn and mirroring in the matrix is ignored.
    """
    ccw = float(getattr(frame, "rotation", 0) or 0)
    return int(-round(ccw / 90) * 90) % 360


def probe_facts(source: str | Path) -> StreamFacts:
    import av

    path = _check_path(source)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError as exc:
        raise InputError(_unreadable(path), code="unreadable") from exc
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputError(f"{path}: cannot be opened ({why}).", code="unreadable") from exc
    try:
        return _facts(container, path)
    finally:
        container.close()


#: Packets that may fail to decode before the first good frame (a damaged
#: opening GOP); the decoders skip the same packets later.
_MAX_BAD_LEADING_PACKETS = 200


def damaged_packet_errors() -> tuple[type[Exception], ...]:
    """What FFmpeg raises for a packet it cannot decode (skip it, go on)."""
    import av

    return (av.error.InvalidDataError, av.error.UndefinedError, ValueError)


def _first_frame(container, stream, path: Path):
    """The first frame that decodes, skipping damaged packets before it."""
    stream.thread_type = "AUTO"
    failures, last_error = 0, None
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except damaged_packet_errors() as exc:
            failures, last_error = failures + 1, exc
            if failures > _MAX_BAD_LEADING_PACKETS:
                break
            continue
        if frames:
            return frames[0]
    if last_error is not None:
        raise DecodeError(f"{path}: no video frame can be decoded "
                          f"({_first_error_line(last_error)}).") from last_error
    raise DecodeError(f"{path}: the video stream holds no decodable frame.")


def _facts(container, path: Path) -> StreamFacts:

    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams}) or ["no streams"]
        raise NoVideoStreamError(
            f"{path}: has no video stream (found: {', '.join(kinds)}); nothing to analyse."
        )
    stream = container.streams.video[0]
    cc = stream.codec_context
    width, height = int(cc.width or 0), int(cc.height or 0)
    if width <= 0 or height <= 0:
        raise UnsupportedVideoError(f"{path}: the video stream declares no frame size.")
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise UnsupportedVideoError(
            f"{path}: frame size {width}x{height} is beyond what vidclip decodes "
            f"(at most {MAX_SIDE} px a side and {MAX_PIXELS // 1_000_000} MP)."
        )
    tb = stream.time_base or Fraction(1, 1)
    frame = _first_frame(container, stream, path)
    rotation, first_time = _rotation_of(frame), frame.time
    sar = cc.sample_aspect_ratio or stream.sample_aspect_ratio
    sar = Fraction(sar) if sar and sar > 0 else Fraction(1, 1)
    dw, dh = round(width * sar), height
    if rotation in (90, 270):
        dw, dh = dh, dw
    if min(dw, dh) < 1 or max(dw, dh) > MAX_ASPECT * min(dw, dh):
        raise UnsupportedVideoError(
            f"{path}: display size {dw}x{dh} is more elongated than the {MAX_ASPECT}:1 "
            f"vidclip decodes."
        )
    if stream.start_time is not None:
        stream_start = float(stream.start_time * tb)
    elif container.start_time is not None:
        stream_start = container.start_time / 1_000_000
    else:
        stream_start = 0.0
    start = float(first_time) if first_time is not None else stream_start
    if stream.duration:
        end = stream_start + float(stream.duration * tb)
    elif container.duration:  # the container's span, from its earliest stream
        end = (container.start_time or 0) / 1_000_000 + container.duration / 1_000_000
    else:
        end = start
    duration = max(0.0, end - start)  # from the first frame that decodes
    avg = stream.average_rate or stream.guessed_rate or stream.base_rate
    avg_fps = float(avg) if avg else 0.0
    base = stream.base_rate or stream.guessed_rate
    vfr = bool(avg and base and abs(float(base) - float(avg)) / float(avg) > 0.01)
    frames = int(stream.frames or 0)
    exact = frames > 0
    if not exact:
        frames = max(1, round(duration * avg_fps)) if avg_fps else 0
    fmt = cc.format
    depth = 8
    if fmt is not None and fmt.components:
        depth = max(c.bits for c in fmt.components)
    return StreamFacts(
        path=str(path),
        codec=cc.codec.canonical_name,  # "av1", not the decoder "libdav1d"
        pix_fmt=cc.pix_fmt or "unknown",
        coded_width=width,
        coded_height=height,
        display_width=int(dw),
        display_height=int(dh),
        rotation=rotation,
        start_time_s=start,
        stream_start_s=stream_start,
        duration_s=duration,
        frame_count=frames,
        frame_count_exact=exact,
        avg_fps=avg_fps,
        variable_frame_rate=vfr,
        bit_depth=depth,
    )


def variable_rate(times_s) -> bool:
    """True when frame spacing really varies: more than 1 % of the gaps
    between consecutive frames are off the median gap by over a quarter.

    Rounding jitter (33/34 ms at 30 fps in a millisecond time base) and a
    single dropped frame do not count.
    """
    import numpy as np

    gaps = np.diff(np.asarray(times_s, dtype=np.float64))
    if len(gaps) < 2:
        return False
    typical = float(np.median(gaps))
    if typical <= 0:
        return True
    uneven = np.abs(gaps - typical) > 0.25 * typical
    return int(uneven.sum()) > max(1, 0.01 * len(gaps))


def to_info(facts: StreamFacts, decoder: str, note: str | None = None) -> VideoInfo:
    return VideoInfo(
        source=facts.path,
        duration_s=round(facts.duration_s, 6),
        fps=round(facts.avg_fps, 6),
        width=facts.display_width,
        height=facts.display_height,
        frame_count=facts.frame_count,
        codec=facts.codec,
        rotation=facts.rotation,
        start_time_s=round(facts.start_time_s, 6),
        variable_frame_rate=facts.variable_frame_rate,
        decoder=decoder,
        decoder_note=note,
    )


def probe(source: str | Path) -> VideoInfo:
    """Metadata of the first video stream; raises a clear InputError otherwise."""
    return to_info(probe_facts(source), decoder="none")


def output_size(facts: StreamFacts, short_side: int) -> tuple[int, int]:
    """(width, height) with the display aspect kept and the shorter side = short_side."""
    w, h = facts.display_width, facts.display_height
    if w <= h:
        return short_side, max(short_side, int(round(h * short_side / w / 2)) * 2)
    return max(short_side, int(round(w * short_side / h / 2)) * 2), short_side
