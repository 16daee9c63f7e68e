"""Queries as vectors: text, an image, or a moment of a video ("more like this").

A text query is embedded exactly as a tag is -- the mean of its prompt
templates ("a photo of {}.", ...) -- and searched with ``t - a``, the text
minus the neutral anchor. For a unit moment vector ``m`` the inner product
is then ``cos(m, t) - cos(m, a)``, the quantity :mod:`vidclip.calibration`
turns into a tag's score, so ranking by it ranks by calibrated score and a
hit's score means what a tag's does: 0.5 is "more likely than not".

An image or a frame has no rival to be calibrated against: its hits are
ranked and scored by cosine similarity.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import OrderedDict
from pathlib import Path

import numpy as np

from vidclip.encode.base import Encoder
from vidclip.errors import QueryError
from vidclip.index.archive import MomentIndex, QueryVector
from vidclip.index.checks import MAX_IMAGE_BYTES, check_text
from vidclip.index.identity import ModelIdentity
from vidclip.vocabulary import Vocabulary, embed_prompt_sets, load_templates, neutral_anchor

#: Text queries whose embedding is kept.
RECENT_QUERIES = 256
#: A text query's vector hits scoring below this are noise and left out. A calibrated
#: score near 0 means "no more like the query than like the neutral anchor". The value
#: is the lowest of the meaning benchmark's candidates (``python benchmarks/search.py``,
#: its last table) at which every hit its label queries keep is the right photo: below
#: it, wrong scenes come back as often as right ones, and right scenes scored there are
#: ties with the noise around them.
MIN_TEXT_SCORE = 0.2
#: Refuse images whose pixel count would take the process's memory (a decompression bomb).
MAX_IMAGE_PIXELS = 50_000_000


class QueryEmbedder:
    """Embeds queries with a loaded encoder; build one per process and keep it."""

    def __init__(self, encoder: Encoder, cache_dir: Path | None = None,
                 templates: str = "default"):
        self.encoder = encoder
        self.cache_dir = cache_dir
        self.templates = load_templates(templates)
        encoder.load()
        self.identity = ModelIdentity.of(encoder.info)
        self._anchor = neutral_anchor(encoder, cache_dir, bar=False)
        #: Recent text queries: people repeat them (paging, a shared link), and an
        #: embedding costs a model call of one prompt per template.
        self._recent: OrderedDict[str, QueryVector] = OrderedDict()

    def text(self, text: str) -> QueryVector:
        query = check_text(text)
        if query in self._recent:
            self._recent.move_to_end(query)
            return self._recent[query]
        vector = self._text(query)
        self._recent[query] = vector
        if len(self._recent) > RECENT_QUERIES:
            self._recent.popitem(last=False)
        return vector

    def _text(self, query: str) -> QueryVector:
        vocabulary = Vocabulary("query", (query,), self.templates)
        key = "query:" + hashlib.sha256("\n".join(vocabulary.prompts(query)).encode()).hexdigest()
        # No disk cache: queries rarely repeat and would fill it.
        t = embed_prompt_sets(self.encoder, [vocabulary.prompts(query)], key, None, bar=False)[0]
        return QueryVector((t - self._anchor).astype(np.float32), self.identity,
                           (float(self.encoder.logit_scale), float(self.encoder.score_margin)),
                           min_score=MIN_TEXT_SCORE)

    def image(self, data: bytes, name: str = "the image") -> QueryVector:
        return self.pixels(read_image(data, name))

    def pixels(self, rgb: np.ndarray) -> QueryVector:
        vector = self.encoder.encode_images(self._sized(rgb)[None])[0]
        return QueryVector(np.asarray(vector, np.float32), self.identity)

    def _sized(self, rgb: np.ndarray) -> np.ndarray:
        """Shorter side at the model's input size, as the decoder delivers frames."""
        from PIL import Image

        h, w = rgb.shape[:2]
        side = self.encoder.input_size
        scale = side / min(h, w)
        size = (max(side, round(w * scale)), max(side, round(h * scale)))
        return np.array(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR))

    def frame(self, video: Path, time_s: float) -> QueryVector:
        return self.pixels(frame_at(video, time_s, self.encoder.input_size))

    def like(self, spec: str, index: MomentIndex | None = None) -> QueryVector:
        """``video.mp4@1:23``: the indexed moment covering that time, else that frame embedded."""
        video, time_s = parse_like(spec)
        if index is not None:
            found = index.covering(video.name, time_s)
            if found is not None:
                return QueryVector(found[1].astype(np.float32), index.identity,
                                   exclude_id=found[0])
        return self.frame(video, time_s)


def read_image(data: bytes, name: str = "the image") -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise QueryError(f"{name} is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise QueryError(f"{name} is larger than {MAX_IMAGE_BYTES // 2**20} MB.")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise QueryError(f"{name} is too large ({opened.width}x{opened.height}).")
            return np.array(opened.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise QueryError(f"{name} is not an image (JPEG, PNG, WebP, ...).") from None


_TIME = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)$")


def parse_time(text: str) -> float:
    """``83``, ``1:23``, ``1:02:03.5`` -> seconds."""
    match = _TIME.match(text.strip())
    if not match:
        raise QueryError(f"{text!r} is not a time (seconds, M:SS or H:MM:SS).")
    parts = [p for p in match.groups() if p is not None]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def parse_like(spec: str) -> tuple[Path, float]:
    video, at, when = spec.rpartition("@")
    if not at or not video:
        raise QueryError(f"--like {spec!r}: expected VIDEO@TIME, e.g. clip.mp4@1:23.")
    return Path(video), parse_time(when)


def frame_at(video: Path, time_s: float, short_side: int) -> np.ndarray:
    """The frame shown at ``time_s`` (the last one before the end, past it)."""
    from vidclip.decode.probe import probe_facts
    from vidclip.decode.seek import read_frames

    facts = probe_facts(video)
    if time_s > facts.duration_s + 1e-3:
        raise QueryError(f"{video} is {facts.duration_s:.1f} s long; there is nothing at "
                         f"{time_s:g} s.")
    last = max(facts.frame_count - 1, 0)
    index = min(int((time_s - facts.start_time_s) * (facts.avg_fps or 25.0)), last)
    batch = read_frames(video, [max(index, 0)], short_side=short_side)
    if not len(batch.frames):
        raise QueryError(f"{video}: no frame could be read at {time_s:g} s.")
    return np.asarray(batch.frames[0])
