"""glibc malloc settings for CPU inference.

A CPU model allocates and frees activations of many megabytes at every call.
glibc serves blocks above its mmap threshold (dynamic, at most 32 MB) with
fresh ``mmap`` pages, returns them on ``free`` and trims the heap top as soon
as 128 KB lie free there, so every call faults its memory in again. With
EfficientNet-Lite0 (the offline encoder) the kernel then spends about as long
handing out pages as the model computes; with both thresholds at 256 MB the
blocks stay in the heap from one call to the next (docs/performance.md).
ViT-B-32's smaller activations are not affected.

This is the tuning PyTorch's CPU performance guide gets from jemalloc or
tcmalloc, done in-process with ``mallopt`` so no ``LD_PRELOAD`` is needed.
It is process-wide, applied once when a model loads on the CPU, a no-op on
other C libraries, and ``ModelOptions(tune_malloc=False)`` (the CLI's
``--no-tune-malloc``, ``VIDCLIP_TUNE_MALLOC=0``) leaves malloc alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap and free memory up to this size
#: stays there for the next call, instead of going back to the kernel.
KEEP_BYTES = 256 * 2**20

_lock = threading.Lock()
_applied: bool | None = None


def tune_for_inference() -> bool:
    """Raise glibc's mmap and trim thresholds once per process; True if applied."""
    global _applied
    with _lock:
        if _applied is not None:
            return _applied
        _applied = False
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _ = libc.gnu_get_libc_version  # glibc only: musl and others have no such knobs
            mallopt = libc.mallopt
        except (OSError, AttributeError):
            return False
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        # The trim threshold first: setting either one turns glibc's own
        # dynamic adjustment off, and each returns 1 on success.
        ok = mallopt(_M_TRIM_THRESHOLD, KEEP_BYTES) == 1
        ok = mallopt(_M_MMAP_THRESHOLD, KEEP_BYTES) == 1 and ok
        if not ok:
            log.debug("mallopt refused the inference thresholds; leaving malloc as it is")
        _applied = ok
        return ok
