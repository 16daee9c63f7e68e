"""Cue layout for timed text (WebVTT captions/descriptions, SRT).

:func:`layout_cues` turns scene-timed texts into cues that follow common
timed-text practice: at most ``max_lines`` lines of at most ``max_line``
characters, a reading rate of at most ``max_cps`` characters per second, no
cue shorter than ``min_duration_s`` and no two cues overlapping. Writers
serialise its output; they do not re-wrap. :func:`format_timestamp` gives
both the WebVTT and the SRT time notation.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

ELLIPSIS = "\u2026"

#: (start_s, end_s, text)
TimedText = tuple[float, float, str]


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    #: Lines joined with "\n"; never empty.
    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def chars(self) -> int:
        """Characters a viewer reads: line breaks count as one space."""
        return len(self.text.replace("\n", " "))

    @property
    def cps(self) -> float:
        return self.chars / self.duration_s if self.duration_s > 0 else float("inf")


def layout_cues(
    cues: list[TimedText],
    max_line: int = 42,
    max_lines: int = 2,
    max_cps: float = 20.0,
    min_duration_s: float = 1.0,
    *,
    end_limit_s: float | None = None,
    shorten: bool = True,
) -> list[Cue]:
    """Lay out scene-timed texts as readable, non-overlapping cues.

    ``cues`` are ``(start_s, end_s, text)`` items, one per scene, in any order.
    Steps, in order:

    1. Clean: whitespace is collapsed; items with empty text or ``end <= start``
       are dropped; items are sorted by start, and an item that starts before
       the previous one ends cuts the previous one short there.
    2. Merge: an item shorter than ``min_duration_s`` is merged with its next
       neighbour (the previous one for the last item): the time ranges join and
       the texts are concatenated (identical texts are kept once). A lone item
       still too short is extended to ``min_duration_s`` (never past
       ``end_limit_s``, the video's end, when given; so a video shorter than
       ``min_duration_s`` gets one shorter cue).
    3. Time budget: an item may also use the gap before the next item starts
       (the last one: up to ``end_limit_s``, if given), but only as much as its
       text needs at ``max_cps``; if that is still too little, it may take the
       next item's spare time (what that item's own text does not need), so the
       next cue starts a little later: a caption read partly into the next
       shot says more than one cut short ("The scene shows a…").
    4. Split: the text is broken into chunks of at most ``max_lines`` lines of
       at most ``max_line`` characters, sentence ends preferred as chunk
       breaks, lines balanced within a chunk; a word longer than ``max_line``
       is cut. Each chunk becomes one cue inside the item's time range; each
       gets ``max(min_duration_s, chars / max_cps)`` and the spare time is
       shared in proportion to the characters.
    5. Shorten: if the chunks cannot all fit (too little time for the reading
       rate or the minimum duration), and ``shorten`` is true, words are
       dropped from the end and an ellipsis marks the cut, until they fit; with
       ``shorten=False`` the whole text is kept and the rate may exceed
       ``max_cps``. A single word that cannot fit is kept whole.

    Result: cues sorted by start, ``start < end``, non-overlapping (a cue may
    end exactly where the next begins), times rounded to milliseconds.
    """
    items = _merge_short(_clean(cues), min_duration_s, end_limit_s)
    out: list[Cue] = []
    for i, (start, end, text) in enumerate(items):
        if i + 1 < len(items):
            limit = items[i + 1][0]
        else:
            limit = end if end_limit_s is None else max(end, end_limit_s)
        chunks = split_text(text, max_line, max_lines)
        need = _needed(chunks, max_cps, min_duration_s)
        if need > end - start:
            # Borrow the gap after the item, only as much as the text needs.
            end = max(end, min(start + need, limit))
        if need > end - start + 1e-9 and i + 1 < len(items):
            # Then the next item's spare time; it starts later, keeping its own need.
            nxt = items[i + 1]
            nxt_need = _needed(split_text(nxt[2], max_line, max_lines), max_cps, min_duration_s)
            take = min(need - (end - start), (nxt[1] - nxt[0]) - nxt_need)
            if take > 0:
                end = nxt[0] = nxt[0] + take
        # A video shorter than the minimum cannot meet it; do not cut text for that.
        floor = min(min_duration_s, end - start)
        need = _needed(chunks, max_cps, floor)
        while shorten and need > end - start + 1e-9 and len(text.split()) > 1:
            text = _drop_last_word(text)
            chunks = split_text(text, max_line, max_lines)
            need = _needed(chunks, max_cps, floor)
        out.extend(_time_chunks(start, end, chunks, max_cps, floor))
    return out


def split_text(text: str, max_line: int = 42, max_lines: int = 2) -> list[str]:
    """Break ``text`` into cue texts of at most ``max_lines`` lines of at most
    ``max_line`` characters (lines joined by "\\n"), in reading order.

    Sentences are packed whole into a chunk while they fit; a sentence too
    long for one chunk is spread over several. Within a chunk the line break
    goes where the lines come out most even.
    """
    words_per_sentence = [s.split() for s in _sentences(text)]
    chunks: list[list[str]] = []
    for words in words_per_sentence:
        words = [piece for w in words for piece in _cut_word(w, max_line)]
        if chunks and len(_wrap(chunks[-1] + words, max_line)) <= max_lines:
            chunks[-1] = chunks[-1] + words
            continue
        lines = _wrap(words, max_line)
        for i in range(0, len(lines), max_lines):
            chunks.append(" ".join(lines[i:i + max_lines]).split())
    return ["\n".join(_balance(words, max_line, max_lines)) for words in chunks if words]


def merge_texts(texts: list[str]) -> str:
    """Join texts of merged items, dropping exact repeats and doubled stops."""
    kept: list[str] = []
    for text in texts:
        text = text.strip()
        if text and not re.search(r"[.!?\u2026]$", text):
            text += "."
        if text and text not in kept:
            kept.append(text)
    return " ".join(kept)


def escape_vtt(text: str) -> str:
    """Cue text as WebVTT reads it: ``&``, ``<`` and ``>`` are character
    references (a person's edit may hold them; a player must show, not parse,
    them), which also keeps an arrow from ending the timing line."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_timestamp(seconds: float, *, srt: bool = False) -> str:
    """``HH:MM:SS.mmm`` (WebVTT) or ``HH:MM:SS,mmm`` (SRT)."""
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if srt else '.'}{ms:03d}"


def _clean(cues: list[TimedText]) -> list[list]:
    items: list[list] = sorted(
        ([float(s), float(e), " ".join(str(t).split())] for s, e, t in cues),
        key=lambda item: (item[0], item[1]),
    )
    kept = [item for item in items if item[2] and item[1] > item[0]]
    for prev, cur in itertools.pairwise(kept):
        if cur[0] < prev[1]:
            prev[1] = cur[0]
    return [item for item in kept if item[1] > item[0]]


def _merge_short(items: list[list], min_duration_s: float, end_limit_s: float | None) -> list:
    i = 0
    while i < len(items):
        start, end, _ = items[i]
        if end - start >= min_duration_s - 1e-9 or len(items) == 1:
            i += 1
            continue
        j = i + 1 if i + 1 < len(items) else i - 1
        a, b = sorted((i, j))
        items[a] = [items[a][0], items[b][1], merge_texts([items[a][2], items[b][2]])]
        del items[b]
        i = min(i, a)  # look at the merged item again
    if len(items) == 1 and items[0][1] - items[0][0] < min_duration_s:
        end = items[0][0] + min_duration_s
        items[0][1] = min(end, end_limit_s) if end_limit_s is not None else end
        items[0][1] = max(items[0][1], items[0][0] + 0.001)
    return items


def _needed(chunks: list[str], max_cps: float, min_duration_s: float) -> float:
    return sum(max(min_duration_s, len(c.replace("\n", " ")) / max_cps) for c in chunks)


def _time_chunks(start: float, end: float, chunks: list[str], max_cps: float,
                 min_duration_s: float) -> list[Cue]:
    sizes = [len(c.replace("\n", " ")) for c in chunks]
    base = [max(min_duration_s, n / max_cps) for n in sizes]
    spare = max(0.0, (end - start) - sum(base))
    if sum(base) > end - start + 1e-9:  # shorten=False or one unfittable word: squeeze
        base, spare = [(end - start) * n / sum(sizes) for n in sizes], 0.0
    cues, t = [], start
    for i, (chunk, n, b) in enumerate(zip(chunks, sizes, base)):
        t_end = end if i == len(chunks) - 1 else t + b + spare * n / sum(sizes)
        cues.append(Cue(round(t, 3), round(t_end, 3), chunk))
        t = t_end
    return cues


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?\u2026])\s+", text.strip()) if s]


def _cut_word(word: str, max_line: int) -> list[str]:
    return [word[i:i + max_line] for i in range(0, len(word), max_line)]


def _wrap(words: list[str], max_line: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= max_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _balance(words: list[str], max_line: int, max_lines: int) -> list[str]:
    """Greedy wrap, then for two lines move the break to even the lengths."""
    lines = _wrap(words, max_line)
    if len(lines) != 2 or max_lines < 2:
        return lines
    best = lines
    for k in range(1, len(words)):
        top, bottom = " ".join(words[:k]), " ".join(words[k:])
        if len(top) <= max_line and len(bottom) <= max_line and \
                abs(len(top) - len(bottom)) < abs(len(best[0]) - len(best[1])):
            best = [top, bottom]
    return best


def _drop_last_word(text: str) -> str:
    words = text.rstrip(ELLIPSIS).split()[:-1]
    return " ".join(words).rstrip(",;:.") + ELLIPSIS
