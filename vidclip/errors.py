"""Errors a user can act on.

Every expected failure (bad input, missing weights, a bad vocabulary file)
is a :class:`VidclipError` with a stable ``code`` and a one-sentence
message. The CLI prints ``error: <message>`` without a traceback; the
service stores ``code`` and ``message`` on the failed job. Anything that is
not a ``VidclipError`` is a bug and keeps its traceback.
"""

from __future__ import annotations


class VidclipError(Exception):
    """Base class for failures that are explained to the user in one line."""

    code = "error"
    #: Transient faults (a device busy, a network blip) may be retried;
    #: bad input never is.
    retryable = False

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


class InputError(VidclipError):
    """The input video cannot be analysed (missing, empty, corrupt, no video...)."""

    code = "bad_input"


class NotFoundError(InputError):
    code = "not_found"


class NoVideoStreamError(InputError):
    code = "no_video_stream"


class UnsupportedVideoError(InputError):
    code = "unsupported_video"


class DecodeError(InputError):
    code = "decode_failed"


class ModelError(VidclipError):
    """The model cannot be loaded (unknown name, weights missing offline...)."""

    code = "model_unavailable"


class WeightsMissingError(ModelError):
    code = "weights_missing"


class ConfigError(VidclipError):
    """A vocabulary, policy or option is invalid."""

    code = "bad_config"


class SearchIndexError(VidclipError):
    """A moment index is missing, unreadable or torn; the stored embeddings rebuild it."""

    code = "index_unavailable"


class ModelMismatchError(VidclipError):
    """A query embedded by one model was put to an index of another model's vectors."""

    code = "model_mismatch"


class QueryError(InputError):
    """A search query that cannot be answered (empty, too long, not an image...)."""

    code = "bad_query"
