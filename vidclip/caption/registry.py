"""Caption backends by name: ``get_captioner(options) -> Captioner``.

``template`` needs nothing. ``openai`` and ``transformers`` live in modules
whose imports may fail when the ``llm`` extra is not installed; they are
imported only when asked for, and a missing package becomes a
:class:`~vidclip.errors.ModelError` that says what to install, instead of an
ImportError at startup. Third parties add backends with :func:`register`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from vidclip.caption.base import Captioner
from vidclip.config import CaptionOptions
from vidclip.errors import ConfigError, ModelError

Factory = Callable[[CaptionOptions], Captioner]

_INSTALL = "pip install 'vidclip[llm]'"


def _template(options: CaptionOptions) -> Captioner:
    from vidclip.caption.template import TemplateCaptioner

    if options.options:
        raise ConfigError(f"the template captioner takes no options (got "
                          f"{', '.join(sorted(options.options))})")
    return TemplateCaptioner(options.hedge_below)


def _openai(options: CaptionOptions) -> Captioner:
    try:
        from vidclip.caption.openai_backend import OpenAICaptioner, OpenAISettings
    except ImportError as exc:
        raise ModelError(f"{exc}: {_INSTALL}") from None
    from vidclip.caption.llm import parse_settings

    settings = parse_settings(OpenAISettings, options.options, "openai")
    return OpenAICaptioner(settings, options.hedge_below)


def _transformers(options: CaptionOptions) -> Captioner:
    try:
        from vidclip.caption.transformers_backend import (
            TransformersCaptioner,
            TransformersSettings,
        )
    except ImportError as exc:
        raise ModelError(f"{exc}: {_INSTALL}") from None
    from vidclip.caption.llm import parse_settings

    settings = parse_settings(TransformersSettings, options.options, "transformers")
    return TransformersCaptioner(settings, options.hedge_below)


_FACTORIES: dict[str, Factory] = {
    "template": _template,
    "openai": _openai,
    "transformers": _transformers,
}
#: Packages each optional backend imports; checked without importing them.
_NEEDS: dict[str, tuple[str, ...]] = {
    "openai": ("openai",),
    "transformers": ("torch", "transformers"),
}


def register(name: str, factory: Factory, needs: tuple[str, ...] = ()) -> None:
    """Add (or replace) a backend; ``needs`` lists the modules it imports."""
    _FACTORIES[name] = factory
    _NEEDS[name] = needs


def backends() -> dict[str, str | None]:
    """Every backend name with ``None`` when usable, else what is missing."""
    status: dict[str, str | None] = {}
    for name in _FACTORIES:
        missing = [m for m in _NEEDS.get(name, ()) if importlib.util.find_spec(m) is None]
        status[name] = f"needs {', '.join(missing)}: {_INSTALL}" if missing else None
    return status


def get_captioner(options: CaptionOptions | None = None) -> Captioner:
    """Build the captioner ``options.backend`` names, with its ``options.options``.

    Nothing heavy happens here: models load and clients open in ``setup()``.
    """
    options = options or CaptionOptions()
    factory = _FACTORIES.get(options.backend)
    if factory is None:
        raise ConfigError(f"unknown caption backend {options.backend!r} (known: "
                          f"{', '.join(sorted(_FACTORIES))})")
    return factory(options)
