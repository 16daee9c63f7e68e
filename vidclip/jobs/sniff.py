"""Does a file start like a video container? A quick look at the first bytes.

This only turns away what is plainly not a video (text, images, archives)
with a clear message before anything is queued; the worker's decoder has the
final word on files that look right and are not.
"""

from __future__ import annotations

from pathlib import Path

from vidclip.jobs.errors import UnsupportedMediaError

#: Bytes needed to recognise every container below (MPEG-TS needs three packets).
SNIFF_BYTES = 512

_ISO_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot")


def container_of(head: bytes) -> str | None:
    """The container's usual file suffix (without dot), or None if unrecognised."""
    if len(head) >= 8 and head[4:8] in _ISO_BOXES:
        return "mov" if head[8:10] == b"qt" else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "wmv"
    if head.startswith(b"OggS"):
        return "ogv"
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return "mpg"
    if len(head) >= 377 and head[0] == head[188] == head[376] == 0x47:
        return "ts"
    if head.startswith(b"\x06\x0e\x2b\x34"):
        return "mxf"
    if head.startswith(b"YUV4MPEG2"):
        return "y4m"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    return None


def _describe(head: bytes) -> str:
    if not head:
        return "an empty file"
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"):
        return "an image"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\x1f\x8b"):
        return "an archive"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    try:
        head.decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "an unknown format"


def require_video(head: bytes) -> str:
    """The container suffix, or :class:`UnsupportedMediaError` saying what it looks like."""
    kind = container_of(head)
    if kind is None:
        raise UnsupportedMediaError(
            f"the file is not a video container this service reads (it looks like "
            f"{_describe(head)}); send MP4, MOV, MKV, WebM, AVI, MPEG-TS or similar.")
    return kind


def sniff_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return require_video(fh.read(SNIFF_BYTES))
