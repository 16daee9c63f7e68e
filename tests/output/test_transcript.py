from __future__ import annotations

from html.parser import HTMLParser

from vidclip.output.transcript import clock, iso_duration, transcript_html, transcript_text

ENTRIES = [
    (6.0, 14.0, "A car drives along a   street."),
    (0.0, 6.0, "A dog chases a ball <on> the beach & the waves."),
    (3725.0, 3730.0, "A late scene."),
    (14.0, 20.0, "   "),
]


def test_plain_text_lists_entries_in_time_order_with_ranges():
    text = transcript_text(ENTRIES, title="Holiday clip", summary="A dog and a car.")
    assert text.splitlines() == [
        "Holiday clip", "", "A dog and a car.", "",
        "[0:00 - 0:06] A dog chases a ball <on> the beach & the waves.",
        "[0:06 - 0:14] A car drives along a street.",
        "[1:02:05 - 1:02:10] A late scene.",
    ]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_accessible_escaped_and_machine_readable():
    page = transcript_html(ENTRIES, title="Holiday <clip>", summary="A dog & a car.",
                           language="fr")
    parser = _Collect()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert ("html", {"lang": "fr"}) in parser.tags
    assert tags.count("h1") == 1 and tags.count("li") == 3
    assert [a["datetime"] for t, a in parser.tags if t == "time"][:2] == ["PT0S", "PT6S"]
    assert "<on>" not in page and "&lt;on&gt;" in page
    assert "Holiday <clip>" in "".join(parser.text)  # escaped in the file, intact when read


def test_time_notations():
    assert [clock(s) for s in (0, 59.6, 61, 3600)] == ["0:00", "1:00", "1:01", "1:00:00"]
    assert [iso_duration(s) for s in (0, 6.25, 65.5)] == ["PT0S", "PT6.25S", "PT1M5.5S"]
