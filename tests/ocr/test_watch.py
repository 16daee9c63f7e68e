"""Looking at frames in order, reading only changed ones, in the decoder's time."""

import threading
import time

import numpy as np
import pytest

from tests.ocr.frames import FONT, render
from vidclip.decode.types import FrameBatch
from vidclip.ocr.base import Line, TextReader
from vidclip.ocr.watch import Look, Looker, Watcher, settle
from vidclip.segment import SceneSpan

if not FONT.exists():
    pytest.skip("DejaVu fonts not installed", allow_module_level=True)


class CountingReader(TextReader):
    """Says which of a few known frames it was shown, and counts the calls."""

    def __init__(self, known: dict[str, np.ndarray], delay_s: float = 0.0,
                 fail_on: str | None = None):
        self.known = known
        self.delay_s = delay_s
        self.fail_on = fail_on
        self.reads: list[str] = []
        self.again: list[str] = []
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def _name(self, frame):
        return next(k for k, v in self.known.items() if np.array_equal(v, frame))

    def read(self, frames):
        out = []
        for frame in frames:
            with self._lock:
                self.active += 1
                self.most_active = max(self.most_active, self.active)
            time.sleep(self.delay_s)
            with self._lock:
                self.active -= 1
            name = self._name(frame)
            if name == self.fail_on:
                raise RuntimeError(f"cannot read {name}")
            self.reads.append(name)
            out.append([] if name == "blank" else [Line(name, (0.1, 0.4, 0.9, 0.5), 0.99)])
        return out

    def read_again(self, frame, earlier, earlier_lines):
        self.again.append(self._name(frame))
        return self.read([frame])[0]


@pytest.fixture(scope="module")
def frames():
    return {"blank": np.full((180, 320, 3), 25, np.uint8),
            "HELLO": render("HELLO", 30, width=320, height=180),
            "WORLD": render("WORLD", 30, width=320, height=180)}


def test_unchanged_looks_reuse_the_last_reading(frames):
    reader = CountingReader(frames)
    looker = Looker(reader)
    order = ["blank", "blank", "HELLO", "HELLO", "HELLO", "WORLD", "blank"]
    for i, name in enumerate(order):
        looker.look(frames[name].copy(), i * 0.5, i * 12)
    assert reader.reads == ["blank", "HELLO", "WORLD", "blank"]
    assert reader.again == ["HELLO", "WORLD", "blank"]  # after the first, only changed frames
    assert looker.reads == 4
    assert [[x.text for x in look.lines] for look in looker.looks] == \
        [[], [], ["HELLO"], ["HELLO"], ["HELLO"], ["WORLD"], []]
    assert [look.index for look in looker.looks] == [0, 12, 24, 36, 48, 60, 72]


def test_a_fresh_look_is_read_whole_even_when_unchanged(frames):
    reader = CountingReader(frames)
    looker = Looker(reader)
    looker.look(frames["HELLO"], 0.0, 0)
    looker.look(frames["HELLO"], 1.0, 25, fresh=True)
    assert reader.reads == ["HELLO", "HELLO"] and reader.again == []


def test_a_scenes_first_look_stands_for_its_start():
    scenes = [SceneSpan(0, 50, 0.0, 2.0, "start"), SceneSpan(50, 125, 2.0, 5.0)]
    hello = [Line("HELLO", (0, 0, 1, 1), 1.0)]
    looks = [Look(0.1, 2, []), Look(0.6, 15, []), Look(2.4, 60, hello), Look(2.9, 72, hello),
             Look(4.4, 110, hello)]
    # The look at 0.1 s is inside the cut's dissolve and the scene has a later one.
    assert [t for t, _ in settle(looks, scenes)] == [0.0, 2.0, 2.9, 4.4]


def test_a_fade_in_seen_only_at_its_first_frame_is_looked_at_again():
    from vidclip.stages.text import _unseen

    scenes = [SceneSpan(0, 25, 0.0, 1.0, "start"), SceneSpan(25, 150, 1.0, 6.0)]
    card = [Line("COPYRIGHT", (0.1, 0.9, 0.5, 0.95), 1.0)]
    looks = [Look(0.0, 0, []), Look(2.0, 50, card), Look(4.0, 100, card)]
    assert _unseen(scenes, looks) == [scenes[0]]
    # With the settled look the fallback reads (0.2 s), the card is there from 0.
    again = sorted(looks + [Look(0.2, 5, card)], key=lambda look: look.index)
    assert settle(again, scenes)[:2] == [(0.0, card), (1.0, card)]


def _batch(frames, names, start=0):
    stack = np.stack([frames[n] for n in names])
    return FrameBatch(stack, np.arange(start, start + len(names)) * 0.5,
                      np.arange(start, start + len(names)) * 12)


def test_the_watcher_reads_in_its_own_thread_what_the_decoder_hands_it(frames):
    reader = CountingReader(frames)
    watcher = Watcher(reader)
    watcher.observe(_batch(frames, ["blank", "HELLO", "HELLO"]))
    watcher.observe(_batch(frames, ["WORLD"], start=3))
    looks, reads = watcher.finish()
    assert reads == 3 and [look.time_s for look in looks] == [0.0, 0.5, 1.0, 1.5]
    assert watcher.finish() == (looks, reads)  # idempotent


def test_a_failing_reader_fails_at_finish_and_never_blocks_the_decoder(frames):
    reader = CountingReader(frames, fail_on="HELLO")
    watcher = Watcher(reader, depth=1)
    # Far more looks than the queue holds: the decoder must not wait on a dead reader.
    watcher.observe(_batch(frames, ["blank", "HELLO"] + ["WORLD"] * 30))
    with pytest.raises(RuntimeError, match="cannot read HELLO"):
        watcher.finish()
    assert "WORLD" not in reader.reads


def test_abort_drops_what_is_queued_and_frees_a_waiting_decoder(frames):
    reader = CountingReader(frames, delay_s=0.2)
    watcher = Watcher(reader, depth=1)
    names = ["blank", "HELLO", "WORLD"] * 10
    decoder = threading.Thread(target=watcher.observe, args=(_batch(frames, names),))
    decoder.start()
    time.sleep(0.3)
    started = time.monotonic()
    watcher.abort()
    decoder.join(timeout=5)
    assert not decoder.is_alive()
    assert time.monotonic() - started < 2.0
    assert len(reader.reads) < len(names)


def test_watchers_of_several_videos_take_turns_on_one_reader(frames):
    reader = CountingReader(frames, delay_s=0.02)
    watchers = [Watcher(reader) for _ in range(3)]
    feeders = [threading.Thread(target=w.observe, args=(_batch(frames, ["HELLO", "WORLD"] * 3),))
               for w in watchers]
    for f in feeders:
        f.start()
    for f in feeders:
        f.join()
    for w in watchers:
        assert w.finish()[1] == 6
    assert reader.most_active == 1  # not re-entrant: one read at a time


def test_frames_find_the_scene_holding_them():
    from vidclip.segment import scenes_holding

    scenes = [SceneSpan(0, 10, 0.0, 0.4, "start"), SceneSpan(10, 30, 0.4, 1.2),
              SceneSpan(40, 50, 1.6, 2.0)]  # a gap (frames 30-39) holds none
    assert scenes_holding(scenes, [0, 9, 10, 29, 30, 39, 40, 49, 50]).tolist() == \
        [0, 0, 1, 1, -1, -1, 2, 2, -1]
    assert scenes_holding([], [0, 5]).tolist() == [-1, -1]
