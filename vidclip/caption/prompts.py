"""Versioned prompt templates for the language-model captioners.

A template is a plain file ``<name>.v<version>.txt`` in ``prompts/``::

    ---
    name: scene_caption        # must match the file name
    version: 1                 # must match the file name
    description: ...
    max_tokens: 40             # default generation budget
    stop: ["\\n"]              # stop sequences
    ---
    [system]
    Instructions, with $placeholders.
    [strict]
    Added to the system text when a first answer failed the grounding check.
    [user]
    Few-shot examples, then the query with $placeholders.
    [words]
    Added to the system text when the scene has spoken or on-screen words.
    [words_user]
    Examples that use such words, put where the user text says ${words_examples}.

Placeholders use :class:`string.Template` syntax (``$name`` / ``${name}``) so
braces in prompt text need no escaping. ``[strict]``, ``[words]`` and
``[words_user]`` are optional; a template without ``[words]`` renders the
same whether or not the scene has words, and one with them renders, for a
scene without words, exactly as if they were not there. Results
record the template as ``name@version``; editing a released template means
adding a new version file, so old results stay explainable.

The repository's top-level ``prompts/`` folder is the one source. The
package reaches it as ``vidclip/caption/prompt_files``: a link to it in a
checkout, which the wheel build follows, so an installed wheel carries
copies there (package data in pyproject.toml). Where a checkout has no
links (Windows without symlink support), the loader reads ``prompts/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

import yaml

from vidclip.errors import ConfigError

#: Inside the package: the wheel's copies, or a link to prompts/ in a checkout.
PACKAGED_PROMPTS_DIR = Path(__file__).parent / "prompt_files"
#: The repository's prompts/ folder, next to the vidclip package in a checkout.
CHECKOUT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

_FILE_RE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.txt$")
_SECTION_RE = re.compile(r"^\[(system|strict|user|words|words_user)\][ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class RenderedPrompt:
    """One prompt ready for a backend: chat endpoints get ``system`` + ``user``
    as two messages, completion endpoints and local models get :attr:`text`."""

    system: str
    user: str
    max_tokens: int
    stop: tuple[str, ...]
    #: ``name@version`` of the template it came from.
    template: str

    @property
    def text(self) -> str:
        return f"{self.system}\n\n{self.user}"


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    description: str
    system: str
    user: str
    strict: str | None = None
    max_tokens: int = 40
    stop: tuple[str, ...] = ("\n",)
    #: Instructions for evidence with spoken or on-screen words (added to ``system``).
    words: str | None = None
    #: Examples for such evidence, filling ``${words_examples}`` of ``user``.
    words_user: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, values: dict[str, str], *, strict_values: dict[str, str] | None = None,
               max_tokens: int | None = None, words: bool = False) -> RenderedPrompt:
        """Fill the placeholders; ``strict_values`` adds the ``[strict]`` text, ``words``
        the ``[words]`` text and examples (the evidence has spoken or written words)."""
        examples = f"{self.words_user}\n\n" if words and self.words_user else ""
        # The words lines are empty for evidence without words (and callers that have none).
        values = {"speech_line": "", "text_line": "", **values, "words_examples": examples}
        system = self._fill(self.system, values)
        if words and self.words:
            system = f"{system} {self._fill(self.words, values)}"
        if strict_values is not None and self.strict:
            system = f"{system}\n{self._fill(self.strict, {**values, **strict_values})}"
        return RenderedPrompt(
            system=system,
            user=self._fill(self.user, values),
            max_tokens=max_tokens or self.max_tokens,
            stop=self.stop,
            template=self.ref,
        )

    def _fill(self, text: str, values: dict[str, str]) -> str:
        try:
            return Template(text).substitute(values)
        except (KeyError, ValueError) as exc:
            raise ConfigError(
                f"prompt template {self.ref} uses a placeholder the captioner does not "
                f"provide or a stray '$': {exc}"
            ) from None


def available(directory: Path | str | None = None) -> dict[str, list[int]]:
    """Template names in ``directory`` with their versions, oldest first."""
    folder = _folder(directory)
    found: dict[str, list[int]] = {}
    for path in folder.iterdir():
        match = _FILE_RE.match(path.name)
        if match:
            found.setdefault(match["name"], []).append(int(match["version"]))
    return {name: sorted(versions) for name, versions in sorted(found.items())}


def load_prompt(
    name: str, version: int | None = None, directory: Path | str | None = None
) -> PromptTemplate:
    """The template ``name`` at ``version`` (default: the newest one there)."""
    folder = _folder(directory)
    versions = available(folder).get(name)
    if not versions:
        raise ConfigError(f"no prompt template named {name!r} in {folder}")
    if version is None:
        version = versions[-1]
    elif version not in versions:
        raise ConfigError(
            f"prompt template {name!r} has no version {version} in {folder} "
            f"(available: {', '.join(map(str, versions))})"
        )
    return _parse(folder / f"{name}.v{version}.txt")


def default_prompts_dir() -> Path:
    """The bundled templates: in the package if it has them, else the checkout's."""
    for folder in (PACKAGED_PROMPTS_DIR, CHECKOUT_PROMPTS_DIR):
        if folder.is_dir():
            return folder
    raise ConfigError(f"the bundled prompt templates are missing: neither "
                      f"{PACKAGED_PROMPTS_DIR} nor {CHECKOUT_PROMPTS_DIR} exists")


def _folder(directory: Path | str | None) -> Path:
    if directory is None:
        return default_prompts_dir()
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"prompt folder {folder} does not exist")
    return folder


@lru_cache(maxsize=64)
def _parse(path: Path) -> PromptTemplate:
    text = path.read_text(encoding="utf-8")
    parts = text.split("---\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ConfigError(f"prompt template {path} must start with a '---' front-matter block")
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"prompt template {path} has invalid front matter: {exc}") from None
    match = _FILE_RE.match(path.name)
    if not isinstance(meta, dict) or not match:
        raise ConfigError(f"prompt template {path} has no name/version front matter")
    if meta.get("name") != match["name"] or meta.get("version") != int(match["version"]):
        raise ConfigError(
            f"prompt template {path} says {meta.get('name')}@{meta.get('version')} "
            "but its file name says otherwise"
        )
    sections = _sections(parts[2], path)
    stop = meta.get("stop", ["\n"])
    return PromptTemplate(
        name=meta["name"],
        version=meta["version"],
        description=str(meta.get("description", "")),
        system=sections["system"],
        user=sections["user"],
        strict=sections.get("strict"),
        words=sections.get("words"),
        words_user=sections.get("words_user"),
        max_tokens=int(meta.get("max_tokens", 40)),
        stop=tuple(stop) if isinstance(stop, list) else (str(stop),),
    )


def _sections(body: str, path: Path) -> dict[str, str]:
    pieces = _SECTION_RE.split(body)
    # split() yields [before, name1, text1, name2, text2, ...]
    sections = {name: pieces[i + 1].strip("\n") for i, name in enumerate(pieces) if i % 2 == 1}
    missing = {"system", "user"} - sections.keys()
    if missing:
        raise ConfigError(f"prompt template {path} lacks the section(s) {sorted(missing)}")
    # The user text must end exactly where the model continues ("Caption:").
    sections["user"] = sections["user"].rstrip()
    return sections
