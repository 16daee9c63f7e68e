"""The bundled prompt templates and the neutral calibration prompts."""

from __future__ import annotations

import pytest

from tests.data._lines import DATA_DIR, read_entries

TEMPLATE_DIR = DATA_DIR / "templates"


@pytest.mark.parametrize(("name", "least", "most"), [("default", 8, 16), ("single", 1, 1)])
def test_label_templates_have_one_slot(name: str, least: int, most: int) -> None:
    templates = read_entries(TEMPLATE_DIR / f"{name}.txt")
    assert least <= len(templates) <= most
    assert len(set(templates)) == len(templates), f"{name}.txt repeats a template"
    for template in templates:
        assert template.count("{}") == 1, f"{template!r} needs exactly one {{}}"
        # str.format would choke on other braces.
        assert template.format("dog").count("dog") == 1


def test_single_template_is_in_the_default_ensemble() -> None:
    single = read_entries(TEMPLATE_DIR / "single.txt")
    assert set(single) <= set(read_entries(TEMPLATE_DIR / "default.txt"))


def test_neutral_prompts_have_no_slot() -> None:
    prompts = read_entries(TEMPLATE_DIR / "neutral.txt")
    assert 3 <= len(prompts) <= 16
    assert len(set(prompts)) == len(prompts)
    assert not [p for p in prompts if "{" in p or "}" in p]
