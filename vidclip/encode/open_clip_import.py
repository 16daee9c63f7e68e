"""Import open_clip without the language-model stack, unless a model needs it.

``import open_clip`` imports Hugging Face ``transformers`` whenever it is
installed (as it is with ``vidclip[llm]``), from two modules that each
guard the import with ``try/except ImportError``:

- ``open_clip.hf_model``: text towers that *are* Hugging Face models
  (configs with ``text_cfg.hf_model_name``: the mT5/XLM-R/RoBERTa CLIPs);
- ``open_clip.coca_model``: CoCa's ``generate()`` (logits processors, beam
  search).

A CLIP whose text tower is open_clip's own never touches either, yet every
process paid about a second for them before its first frame. So
:func:`import_open_clip` imports open_clip with ``transformers`` hidden
(``sys.modules["transformers"] = None``, which makes that one import raise
``ImportError``, the case open_clip handles) and restores it right after.
:func:`ensure_transformers` undoes the effect when a model needs it: it
re-runs the two modules (``importlib.reload`` re-executes them in their
own namespaces, so the classes open_clip already handed out see the real
``transformers`` too). The encoder calls it before building any model that
is not known to be free of Hugging Face parts (see :func:`needs_transformers`).

The hiding happens only inside vidclip's own import of open_clip, only when
``transformers`` is not imported yet, and never with
``VIDCLIP_OPEN_CLIP_TRANSFORMERS=1``. Code that uses open_clip's Hugging
Face text towers directly in a process where vidclip imported open_clip
first calls :func:`ensure_transformers` once (or sets that variable).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import threading
from types import ModuleType

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
#: The two open_clip modules whose import-time ``transformers`` import is deferred.
_DEFERRED = ("open_clip.hf_model", "open_clip.coca_model")
_ENV = "VIDCLIP_OPEN_CLIP_TRANSFORMERS"


def _hiding_allowed() -> bool:
    if os.environ.get(_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    return "transformers" not in sys.modules


def import_open_clip() -> ModuleType:
    """``open_clip``, imported without ``transformers`` where that is safe."""
    with _LOCK:
        loaded = sys.modules.get("open_clip")
        if loaded is not None:
            return loaded
        if not _hiding_allowed():
            import open_clip

            return open_clip
        sys.modules["transformers"] = None  # type: ignore[assignment]
        try:
            import open_clip
        except ImportError as exc:
            # Some open_clip (or a package it imports) that does not guard the
            # import: forget the half-imported modules and import it whole.
            log.debug("open_clip needs transformers at import (%s); importing both", exc)
            for name in [m for m in sys.modules if m == "open_clip" or m.startswith("open_clip.")]:
                del sys.modules[name]
        finally:
            # Only our placeholder goes: nothing can have imported the real
            # package meanwhile, since the placeholder refuses every import.
            if sys.modules.get("transformers", 0) is None:
                del sys.modules["transformers"]
        import open_clip

        return open_clip


def transformers_deferred() -> bool:
    """True while open_clip runs without ``transformers`` that is installed."""
    hf_model = sys.modules.get("open_clip.hf_model")
    if hf_model is None or getattr(hf_model, "transformers", None) is not None:
        return False
    return importlib.util.find_spec("transformers") is not None


def ensure_transformers() -> None:
    """Give open_clip its ``transformers`` parts (a no-op where it has them or it is absent)."""
    with _LOCK:
        if not transformers_deferred():
            return
        for name in _DEFERRED:
            module = sys.modules.get(name)
            if module is not None:
                importlib.reload(module)


def needs_transformers(open_clip: ModuleType, model_name: str) -> bool:
    """Whether building ``model_name`` may reach open_clip's Hugging Face code.

    False only for built-in configs whose text tower is open_clip's own and
    that are not CoCa; hub and local-directory models are read at load time,
    so they count as needing it.
    """
    if model_name.startswith(("hf-hub:", "local-dir:")):
        return True
    cfg = open_clip.get_model_config(model_name)
    if cfg is None:
        return True
    return "hf_model_name" in cfg.get("text_cfg", {}) or "multimodal_cfg" in cfg
