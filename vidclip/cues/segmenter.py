"""Transcript words -> caption cues, by the timed-text rules.

Rules (DCMP Captioning Key; BBC Subtitle Guidelines; Netflix Timed Text Style
Guide; FCC caption quality: accurate, synchronous, complete, well placed), all
from :class:`~vidclip.config.TimedTextOptions`:

* at most ``max_lines`` lines of at most ``max_line`` characters; one line when
  the words fit one; lines broken at phrase boundaries, never after an
  article, preposition or conjunction (:mod:`.phrases`);
* reading speed at most ``max_cps``: a cue stays up as long as its text needs,
  ``min_duration_s`` at least and ``max_duration_s`` at most;
* ``min_gap_frames`` frames between cues;
* a cue never runs across a shot change (a scene boundary of the analysis): the
  words are split there, and a cue edge within ``snap_frames`` of a cut moves
  onto it (a cue whose words begin that little before a cut shows from the cut);
* a new speaker starts a new cue marked "- " (only where the transcript names
  speakers: a pause alone says nothing sure about who speaks, so it only ends
  a cue);
* sounds only from ``transcript.sounds`` (evidence), never where speech is.

A cue starts at its first word (or the cut it snapped back to); it may start
up to :data:`MAX_LAG_S` late so that the cue before it can be read.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidclip.config import TimedTextOptions
from vidclip.cues.phrases import bad_break_after, ends_clause, ends_sentence
from vidclip.schema import (
    CaptionCue,
    CaptionStyleInfo,
    CaptionTrack,
    SoundEvent,
    Transcript,
    VideoAnalysis,
)

#: Silence this long between words ends a cue (a breath group ends there).
PAUSE_BREAK_S = 1.5
#: How late a cue may start so the one before it meets its reading time.
MAX_LAG_S = 0.5
#: How early a cue may start, before its first word, when what follows leaves
#: it too little time to be read (a cut, or the next cue, close after).
MAX_LEAD_S = 0.75
#: The frame rate the frame rules count in when the video does not say.
DEFAULT_FPS = 25.0
_EPS = 1e-6


@dataclass
class _Word:
    start: float
    end: float
    text: str
    new_speaker: bool = False

    @property
    def mid(self) -> float:
        return (self.start + self.end) / 2


@dataclass
class _Item:
    start: float
    said_end: float
    text: str
    kind: str  # "speech" | "sound"
    #: The middle of the first word: a shot change before it starts the cue.
    first_mid: float = 0.0
    #: When its last word begins: the cue is on screen at least until then.
    last_start: float = 0.0


def shot_changes(analysis: VideoAnalysis) -> list[float]:
    """Times of vidclip's own shot changes: every scene start but the first."""
    return sorted({s.start_s for s in analysis.scenes[1:] if s.start_s > 0})


def frame_rate(analysis: VideoAnalysis) -> float:
    return analysis.video.fps if analysis.video.fps > 0 else DEFAULT_FPS


def style_info(style: TimedTextOptions, fps: float) -> CaptionStyleInfo:
    return CaptionStyleInfo(
        max_line=style.max_line, max_lines=style.max_lines, max_cps=style.max_cps,
        min_duration_s=style.min_duration_s, max_duration_s=style.max_duration_s,
        min_gap_frames=style.min_gap_frames, snap_frames=style.snap_frames, fps=fps)


def build_caption_track(analysis: VideoAnalysis, style: TimedTextOptions) -> CaptionTrack | None:
    """The caption track of ``analysis.transcript``; None without a transcript."""
    transcript = analysis.transcript
    if transcript is None:
        return None
    fps = frame_rate(analysis)
    cuts = shot_changes(analysis)
    groups = _group(transcript_words(transcript), style, cuts, style.snap_frames / fps)
    items = [_Item(g[0].start, g[-1].end, _layout_words(_shown(g, style), style), "speech",
                   g[0].mid, g[-1].start) for g in groups]
    if style.sounds:
        items += _sound_items(transcript.sounds, items, cuts, style, fps)
    items.sort(key=lambda it: it.start)
    cues = _time(items, style, fps, cuts)
    return CaptionTrack(language=transcript.language, style=style_info(style, fps), cues=cues)


def transcript_words(transcript: Transcript) -> list[_Word]:
    """Every word in time order; a segment without word times has its text
    spread evenly over its span (a backend that times segments only)."""
    words: list[_Word] = []
    previous: str | None = None
    for seg in sorted(transcript.segments, key=lambda s: s.start_s):
        timed = [(w.start_s, max(w.end_s, w.start_s), w.text.strip()) for w in seg.words]
        if not timed and seg.text.strip():
            parts = seg.text.split()
            step = max(seg.end_s - seg.start_s, 0.0) / len(parts)
            timed = [(seg.start_s + i * step, seg.start_s + (i + 1) * step, p)
                     for i, p in enumerate(parts)]
        timed = [t for t in timed if t[2]]
        if not timed:
            continue
        changed = seg.speaker is not None and previous is not None and seg.speaker != previous
        for n, (start, end, text) in enumerate(timed):
            words.append(_Word(start, end, text, new_speaker=changed and n == 0))
        previous = seg.speaker if seg.speaker is not None else previous
    return sorted(words, key=lambda w: w.start)


def _shown(group: list[_Word], style: TimedTextOptions) -> list[str]:
    texts = [w.text for w in group]
    if group[0].new_speaker and style.speaker_dash:
        texts[0] = "- " + texts[0]
    return texts


def _chars(texts: list[str]) -> int:
    return len(" ".join(texts))


def _fits(group: list[_Word], style: TimedTextOptions, snap: float) -> bool:
    """Whether the words make one cue; their span leaves room for the cue to
    start ``snap`` early on a cut and still be up when its last word is said."""
    texts = _shown(group, style)
    return (_best_lines(texts, style) is not None
            and _chars(texts) / style.max_cps <= style.max_duration_s + _EPS
            and group[-1].end - group[0].start <= style.max_duration_s - snap + _EPS)


def _must_break(group: list[_Word], word: _Word, cuts: list[float], snap: float) -> bool:
    if word.new_speaker or word.start - group[-1].end >= PAUSE_BREAK_S:
        return True
    # A shot change between the middles of the cue's first word and this word;
    # unless the cue began within ``snap`` of it: then it all shows from the cut.
    return any(group[0].mid < c <= word.mid and c - group[0].start > snap for c in cuts)


def _group(words: list[_Word], style: TimedTextOptions, cuts: list[float],
           snap: float) -> list[list[_Word]]:
    groups: list[list[_Word]] = []
    current: list[_Word] = []
    for word in words:
        if current and _must_break(current, word, cuts, snap):
            groups.append(current)
            current = []
        elif current and not _fits([*current, word], style, snap):
            keep = _phrase_end(current)
            groups.append(current[:keep])
            current = current[keep:]
            if current and not _fits([*current, word], style, snap):
                groups.append(current)
                current = []
        current.append(word)
    if current:
        groups.append(current)
    return groups


def _phrase_end(group: list[_Word]) -> int:
    """How many of a full cue's words to keep: up to a sentence end in its second
    half, else a clause end there, else not ending on a word that binds to the
    next (an article, preposition or conjunction moves to the next cue)."""
    n = len(group)
    half = max(1, n // 2)
    for test in (ends_sentence, ends_clause):
        for k in range(n, half - 1, -1):
            if test(group[k - 1].text):
                return k
    k = n
    while k > max(1, n - 3) and bad_break_after(group[k - 1].text):
        k -= 1
    return k if not bad_break_after(group[k - 1].text) else n


def _best_lines(texts: list[str], style: TimedTextOptions) -> list[str] | None:
    """The cue's lines: the fewest that fit, breaks after phrase ends preferred,
    never after a binding word, lengths even; None if no layout fits (the
    words are then too many for one cue)."""
    n = len(texts)
    best: dict[tuple[int, int], tuple[float, list[str]] | None] = {}

    def solve(i: int, lines_left: int) -> tuple[float, list[str]] | None:
        if (i, lines_left) in best:
            return best[(i, lines_left)]
        result: tuple[float, list[str]] | None = None
        for k in range(i + 1, n + 1):
            line = " ".join(texts[i:k])
            if len(line) > style.max_line and k > i + 1:
                break
            if k == n:
                cand: tuple[float, list[str]] | None = (0.0, [line])
            elif lines_left > 1 and not bad_break_after(texts[k - 1]):
                rest = solve(k, lines_left - 1)
                if rest is None:
                    continue
                cost = 50.0 + rest[0]  # one more line
                cost -= 8.0 if ends_clause(texts[k - 1]) else 0.0
                cost += abs(len(line) - len(rest[1][0])) / style.max_line * 10
                cand = (cost, [line] + rest[1])
            else:
                continue
            if cand is not None and len(line) <= style.max_line and \
                    (result is None or cand[0] < result[0]):
                result = cand
        best[(i, lines_left)] = result
        return result

    found = solve(0, style.max_lines)
    return found[1] if found else None


def _layout_words(texts: list[str], style: TimedTextOptions) -> str:
    lines = _best_lines(texts, style)
    # A single word longer than a line cannot be broken by the rules: kept whole.
    return "\n".join(lines) if lines else " ".join(texts)


def _sound_items(sounds: list[SoundEvent], speech: list[_Item], cuts: list[float],
                 style: TimedTextOptions, fps: float) -> list[_Item]:
    """Each sound's time less the speech, split at cuts; pieces too short to
    read are left out (a sound is never invented or stretched over speech)."""
    busy = sorted((it.start, max(it.said_end, it.start + style.min_duration_s,
                                 it.start + len(it.text) / style.max_cps)) for it in speech)
    out: list[_Item] = []
    for sound in sounds:
        label = " ".join(sound.label.split()).strip("[]")
        if not label or sound.end_s <= sound.start_s:
            continue
        pieces = [(sound.start_s, sound.end_s)]
        for a, b in busy:
            pieces = [p for s, e in pieces for p in ((s, min(e, a)), (max(s, b), e)) if p[1] > p[0]]
        for cut in cuts:
            pieces = [p for s, e in pieces for p in
                      (((s, cut), (cut, e)) if s < cut < e else ((s, e),))]
        gap = style.min_gap_frames / fps
        out += [_Item(s, e, f"[{label}]", "sound", s, s) for s, e in pieces
                if e - s >= style.min_duration_s + gap]
    return out


def _time(items: list[_Item], style: TimedTextOptions, fps: float,
          cuts: list[float]) -> list[CaptionCue]:
    gap = style.min_gap_frames / fps
    snap = style.snap_frames / fps
    starts = [_snapped_start(it, cuts, snap, items[i - 1].said_end if i else 0.0)
              for i, it in enumerate(items)]
    ends: list[float] = []
    needs: list[float] = []
    for i, it in enumerate(items):
        start = starts[i]
        later_cuts = [c for c in cuts if c > start + _EPS]
        next_cut = later_cuts[0] if later_cuts else float("inf")
        chars = len(it.text.replace("\n", " "))
        # (A millisecond over: the times are written rounded to milliseconds.)
        need = max(style.min_duration_s, chars / style.max_cps) + 0.001
        needs.append(need)
        want = max(it.said_end, start + need)
        cap = min(start + style.max_duration_s, next_cut)
        if i + 1 < len(items):
            # The next cue may start a little late so this one can be read.
            nxt = items[i + 1]
            if starts[i + 1] - gap < min(want, cap):
                latest = min(starts[i + 1] + MAX_LAG_S, nxt.said_end,
                             *(c for c in cuts if c > starts[i + 1] + _EPS))
                starts[i + 1] = max(starts[i + 1], min(min(want, cap) + gap, latest))
            cap = min(cap, starts[i + 1] - gap)
        if it.kind == "sound":
            cap = min(cap, it.said_end)  # a sound cue never outlasts the sound
        end = min(want, cap)
        if end >= next_cut - snap and cap >= end:
            end = cap  # onto the cut close after (or the gap before a cue starting on it)
        if end - start < need - _EPS and it.kind == "speech":
            # Squeezed (a cut close after): start earlier, over time the cue before
            # holds beyond its own reading time and the start of its last word.
            free_from = 0.0
            if ends:
                before = items[i - 1]
                free_from = min(ends[-1], max(starts[i - 1] + needs[i - 1],
                                              before.last_start)) + gap
            start = starts[i] = _lead(start, need - (end - start), free_from, cuts)
            if ends and ends[-1] > start - gap:
                ends[-1] = start - gap
        ends.append(max(end, start + 0.001))
    return [CaptionCue(index=i, start_s=round(s, 3), end_s=round(e, 3), text=it.text,
                       kind="sound" if it.kind == "sound" else "speech")
            for i, (it, s, e) in enumerate(zip(items, starts, ends))]


def _lead(start: float, short_by: float, free_from: float, cuts: list[float]) -> float:
    """An earlier start for a cue ``short_by`` seconds short of its reading time:
    at most :data:`MAX_LEAD_S` early, never over the cue before or a cut."""
    before = [c for c in cuts if c <= start + _EPS]
    floor = max(free_from, before[-1] if before else 0.0, start - MAX_LEAD_S)
    return max(floor, start - short_by) if floor < start else start


def _snapped_start(item: _Item, cuts: list[float], snap: float, said_before: float) -> float:
    """The cue's start on a cut inside its first word, or on a cut within
    ``snap`` before it that no earlier words come after."""
    start = item.start
    if item.kind == "sound":  # only inside the sound: on the cut it was split at
        return start
    inside = [c for c in cuts if start < c < item.said_end
              and (c <= item.first_mid or c - start <= snap)]
    if inside:  # the first word only grazes the shot before: start on the cut
        return inside[-1]
    before = [c for c in cuts if max(start - snap, said_before) <= c <= start]
    return before[-1] if before else start
