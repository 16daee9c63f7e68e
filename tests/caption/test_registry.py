from __future__ import annotations

import sys

import pytest

from tests.caption.evidence import sample_request
from vidclip.caption.registry import backends, get_captioner
from vidclip.caption.template import TemplateCaptioner
from vidclip.config import CaptionOptions
from vidclip.errors import ConfigError, ModelError, WeightsMissingError


def test_template_is_the_default_and_needs_nothing():
    assert isinstance(get_captioner(), TemplateCaptioner)
    assert backends()["template"] is None


def test_unknown_backend_names_the_known_ones():
    with pytest.raises(ConfigError, match="known: openai, template, transformers"):
        get_captioner(CaptionOptions(backend="gpt"))


@pytest.mark.parametrize(
    ("backend", "options", "message"),
    [
        pytest.param("template", {"model": "x"}, "takes no options", id="template-options"),
        pytest.param("openai", {"temprature": 0.1}, "'temprature'", id="misspelt-option"),
        pytest.param("openai", {"max_concurrency": 0}, "'max_concurrency'", id="out-of-range"),
        pytest.param("openai", {"caption_prompt": "scene_caption@x"}, "name@version",
                     id="bad-prompt-ref"),
        pytest.param("openai", {"caption_prompt": "scene_caption@99"}, "no version 99",
                     id="missing-prompt-version"),
    ],
)
def test_bad_options_are_one_line_config_errors(backend, options, message):
    pytest.importorskip("openai")
    with pytest.raises(ConfigError, match=message):
        get_captioner(CaptionOptions(backend=backend, options=options)).setup()


def test_openai_without_key_or_base_url_says_what_to_set(monkeypatch):
    pytest.importorskip("openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="API key"):
        get_captioner(CaptionOptions(backend="openai")).setup()


def test_missing_package_becomes_a_model_error_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)  # makes `import openai` fail
    monkeypatch.delitem(sys.modules, "vidclip.caption.openai_backend", raising=False)
    with pytest.raises(ModelError, match=r"pip install 'vidclip\[llm\]'"):
        get_captioner(CaptionOptions(backend="openai"))


def test_transformers_with_no_model_at_the_path_is_weights_missing(tmp_path):
    pytest.importorskip("transformers")
    captioner = get_captioner(CaptionOptions(backend="transformers",
                                             options={"model": str(tmp_path / "nothing")}))
    with pytest.raises(WeightsMissingError, match="no local text-generation model"):
        captioner.setup()


def test_the_hedge_threshold_is_one_caption_setting_not_a_backend_option():
    pytest.importorskip("openai")
    with pytest.raises(ConfigError, match="'hedge_below'"):
        get_captioner(CaptionOptions(backend="openai", options={"hedge_below": 0.5}))
    strict = get_captioner(CaptionOptions(hedge_below=0.95)).caption(sample_request(scenes=1))
    assert strict.scenes[0].text == "The scene appears to show a dog, a beach and a ball."
    default = get_captioner().caption(sample_request(scenes=1))
    assert default.scenes[0].text == "The scene shows a dog and a beach and appears to show a ball."
