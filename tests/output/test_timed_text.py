from __future__ import annotations

import random
from datetime import timedelta

import pytest
import srt
import webvtt

from vidclip.output.timed_text import (
    ELLIPSIS,
    Cue,
    format_timestamp,
    layout_cues,
    merge_texts,
    split_text,
)

MS = 1e-3  # times are rounded to milliseconds
WORDS = ("a dog runs along the wide sandy beach while waves roll in under a pale sky "
         "and gulls circle above the harbour near an old wooden pier").split()


def assert_rules(cues: list[Cue], max_line=42, max_lines=2, max_cps=20.0, min_duration_s=1.0):
    for cue in cues:
        assert cue.text and cue.end_s > cue.start_s
        assert len(cue.lines) <= max_lines, cue
        assert all(0 < len(line) <= max_line for line in cue.lines), cue
        assert cue.duration_s >= min_duration_s - MS, cue
        assert cue.chars <= max_cps * cue.duration_s + max_cps * MS, cue
    for prev, cur in zip(cues, cues[1:]):
        assert cur.start_s >= prev.end_s, (prev, cur)


def random_scenes(rng: random.Random) -> list[tuple[float, float, str]]:
    t, scenes = 0.0, []
    for _ in range(rng.randint(1, 12)):
        duration = rng.choice([0.2, 0.5, 0.9, 1.0, 1.7, 3.0, 6.5, 12.0])
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40))).capitalize() + "."
        gap = rng.choice([0.0, 0.0, 0.4, 2.0])
        scenes.append((round(t, 3), round(t + duration, 3), text))
        t += duration + gap
    return scenes


@pytest.mark.parametrize("seed", range(60))
def test_random_scenes_respect_every_rule(seed):
    rng = random.Random(seed)
    scenes = random_scenes(rng)
    cues = layout_cues(scenes)
    assert cues
    assert_rules(cues)
    # Cues stay inside the scenes' span (the only growth: one short lone scene).
    assert cues[0].start_s >= scenes[0][0] - MS
    assert cues[-1].end_s <= max(scenes[-1][1], scenes[0][0] + 1.0) + MS


@pytest.mark.parametrize("seed", range(20))
def test_other_limits_are_respected_too(seed):
    rng = random.Random(1000 + seed)
    limits = {"max_line": rng.choice([20, 32, 37]), "max_lines": rng.choice([1, 2, 3]),
              "max_cps": rng.choice([12.0, 17.0]), "min_duration_s": rng.choice([0.8, 1.5])}
    assert_rules(layout_cues(random_scenes(rng), **limits), **limits)


def test_short_text_in_a_long_scene_is_one_cue_on_the_scene_times():
    assert layout_cues([(2.0, 7.5, "A dog runs on the beach.")]) == [
        Cue(2.0, 7.5, "A dog runs on the beach.")]


def test_long_text_is_split_into_cues_that_fill_the_scene():
    text = ("A dog runs along a wide sandy beach. Waves roll in under a pale sky. "
            "Gulls circle above an old wooden pier near the harbour.")
    cues = layout_cues([(10.0, 22.0, text)])
    assert len(cues) >= 2
    assert cues[0].start_s == 10.0 and cues[-1].end_s == 22.0
    assert " ".join(c.text.replace("\n", " ") for c in cues) == text  # nothing lost or added
    assert_rules(cues)


def test_sentences_break_between_cues_when_they_fit():
    chunks = split_text("A dog runs along a wide sandy beach. Waves roll in under a pale "
                        "sky while gulls circle over the harbour.")
    assert chunks[0] == "A dog runs along a wide sandy beach."


def test_two_line_cues_are_balanced():
    (chunk,) = split_text("A dog runs along a wide sandy beach under a pale sky.")
    top, bottom = chunk.split("\n")
    assert abs(len(top) - len(bottom)) <= 8


def test_a_word_longer_than_a_line_is_cut():
    chunks = split_text("x" * 50, max_line=42)
    assert [len(line) for c in chunks for line in c.split("\n")] == [42, 8]


def test_too_much_text_for_the_time_is_shortened_with_an_ellipsis():
    text = " ".join(WORDS)
    (cue,) = layout_cues([(0.0, 2.0, text)])
    assert cue.text.endswith(ELLIPSIS)
    assert cue.chars <= 40
    kept = layout_cues([(0.0, 2.0, text)], shorten=False)
    assert " ".join(c.text.replace("\n", " ") for c in kept) == text


def test_text_may_use_the_gap_after_its_scene_but_not_the_next_scene():
    text = "A dog runs along a wide sandy beach under a pale sky."  # 53 chars: 2.65 s
    cues = layout_cues([(0.0, 1.5, text), (5.0, 7.0, "Waves.")])
    assert cues[0].end_s == pytest.approx(2.65, abs=MS)
    assert cues[0].text.replace("\n", " ") == text


def test_text_borrows_the_next_scenes_spare_time_before_it_is_cut():
    cues = layout_cues([(0.0, 1.0, "The scene shows a lizard."),  # 25 chars: 1.25 s
                        (1.0, 6.0, "The scene shows a sheep.")])
    assert [c.text for c in cues] == ["The scene shows a lizard.", "The scene shows a sheep."]
    assert cues[0].end_s == pytest.approx(1.25, abs=MS) == cues[1].start_s
    assert_rules(cues)
    # A next scene with no time to spare lends none: the first text is shortened.
    busy = "A dog runs on the sand."  # 23 chars: needs all of its 1.15 s
    cues = layout_cues([(0.0, 1.0, "The scene shows a lizard."), (1.0, 2.15, busy)])
    assert cues[0].text.endswith(ELLIPSIS) and cues[0].end_s == pytest.approx(1.0, abs=MS)
    assert cues[1].text == busy
    assert_rules(cues)


def test_scenes_shorter_than_the_minimum_are_merged_with_a_neighbour():
    cues = layout_cues([(0.0, 0.4, "A dog."), (0.4, 0.8, "A dog."), (0.8, 3.0, "A cat.")])
    assert cues == [Cue(0.0, 3.0, "A dog. A cat.")]


def test_a_lone_short_scene_is_extended_but_not_past_the_video():
    assert layout_cues([(0.0, 0.3, "A dog.")]) == [Cue(0.0, 1.0, "A dog.")]
    assert layout_cues([(0.0, 0.3, "A dog.")], end_limit_s=0.6) == [Cue(0.0, 0.6, "A dog.")]


def test_overlapping_unsorted_and_empty_inputs_are_cleaned():
    cues = layout_cues([(3.0, 6.0, "Second."), (0.0, 4.0, "First."), (6.0, 6.0, "Empty span."),
                        (7.0, 9.0, "   ")])
    assert cues == [Cue(0.0, 3.0, "First."), Cue(3.0, 6.0, "Second.")]


def test_merge_texts_drops_repeats_and_adds_stops():
    assert merge_texts(["A dog", "A dog", "A cat."]) == "A dog. A cat."


def test_timestamps_in_both_notations():
    assert format_timestamp(3725.5) == "01:02:05.500"
    assert format_timestamp(3725.5, srt=True) == "01:02:05,500"
    assert format_timestamp(-1) == "00:00:00.000"


def _scenes() -> list[tuple[float, float, str]]:
    return random_scenes(random.Random(7)) + [(200.0, 200.4, "A short last scene.")]


def test_cues_make_a_webvtt_file_a_real_parser_reads(tmp_path):
    cues = layout_cues(_scenes())
    blocks = ["WEBVTT\nKind: descriptions\nLanguage: en\n"]
    for i, cue in enumerate(cues, start=1):
        blocks.append(f"{i}\n{format_timestamp(cue.start_s)} --> "
                      f"{format_timestamp(cue.end_s)}\n{cue.text}\n")
    path = tmp_path / "descriptions.vtt"
    path.write_text("\n".join(blocks), encoding="utf-8")
    parsed = webvtt.read(str(path))
    assert [c.text for c in parsed] == [c.text for c in cues]
    assert [c.start_in_seconds + c.start_time.milliseconds / 1000 for c in parsed] == \
        pytest.approx([c.start_s for c in cues], abs=MS)


def test_cues_round_trip_through_srt():
    cues = layout_cues(_scenes())
    text = srt.compose([srt.Subtitle(i, timedelta(seconds=c.start_s), timedelta(seconds=c.end_s),
                                     c.text) for i, c in enumerate(cues, start=1)])
    parsed = [(s.start.total_seconds(), s.end.total_seconds(), s.content)
              for s in srt.parse(text)]
    assert parsed == [(pytest.approx(c.start_s, abs=MS), pytest.approx(c.end_s, abs=MS), c.text)
                      for c in cues]
    assert srt.compose(srt.parse(text)) == text
