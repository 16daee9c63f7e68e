"""Named caption styles (``--caption-style``): overrides of TimedTextOptions.

``adult`` is broadcast practice (20 characters a second, BBC/Netflix adult
programmes); ``children`` reads slower (17 characters a second, as the DCMP
Captioning Key and Netflix's children's guidelines ask), the rest the same.
"""

from __future__ import annotations

from typing import Any

CAPTION_STYLES: dict[str, dict[str, Any]] = {
    "adult": {"max_cps": 20.0},
    "children": {"max_cps": 17.0},
}


def caption_style(name: str) -> dict[str, Any]:
    """The ``timed_text`` overrides of the style ``name``."""
    try:
        return dict(CAPTION_STYLES[name])
    except KeyError:
        raise ValueError(f"unknown caption style {name!r}; choose from "
                         f"{', '.join(CAPTION_STYLES)}") from None
