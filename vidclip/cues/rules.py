"""An independent check of a caption track against its timed-text rules.

:func:`check_track` reads only the finished track, the transcript and the
scenes, never the segmenter's workings, so a test or a benchmark
(``benchmarks/speech.py``: :func:`rule_counts`) catches what the segmenter
gets wrong. :func:`layout_warnings` is the per-cue part the review app shows
while a person edits a cue (:func:`vidclip.jobs.cue_edits.cue_warnings`).
"""

from __future__ import annotations

from dataclasses import dataclass

from vidclip.cues.phrases import bad_break_after, bare
from vidclip.cues.segmenter import shot_changes
from vidclip.schema import CaptionCue, CaptionStyleInfo, CaptionTrack, VideoAnalysis

#: Times are written in milliseconds: a rule holds within this much.
TOLERANCE_S = 0.0015
#: A cue starts this close to its first word (a cue may start a little early
#: or late so that it can be read, see vidclip.cues.segmenter).
SYNC_S = 1.0


@dataclass(frozen=True)
class Violation:
    cue: int | None
    rule: str
    message: str


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _cps(text: str, start_s: float, end_s: float) -> float:
    chars = len(text.replace("\n", " "))
    return chars / (end_s - start_s) if end_s > start_s else float("inf")


def layout_warnings(text: str, start_s: float, end_s: float,
                    style: CaptionStyleInfo) -> list[tuple[str, str]]:
    """``(rule, sentence)`` where the cue breaks the line length, line count or
    reading speed; empty when it keeps them."""
    out = [("line_length", f"line {n} is {len(line)} characters long; the style allows "
            f"{style.max_line}") for n, line in enumerate(_lines(text), start=1)
           if len(line) > style.max_line]
    if len(_lines(text)) > style.max_lines:
        out.append(("lines", f"{len(_lines(text))} lines; the style allows {style.max_lines}"))
    cps = _cps(text, start_s, end_s)
    if cps > style.max_cps + 1e-9:
        rate = "no time" if end_s <= start_s else f"{cps:.1f} characters a second"
        out.append(("reading_speed", f"it reads at {rate}; the style allows {style.max_cps:g}"))
    return out


def _cue_rules(cue: CaptionCue, style: CaptionStyleInfo) -> list[Violation]:
    out = [Violation(cue.index, rule, msg)
           for rule, msg in layout_warnings(cue.text, cue.start_s, cue.end_s, style)]
    duration = cue.end_s - cue.start_s
    if duration < style.min_duration_s - TOLERANCE_S:
        out.append(Violation(cue.index, "min_duration",
                             f"on screen {duration:.3f} s; at least {style.min_duration_s:.3f} s"))
    if duration > style.max_duration_s + TOLERANCE_S:
        out.append(Violation(cue.index, "max_duration",
                             f"on screen {duration:.3f} s; at most {style.max_duration_s:g} s"))
    for line in _lines(cue.text)[:-1]:
        last = line.split()[-1] if line.split() else ""
        if bad_break_after(last):
            out.append(Violation(cue.index, "line_break",
                                 f"a line ends on {last!r}, which binds to the next line"))
    return out


def _gap_rules(track: CaptionTrack) -> list[Violation]:
    style = track.style
    gap = style.min_gap_frames / style.fps
    out = []
    for a, b in zip(track.cues, track.cues[1:]):
        if b.start_s < a.start_s:
            out.append(Violation(b.index, "order", "starts before the cue before it"))
        elif b.start_s - a.end_s < gap - TOLERANCE_S:
            frames = (b.start_s - a.end_s) * style.fps
            out.append(Violation(b.index, "gap", f"{frames:.1f} frames after the cue before; "
                                 f"at least {style.min_gap_frames}"))
    return out


def _cut_rules(track: CaptionTrack, cuts: list[float]) -> list[Violation]:
    style = track.style
    snap = style.snap_frames / style.fps
    gap = style.min_gap_frames / style.fps
    out = []
    cues = track.cues
    for i, cue in enumerate(cues):
        for cut in cuts:
            if cue.start_s < cut - TOLERANCE_S and cue.end_s > cut + TOLERANCE_S:
                out.append(Violation(cue.index, "shot_change", f"runs across the shot change "
                                     f"at {cut:.3f} s"))
        before = [c for c in cuts if c <= cue.start_s + TOLERANCE_S]
        # A sound cue starts with its sound (evidence), not on a cut before it.
        if before and TOLERANCE_S < cue.start_s - before[-1] < snap - TOLERANCE_S \
                and cue.kind == "speech":
            cut = before[-1]
            if not (i > 0 and cues[i - 1].end_s + gap > cut + TOLERANCE_S):  # not blocked
                out.append(Violation(cue.index, "snap", f"starts {cue.start_s - cut:.3f} s after "
                                     f"the shot change at {cut:.3f} s; it should start on it"))
        after = [c for c in cuts if c > cue.start_s + TOLERANCE_S]
        if after:
            cut = after[0]
            limit = min(cut, cues[i + 1].start_s - gap if i + 1 < len(cues) else cut,
                        cue.start_s + style.max_duration_s)
            if cut - snap + TOLERANCE_S < cue.end_s < limit - TOLERANCE_S:
                out.append(Violation(cue.index, "snap", f"ends {cut - cue.end_s:.3f} s before "
                                     f"the shot change at {cut:.3f} s; it should end on it"))
    return out


def _words_of(text: str) -> list[str]:
    return [bare(w) for w in text.replace("\n", " ").split() if w != "-" and bare(w)]


def _transcript_rules(track: CaptionTrack, analysis: VideoAnalysis) -> list[Violation]:
    """Complete and verbatim, in sync, speakers marked, sounds from evidence."""
    t = analysis.transcript
    if t is None:
        return [Violation(None, "evidence", "a caption track without a transcript")]
    said: list[tuple[float, float, str, str | None]] = []
    for seg in sorted(t.segments, key=lambda s: s.start_s):
        if seg.words:
            said += [(w.start_s, w.end_s, w.text, seg.speaker) for w in seg.words]
        elif seg.text.strip():
            said.append((seg.start_s, seg.end_s, seg.text, seg.speaker))
    said.sort(key=lambda w: w[0])
    spoken = [w for text in (s[2] for s in said) for w in _words_of(text)]
    speech = [c for c in track.cues if c.kind == "speech"]
    shown = [w for c in speech for w in _words_of(c.text)]
    out = []
    if shown != spoken:
        at = next((i for i, (a, b) in enumerate(zip(shown, spoken)) if a != b),
                  min(len(shown), len(spoken)))
        out.append(Violation(None, "verbatim", f"the cues' words differ from the transcript's "
                             f"from word {at + 1} ({len(shown)} shown, {len(spoken)} said)"))
    # Each cue's words are the next ones said (verbatim, checked above): their
    # times and speakers are the cue's.
    flat = [(a, b, w, who) for a, b, text, who in said for w in _words_of(text)]
    at, previous = 0, None
    for cue in speech:
        mine = flat[at:at + len(_words_of(cue.text))]
        at += len(mine)
        if not mine:
            continue
        first, last = mine[0], mine[-1]
        if abs(cue.start_s - first[0]) > SYNC_S or cue.end_s < last[0]:
            out.append(Violation(cue.index, "sync", f"on screen {cue.start_s:.3f}-"
                                 f"{cue.end_s:.3f} s; its words are said {first[0]:.3f}-"
                                 f"{last[1]:.3f} s"))
        if first[3] is not None and previous is not None and first[3] != previous \
                and not cue.text.startswith("- "):
            out.append(Violation(cue.index, "speaker", "a new speaker without '- '"))
        previous = next((w[3] for w in reversed(mine) if w[3] is not None), previous)
    for cue in track.cues:
        if cue.kind != "sound":
            continue
        label = cue.text.strip().strip("[]")
        if not any(s.label == label and s.start_s - TOLERANCE_S <= cue.start_s
                   and cue.end_s <= s.end_s + TOLERANCE_S for s in t.sounds):
            out.append(Violation(cue.index, "evidence", f"{cue.text!r} where the audio shows "
                                 "no such sound"))
    return out


def check_track(track: CaptionTrack, analysis: VideoAnalysis) -> list[Violation]:
    """Every rule the track breaks; empty when it keeps them all."""
    out: list[Violation] = []
    for i, cue in enumerate(track.cues):
        if cue.index != i:
            out.append(Violation(cue.index, "order", f"cue {i} is numbered {cue.index}"))
        out += _cue_rules(cue, track.style)
    out += _gap_rules(track)
    out += _cut_rules(track, shot_changes(analysis))
    out += _transcript_rules(track, analysis)
    return out


def rule_counts(analysis: VideoAnalysis) -> tuple[int, int]:
    """(rule violations, cues across shot changes) of ``analysis.caption_track``,
    the two columns of ``benchmarks/speech.py``; (0, 0) without a track."""
    if analysis.caption_track is None:
        return 0, 0
    found = check_track(analysis.caption_track, analysis)
    return len(found), sum(v.rule == "shot_change" for v in found)
