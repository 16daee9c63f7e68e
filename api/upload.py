"""Multipart uploads streamed straight to the job's media directory.

The body is parsed as it arrives (python-multipart's push parser); the video
part goes to disk in chunks through :class:`vidclip.jobs.media.CappedFile`,
which stops at the size limit, so no upload is ever held in memory or
spooled to a temporary file first. The client's filename is kept only as a
display name.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

from api.errors import ApiError
from vidclip.jobs.errors import NoSpaceError, is_no_space
from vidclip.jobs.media import CappedFile, display_name

FILE_FIELD = "file"
TEXT_FIELDS = ("options", "formats", "webhook_url", "tag")
#: Room for the text fields (inline labels can be long) and multipart framing.
FIELDS_MAX_BYTES = 1 << 20


@dataclass
class Upload:
    path: Path
    filename: str | None
    size: int
    fields: dict[str, list[str]] = field(default_factory=dict)


class _Receiver:
    """Callbacks of the push parser; runs in a worker thread (file writes block)."""

    def __init__(self, directory: Path, max_bytes: int):
        self.directory, self.max_bytes = directory, max_bytes
        self.fields: dict[str, list[str]] = {}
        self.file: CappedFile | None = None
        self.filename: str | None = None
        self.path: Path | None = None
        self.text_bytes = 0
        self._headers: dict[bytes, bytes] = {}
        self._name = self._value = b""
        self._part: str | None = None
        self._buf = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {"on_part_begin": self._begin, "on_header_field": self._hfield,
                "on_header_value": self._hvalue, "on_header_end": self._hend,
                "on_headers_finished": self._headers_done, "on_part_data": self._data,
                "on_part_end": self._end}

    def _begin(self) -> None:
        self._headers, self._buf = {}, bytearray()

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _hend(self) -> None:
        self._headers[self._name.lower()] = self._value
        self._name = self._value = b""

    def _headers_done(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        if name == FILE_FIELD:
            if self.file is not None or self.path is not None:
                raise ApiError(422, "invalid_request", "send one file per job (use /v1/jobs/batch "
                               "with URLs or paths for many).")
            self.filename = display_name(params.get(b"filename", b"").decode("utf-8", "replace"))
            self.file = CappedFile(self.directory, self.max_bytes)
        elif name not in TEXT_FIELDS:
            raise ApiError(422, "invalid_request", f"unknown form field {name!r}; expected "
                           f"{FILE_FIELD!r} and optionally {', '.join(TEXT_FIELDS)}.")
        self._part = name

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._part == FILE_FIELD and self.file is not None:
            self.file.write(data[start:end])
            return
        self.text_bytes += end - start
        if self.text_bytes > FIELDS_MAX_BYTES:
            raise ApiError(413, "too_large", "the form fields are larger than 1 MiB.")
        self._buf += data[start:end]

    def _end(self) -> None:
        if self._part == FILE_FIELD and self.file is not None:
            self.path = self.file.finish()
            self.file = None
        elif self._part is not None:
            self.fields.setdefault(self._part, []).append(self._buf.decode("utf-8", "replace"))
        self._part = None

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()


async def receive_upload(request: Request, directory: Path, max_bytes: int) -> Upload:
    """Parse ``multipart/form-data`` into the file at ``directory/source.<ext>`` plus fields.

    Raises :class:`ApiError` (413, 415, 422); on any failure nothing is left on disk.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + FIELDS_MAX_BYTES:
        raise ApiError(413, "too_large", f"the upload is larger than the limit of {max_bytes} "
                       "bytes.")
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(422, "invalid_request", "multipart body without a boundary.")
    receiver = _Receiver(directory, max_bytes)
    parser = MultipartParser(boundary, receiver.callbacks())
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        parser.finalize()
    except MultipartParseError as exc:
        receiver.discard()
        shutil.rmtree(directory, ignore_errors=True)
        raise ApiError(422, "invalid_request", f"the multipart body is malformed ({exc}).") from exc
    except BaseException as exc:
        receiver.discard()
        shutil.rmtree(directory, ignore_errors=True)
        if is_no_space(exc):
            raise ApiError(507, NoSpaceError.code, "the server has no disk space left for "
                           "uploads; try again later.") from exc
        raise
    if receiver.path is None:
        shutil.rmtree(directory, ignore_errors=True)
        raise ApiError(422, "invalid_request",
                       f"no {FILE_FIELD!r} part: send the video as form field {FILE_FIELD!r}.")
    return Upload(receiver.path, receiver.filename, receiver.path.stat().st_size, receiver.fields)
