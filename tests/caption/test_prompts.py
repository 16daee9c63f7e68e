from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

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


@pytest.mark.parametrize(("name", "kind"), [("scene_caption", "caption"), ("summary", "summary"),
                                            ("audio_description", "description")])
def test_the_newest_examples_pass_the_check_they_teach(name, kind):
    """A few-shot example the content check rejects would teach the model to fail it."""
    import re

    from vidclip.caption.content import check_content, support
    from vidclip.vocabulary import load_vocabulary

    places = load_vocabulary("default").places
    examples = re.findall(r"Tags: (.+)\n(?:Flags.*\n)?(?:Caption|Description|Summary): (.+)",
                          load_prompt(name).user)
    assert len(examples) >= 2
    for tag_line, text in examples:
        labels = [re.sub(r" \((?:high|medium|low)\)$", "", t) for t in tag_line.split(", ")]
        check = check_content(text, support(labels, places=places), kind)
        assert check.ok, f"{text!r}: {check.reason}"


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


def test_without_the_package_link_the_checkout_folder_is_read(monkeypatch, tmp_path):
    from vidclip.caption import prompts

    monkeypatch.setattr(prompts, "PACKAGED_PROMPTS_DIR", tmp_path / "absent")
    assert prompts.default_prompts_dir() == prompts.CHECKOUT_PROMPTS_DIR
    assert load_prompt("scene_caption").ref.startswith("scene_caption@")


REPO = Path(__file__).resolve().parents[2]
_CHECK_INSTALLED = """
import pathlib, sys, vidclip
from vidclip.caption import prompts
site = pathlib.Path(sys.argv[1])
assert pathlib.Path(vidclip.__file__).is_relative_to(site), vidclip.__file__
assert prompts.default_prompts_dir().is_relative_to(site), prompts.default_prompts_dir()
assert not prompts.CHECKOUT_PROMPTS_DIR.exists()
print(sorted(prompts.load_prompt(n).ref for n in prompts.available()))
"""


@pytest.mark.slow
def test_the_wheel_carries_the_prompts_and_the_installed_package_finds_them(tmp_path):
    """Build a wheel of a copy of the project, install it by unpacking, load every prompt."""
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel", reason="building a wheel with this setuptools needs 'wheel'")
    src = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("vidclip", "api", "workers", "prompts"):
        shutil.copytree(REPO / name, src / name, symlinks=True, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(tmp_path / "dist"), str(src)],
                   check=True, capture_output=True, timeout=300)
    wheel, = (tmp_path / "dist").glob("vidclip-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = {Path(n).name: zf.read(n) for n in zf.namelist()
                   if n.startswith("vidclip/caption/prompt_files/")}
        zf.extractall(tmp_path / "site")
    assert shipped == {p.name: p.read_bytes() for p in (REPO / "prompts").glob("*.txt")}
    done = subprocess.run([sys.executable, "-c", _CHECK_INSTALLED, str(tmp_path / "site")],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "scene_caption@3" in done.stdout and "audio_description@2" in done.stdout
