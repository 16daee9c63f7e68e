"""The documentation: the MkDocs site builds strictly, and the READMEs' links resolve.

GitHub renders ``README.md`` and ``docker/README.md`` itself, so their links are
plain relative file links, checked here against the repository (and their
anchors against the target's headings, slugged as GitHub does). The site in
``docs/`` is built by MkDocs with ``strict: true`` and the link validation of
``mkdocs.yml``: a broken page link or anchor, an absolute link or a page left
out of the nav is a warning, and any warning fails the build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
READMES = ("README.md", "docker/README.md")

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
_HREF = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""", re.I)
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)


def _prose(markdown: str) -> str:
    """The text outside code blocks and code spans, where links are links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", markdown))


def _links(markdown: str) -> list[str]:
    text = _prose(markdown)
    return [m.group(1) for pattern in (_INLINE_LINK, _REFERENCE, _HREF)
            for m in pattern.finditer(text)]


def _github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"[`*_]", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_github_slug(h) for h in _HEADING.findall(text)}


def _broken_links(readme: Path, root: Path = REPO) -> list[str]:
    broken = []
    for target in _links(readme.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto: ...
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (readme.parent / file_part).resolve() if file_part else readme
        if file_part.startswith("/"):
            broken.append(f"{target}: absolute; GitHub wants a path relative to the file")
        elif not resolved.is_relative_to(root) or not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: {resolved.name} has no heading with that anchor")
    return broken


@pytest.mark.parametrize("name", READMES)
def test_readme_links_resolve_to_files_of_the_repository(name):
    readme = REPO / name
    assert _links(readme.read_text(encoding="utf-8")), f"{name} links nowhere"
    assert _broken_links(readme) == [], f"{name}: broken links"


def test_the_link_check_catches_a_missing_file_and_anchor(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("[ok](#here)\n\n## Here\n\n[gone](docs/nothing-here.md) "
                      "[bad anchor](#not-a-heading)\n\n```\n[in code](ignored.md)\n```\n")
    broken = _broken_links(readme, root=tmp_path)
    assert [b.split(":")[0] for b in broken] == ["docs/nothing-here.md", "#not-a-heading"]


def test_readme_is_a_front_door():
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 200, f"README.md has {lines} lines: move the detail into docs/"


# -- the MkDocs site ------------------------------------------------------------------
def _mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("mkdocs", reason="MkDocs is not installed (pip install -e '.[docs]')")
    pytest.importorskip("material", reason="mkdocs-material is not installed "
                                           "(pip install -e '.[docs]')")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life banner
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
         "--site-dir", str(site)],
        cwd=config.parent, env=env, capture_output=True, text=True, timeout=300)


def test_the_site_builds_strictly_with_no_warning(tmp_path):
    done = _mkdocs_build(REPO / "mkdocs.yml", tmp_path / "site")
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "WARNING" not in log, log
    pages = {p.relative_to(tmp_path / "site").as_posix()
             for p in (tmp_path / "site").rglob("index.html")}
    assert {"index.html", "getting-started/index.html", "containers/index.html"} <= pages
    containers = (tmp_path / "site" / "containers" / "index.html").read_text(encoding="utf-8")
    assert "VIDCLIP_BROKER_URL" in containers  # the settings came in from docker/README.md


def test_a_broken_link_anchor_or_unlisted_page_fails_the_build(tmp_path):
    """The guard itself: the same configuration over a copy with faults put in."""
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    (tmp_path / "docker").mkdir()
    shutil.copy(REPO / "docker" / "README.md", tmp_path / "docker" / "README.md")
    with (tmp_path / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write("\n[a](no-such-page.md) [b](cli.md#no-such-anchor) [c](/absolute.md)\n")
    (tmp_path / "docs" / "left-out.md").write_text("# Not in the nav\n")
    done = _mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    log = done.stdout + done.stderr
    assert done.returncode != 0, log
    for fault in ("no-such-page.md", "#no-such-anchor", "/absolute.md", "left-out.md"):
        assert fault in log, (fault, log)
