"""Transcripts of a video's descriptions: plain text and accessible HTML.

A transcript lists each scene's description with its time range, so people
who cannot watch (or prefer to read) get the whole video in reading order.
Entries are ``(start_s, end_s, text)``, e.g. built from the scenes and the
caption result's ``descriptions``.
"""

from __future__ import annotations

import html

from vidclip.output.timed_text import TimedText


def clock(seconds: float) -> str:
    """``M:SS`` under an hour, ``H:MM:SS`` from there; whole seconds."""
    total = max(0, int(seconds + 0.5))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def iso_duration(seconds: float) -> str:
    """An HTML ``<time datetime>`` value for an offset: ``PT1M5.250S``."""
    ms = max(0, round(seconds * 1000))
    m, rest = divmod(ms, 60_000)
    s = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    return f"PT{m}M{s}S" if m else f"PT{s}S"


def transcript_text(entries: list[TimedText], *, title: str | None = None,
                    summary: str | None = None, notice: str | None = None) -> str:
    """One ``[start - end] text`` line per entry, after an optional title, notice
    (e.g. that a machine wrote it) and summary."""
    lines: list[str] = []
    if title:
        lines += [title, ""]
    if notice:
        lines += [notice, ""]
    if summary:
        lines += [summary, ""]
    for start, end, text in _ordered(entries):
        lines.append(f"[{clock(start)} - {clock(end)}] {text}")
    return "\n".join(lines) + "\n"


def transcript_html(entries: list[TimedText], *, title: str = "Video transcript",
                    summary: str | None = None, language: str = "en",
                    notice: str | None = None) -> str:
    """A standalone, screen-reader-friendly HTML page.

    The page declares its language, has one ``h1``, the summary in a
    paragraph, and the descriptions as an ordered list whose time ranges are
    ``<time>`` elements (machine-readable offsets). All text is escaped.
    """
    esc = html.escape
    items = "\n".join(f"    <li>{time_range_html(start, end)}: {esc(text)}</li>"
                      for start, end, text in _ordered(entries))
    summary_html = f"  <p>{esc(summary)}</p>\n" if summary else ""
    if notice:
        summary_html = f'  <p role="note">{esc(notice)}</p>\n' + summary_html
    return html_page(title, language, summary_html + '  <ol aria-label="Scene descriptions">\n'
                     f"{items}\n  </ol>\n")


def time_range_html(start: float, end: float) -> str:
    """Two ``<time>`` elements: readable clock times with machine-readable offsets."""
    return (f'<time datetime="{iso_duration(start)}">{clock(start)}</time> &ndash; '
            f'<time datetime="{iso_duration(end)}">{clock(end)}</time>')


def html_page(title: str, language: str, body: str) -> str:
    """A standalone page around ``body`` (already escaped): its language, a
    title and one ``h1`` inside ``main``."""
    esc = html.escape
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(language, quote=True)}">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        f"  <title>{esc(title)}</title>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        f"  <h1>{esc(title)}</h1>\n"
        f"{body}"
        "</main>\n"
        "</body>\n"
        "</html>\n"
    )


def _ordered(entries: list[TimedText]) -> list[TimedText]:
    cleaned = [(float(s), float(e), " ".join(str(t).split())) for s, e, t in entries]
    return sorted((e for e in cleaned if e[2]), key=lambda e: (e[0], e[1]))
