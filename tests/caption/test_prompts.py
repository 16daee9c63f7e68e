from __future__ import annotations

import pytest

from vidclip.caption.prompts import available, load_prompt
from vidclip.errors import ConfigError

VALUES = {"language": "English", "start": "0:00", "end": "0:05", "tags": "dog (high)",
          "flags_line": "", "scene_lines": "- A dog runs."}


@pytest.mark.parametrize("name", ["scene_caption", "summary", "audio_description"])
def test_bundled_templates_render_and_end_where_the_model_continues(name):
    template = load_prompt(name)
    assert template.ref == f"{name}@{template.version}"
    prompt = template.render(VALUES)
    assert "$" not in prompt.text
    assert prompt.user.endswith(":")
    assert prompt.stop == ("\n",)
    strict = template.render(VALUES, strict_values={"problem": "named 'cat'"})
    assert "'cat'" in strict.system and "'cat'" not in prompt.system


def test_every_bundled_prompt_kind_has_a_version():
    assert {"scene_caption", "summary", "audio_description"} <= set(available())


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


GOOD = "---\nname: demo\nversion: {v}\nmax_tokens: 12\n---\n[system]\nSay $x.\n[user]\nQ: $x\nA:\n"


def test_newest_version_is_the_default_and_older_ones_stay_loadable(tmp_path):
    _write(tmp_path, "demo.v1.txt", GOOD.format(v=1))
    _write(tmp_path, "demo.v2.txt", GOOD.format(v=2))
    assert load_prompt("demo", directory=tmp_path).version == 2
    old = load_prompt("demo", 1, directory=tmp_path)
    assert old.ref == "demo@1" and old.max_tokens == 12 and old.strict is None


@pytest.mark.parametrize(
    ("file_name", "text", "message"),
    [
        pytest.param("demo.v1.txt", GOOD.format(v=3), "file name", id="version-mismatch"),
        pytest.param("demo.v1.txt", "[system]\nx\n[user]\ny\n", "front-matter",
                     id="no-front-matter"),
        pytest.param("demo.v1.txt", "---\nname: demo\nversion: 1\n---\n[user]\ny\n", "section",
                     id="no-system-section"),
    ],
)
def test_malformed_templates_raise_config_errors(tmp_path, file_name, text, message):
    _write(tmp_path, file_name, text)
    with pytest.raises(ConfigError, match=message):
        load_prompt("demo", directory=tmp_path)


def test_missing_template_version_or_placeholder_is_a_config_error(tmp_path):
    _write(tmp_path, "demo.v1.txt", GOOD.format(v=1))
    with pytest.raises(ConfigError, match="no version 7"):
        load_prompt("demo", 7, directory=tmp_path)
    with pytest.raises(ConfigError, match="no prompt template named"):
        load_prompt("other", directory=tmp_path)
    with pytest.raises(ConfigError, match="placeholder"):
        load_prompt("demo", directory=tmp_path).render({})
