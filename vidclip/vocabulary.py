"""Vocabularies, prompt templates and their cached text embeddings.

A vocabulary is plain data: ``.txt`` files with one label per line (``#``
comments and blank lines ignored), or a directory of them. A line may add
a short list of aliases after a bar, ``speedboat | boat``: other words a
caption may use for the label (grounding, :mod:`vidclip.caption.content`).
Aliases are never embedded or scored; a vocabulary without any keeps the
hash it had before aliases existed. Each label is
embedded as the normalised mean of its prompt-template ensemble
(``"a photo of {}."``, ``"a still from a video of {}."``, ...), the practice
CLIP's authors showed gains several points of zero-shot accuracy.

Text embeddings are computed once per (encoder, labels, templates) and cached
on disk in the caller's cache directory (the pipeline's ``cache_dir``:
``$VIDCLIP_CACHE_DIR`` or ``~/.cache/vidclip`` unless given), keyed by a
SHA-256 of all three, so a worker that restarts or a batch over thousands of
videos never re-embeds the same vocabulary.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

import numpy as np

from vidclip.encode.base import Encoder
from vidclip.english import with_article
from vidclip.errors import ConfigError

log = logging.getLogger(__name__)

_DATA = resources.files("vidclip") / "data"
#: Bundled groups whose labels read best without an article (sports, dishes,
#: styles of footage: "a photo of golf.", "a photo of anime.").
_BARE_GROUPS = {"sports", "food", "video_formats"}
#: Bundled groups whose labels are places (captions may put a thing "in" one).
_PLACES = {"scenes_places"}


@dataclass(frozen=True)
class Vocabulary:
    name: str
    labels: tuple[str, ...]
    templates: tuple[str, ...]
    #: Which bundled file each label came from (for CSV/reporting); may be empty.
    groups: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: Label -> other words a caption may use for it (``label | alias, alias``).
    aliases: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False)

    @property
    def places(self) -> frozenset[str]:
        """Labels of the bundled places group: where a shot takes place."""
        return frozenset(label for label in self.labels if self.groups.get(label) in _PLACES)

    @property
    def embedding_sha256(self) -> str:
        """Of what is embedded: labels and templates (the text-embedding cache key)."""
        h = hashlib.sha256()
        for part in (*self.labels, "\x00", *self.templates):
            h.update(part.encode())
            h.update(b"\n")
        return h.hexdigest()

    @property
    def sha256(self) -> str:
        """Of the whole vocabulary: the embedding hash, extended by aliases if any."""
        if not self.aliases:
            return self.embedding_sha256
        h = hashlib.sha256(self.embedding_sha256.encode())
        for label in self.labels:
            if self.aliases.get(label):
                h.update(f"\x00{label}|{','.join(self.aliases[label])}\n".encode())
        return h.hexdigest()

    def prompts(self, label: str) -> list[str]:
        # "a photo of a dog." reads as CLIP's training captions do; plural,
        # mass and gerund labels stay bare ("a photo of people dancing.").
        bare = self.groups.get(label) in _BARE_GROUPS
        phrase = label if bare else with_article(label)
        return [t.replace("{}", phrase) for t in self.templates]


def read_lines(text: str) -> list[str]:
    out = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            out.append(" ".join(line.split()))
    return out


def split_aliases(lines: list[str]) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """Labels and their aliases from ``label | alias, alias`` lines."""
    labels: list[str] = []
    aliases: dict[str, tuple[str, ...]] = {}
    for line in lines:
        label, bar, rest = line.partition("|")
        label = " ".join(label.split())
        if not label:
            raise ConfigError(f"vocabulary line {line!r} has aliases but no label.")
        labels.append(label)
        if bar:
            found = [" ".join(a.split()) for a in rest.split(",")]
            key = next((k for k in aliases if k.casefold() == label.casefold()), label)
            aliases[key] = tuple(dict.fromkeys((*aliases.get(key, ()), *filter(None, found))))
    return labels, aliases


def _dedupe(labels: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for label in labels:
        key = label.casefold()
        if key not in seen:
            seen.add(key)
            out.append(label)
    return out


def load_templates(spec: str = "default") -> tuple[str, ...]:
    """A bundled template set by name, or a file path; each line holds ``{}``."""
    path = Path(spec).expanduser()
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        bundled = _DATA / "templates" / f"{spec}.txt"
        if not bundled.is_file():
            raise ConfigError(f"prompt templates {spec!r}: no such file or bundled set.")
        text = bundled.read_text(encoding="utf-8")
    templates = tuple(t if "{}" in t else t + " {}" for t in read_lines(text))
    if not templates:
        raise ConfigError(f"prompt templates {spec!r} contain no template.")
    return templates


def load_vocabulary(
    spec: str = "default", *, labels: list[str] | None = None, templates: str = "default"
) -> Vocabulary:
    """Inline ``labels`` win; else ``spec`` is a bundled name, a .txt file or a directory."""
    tmpl = load_templates(templates)
    if labels:
        return Vocabulary("inline", tuple(_dedupe(labels)), tmpl)
    path = Path(spec).expanduser()
    groups: dict[str, str] = {}
    if path.is_file():
        found = read_lines(path.read_text(encoding="utf-8"))
        name = path.stem
    elif path.is_dir():
        found = _read_dir(path, groups)
        name = path.name
    else:
        bundled = _DATA / "vocabularies" / spec
        if not bundled.is_dir():
            raise ConfigError(
                f"vocabulary {spec!r}: no such file, directory or bundled vocabulary "
                f"(bundled: {', '.join(bundled_vocabularies())})."
            )
        found = _read_dir(bundled, groups)
        name = spec
    labels, aliases = split_aliases(found)
    labels = _dedupe(labels)
    if not labels:
        raise ConfigError(f"vocabulary {spec!r} contains no label.")
    kept = {label.casefold(): label for label in labels}
    aliases = {kept[k.casefold()]: v for k, v in aliases.items()}
    return Vocabulary(name, tuple(labels), tmpl, groups, MappingProxyType(aliases))


def _read_dir(path, groups: dict[str, str]) -> list[str]:
    found: list[str] = []
    for item in sorted(path.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".txt"):
            lines = read_lines(item.read_text(encoding="utf-8"))
            for label in split_aliases(lines)[0]:
                groups.setdefault(label, item.name[:-4])
            found.extend(lines)
    return found


def bundled_vocabularies() -> list[str]:
    root = _DATA / "vocabularies"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


#: Prompts per encoder call while filling the cache: the unit of progress.
EMBED_CHUNK = 512
#: The bar appears only when filling the cache takes longer than this.
BAR_DELAY_S = 1.0
#: progress(done, total): prompts embedded so far, out of all that miss the cache.
EmbedProgressFn = Callable[[int, int], None]


class TextEncoder(Protocol):
    """What the text cache needs: an :class:`Encoder`, or any text tower with a cache key."""

    @property
    def cache_key(self) -> str: ...

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray: ...


def embed_prompt_sets(
    encoder: TextEncoder,
    prompt_sets: list[list[str]],
    key: str,
    cache_dir: Path | None,
    *,
    progress: EmbedProgressFn | None = None,
    bar: bool | None = None,
    what: str = "prompts",
) -> np.ndarray:
    """Mean embedding of each prompt set, normalised; cached under ``cache_dir`` by ``key``.

    ``cache_dir=None`` computes without a disk cache. Only a cache miss
    embeds anything (the first run with a model and a vocabulary). Then
    ``progress(done, total)`` is called after every chunk of prompts, and a
    progress bar is drawn on stderr when ``bar`` (default: stderr is a
    terminal) -- it says what is embedded and that it happens once. ``what``
    names the prompts in that bar.
    """
    digest = hashlib.sha256(f"{encoder.cache_key}|{key}".encode()).hexdigest()[:32]
    path = cache_dir / "text" / f"{digest}.npy" if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            cached = np.load(path)
            if cached.shape[0] == len(prompt_sets):
                return cached
        except (OSError, ValueError):
            pass  # a torn or foreign file: recompute and overwrite
    flat = [p for prompts in prompt_sets for p in prompts]
    emb = _embed_flat(encoder, flat, progress, bar, f"{len(prompt_sets):,} {what}", cache_dir)
    out = np.empty((len(prompt_sets), emb.shape[1]), dtype=np.float32)
    pos = 0
    for i, prompts in enumerate(prompt_sets):
        mean = emb[pos : pos + len(prompts)].mean(axis=0)
        out[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        pos += len(prompts)
    if path is not None:
        _atomic_save(path, out)
    return out


def _embed_flat(
    encoder: TextEncoder, texts: list[str], progress: EmbedProgressFn | None, bar: bool | None,
    what: str, cache_dir: Path | None,
) -> np.ndarray:
    """``encoder.encode_texts(texts)``, in chunks of similar length, reporting progress."""
    from tqdm.auto import tqdm

    # Shortest first by characters (a proxy for tokens): each chunk holds
    # prompts of similar length, so an encoder that trims padding per batch
    # (vidclip.encode.clip_text) pads little.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    total = len(texts)
    if bar is None:
        bar = sys.stderr.isatty()
    log.info("embedding %d prompts for %s with %s (first run only; cached in %s)",
             total, what, encoder.cache_key, cache_dir / "text" if cache_dir else "no cache")
    desc = f"Embedding {what} (first run only, then cached)"
    chunks = []
    with tqdm(total=total, desc=desc, unit="prompt", file=sys.stderr, disable=not bar,
              delay=BAR_DELAY_S, leave=False) as pbar:
        for start in range(0, total, EMBED_CHUNK):
            idx = order[start : start + EMBED_CHUNK]
            chunks.append(encoder.encode_texts([texts[i] for i in idx]))
            pbar.update(len(idx))
            if progress is not None:
                progress(min(start + EMBED_CHUNK, total), total)
    if not chunks:
        return np.zeros((0, 0), np.float32)
    emb = np.concatenate(chunks)
    out = np.empty_like(emb)
    out[order] = emb
    return out


def _atomic_save(path: Path, array: np.ndarray) -> None:
    # Several workers may fill the cache at once: write aside, then rename.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, array)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs speed


def embed_vocabulary(
    encoder: Encoder, vocab: Vocabulary, cache_dir: Path | None, *,
    progress: EmbedProgressFn | None = None, bar: bool | None = None,
) -> np.ndarray:
    """``(len(labels), D)`` label embeddings, template-ensembled (see :func:`embed_prompt_sets`)."""
    return embed_prompt_sets(
        encoder, [vocab.prompts(label) for label in vocab.labels],
        f"vocab:v3:{vocab.embedding_sha256}", cache_dir, progress=progress, bar=bar,
        what=f"labels x {len(vocab.templates)} templates",
    )


def neutral_anchor(
    encoder: TextEncoder, cache_dir: Path | None, *, progress: EmbedProgressFn | None = None,
    bar: bool | None = None,
) -> np.ndarray:
    """The calibration anchor: one vector for "a photo of nothing in particular"."""
    prompts = read_lines((_DATA / "templates" / "neutral.txt").read_text(encoding="utf-8"))
    key = "neutral:" + hashlib.sha256("\n".join(prompts).encode()).hexdigest()
    return embed_prompt_sets(encoder, [prompts], key, cache_dir, progress=progress, bar=bar,
                             what="neutral prompts")[0]
