"""Failures of the service around the core: ingest, URLs, webhooks.

They follow :mod:`vidclip.errors`: a stable ``code``, a one-sentence message,
and ``retryable`` only for faults that may pass (a network blip).
"""

from __future__ import annotations

import errno

from vidclip.errors import InputError, VidclipError


class IngestError(InputError):
    """The submitted source cannot be taken in (refused URL, bad path, not a video)."""

    code = "bad_source"


class TooLargeError(IngestError):
    code = "too_large"


class UnsupportedMediaError(IngestError):
    code = "unsupported_media"


class UrlRefusedError(IngestError):
    """A URL (source or webhook) that the settings do not let the service fetch."""

    code = "url_not_allowed"


class PathRefusedError(IngestError):
    code = "path_not_allowed"


class TransientError(VidclipError):
    """A fault that may pass: the download or webhook target did not answer."""

    code = "transient"
    retryable = True


class NoSpaceError(VidclipError):
    """The data directory is full (ENOSPC) or over quota (EDQUOT)."""

    code = "insufficient_storage"


#: errno values that mean the file system has no room left.
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_no_space(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS
