"""pocketsphinx decodes in child processes: the analysing process keeps its GIL
for the visual stages, a dead decoder is replaced, and the words do not depend
on how many decoders share the regions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from vidclip.speech.audio import AudioSource
from vidclip.speech.base import Region
from vidclip.speech.pocketsphinx_backend import PocketsphinxRecognizer
from vidclip.speech.sphinx_process import DecoderDied, DecoderProcess
from vidclip.speech.vad import StreamingVAD


def regions_of(path) -> list[Region]:
    source = AudioSource(str(path), 0)
    source.probe()
    vad = StreamingVAD()
    found = []
    for start_s, samples in source.chunks():
        found += vad.feed(start_s, samples)
    return found + vad.finish()


@pytest.fixture(scope="module")
def regions(festival_speech, media) -> list[Region]:
    found = regions_of(festival_speech) + regions_of(media / "said.wav")
    assert len(found) >= 2
    return found


def words(recognised) -> list[tuple[str, float, float]]:
    return [(w.text, w.start_s, w.end_s) for s in recognised.segments for w in s.words]


def test_two_decoders_hear_what_one_hears(regions):
    one, two = PocketsphinxRecognizer(), PocketsphinxRecognizer({"processes": 2})
    try:
        alone = one.transcribe(regions, "en")
        shared = two.transcribe(regions, "en")
        again = one.transcribe(list(reversed(regions)), "en")
    finally:
        one.close()
        two.close()
    assert words(alone) and words(alone) == words(shared)
    # The order a decoder hears regions in does not change what it hears in each.
    assert sorted(words(again)) == sorted(words(alone))
    # Times are on the file's timeline: every word lies inside a region it was heard in.
    assert all(any(r.start_s <= w[1] < w[2] <= r.end_s + 0.01 for r in regions)
               for w in words(alone))


def test_a_killed_decoder_fails_its_call_and_is_replaced(regions):
    recognizer = PocketsphinxRecognizer()
    try:
        recognizer.load()
        (child,) = recognizer._started
        os.kill(child._child.pid, signal.SIGKILL)
        child._child.wait()
        with pytest.raises(DecoderDied, match="decoder process ended \\(killed by signal 9\\)"):
            recognizer.transcribe(regions[:1], "en")
        assert words(recognizer.transcribe(regions[:1], "en"))  # a fresh decoder took over
    finally:
        recognizer.close()
    assert recognizer._started == []


def test_a_model_that_does_not_load_says_why(tmp_path):
    with pytest.raises(RuntimeError, match="pocketsphinx did not load"):
        DecoderProcess({"hmm": str(tmp_path / "no-such-model")})


def test_processes_must_be_a_whole_number():
    with pytest.raises(ValueError, match="processes"):
        PocketsphinxRecognizer({"processes": 0})
    with pytest.raises(ValueError, match="processes"):
        PocketsphinxRecognizer({"processes": "2"})


def test_an_empty_region_gives_no_words(regions):
    recognizer = PocketsphinxRecognizer()
    try:
        empty = Region(9.0, np.zeros(0, np.float32))
        assert recognizer.transcribe([empty], "en").segments == []
        # ... and does not disturb the decoder for the next region.
        assert words(recognizer.transcribe([empty, regions[0]], "en"))
    finally:
        recognizer.close()


def test_the_analysing_process_never_loads_pocketsphinx(festival_speech):
    """The decoder, which holds the GIL while it listens, is never in the process
    that runs the visual stages; and a script without a __main__ guard works."""
    script = (
        "import sys\n"
        "from vidclip.config import SpeechOptions\n"
        "from vidclip.speech.choose import choose_recognizer\n"
        "from vidclip.speech.transcribe import transcribe_file\n"
        "opts = SpeechOptions(backend='pocketsphinx')\n"
        "choice = choose_recognizer(opts)\n"
        f"t = transcribe_file({str(festival_speech)!r}, opts, choice.recognizer, 'pocketsphinx')\n"
        "choice.recognizer.close()\n"
        "print(sum(len(s.words) for s in t.segments), 'pocketsphinx' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert int(out[0]) > 0 and out[1] == "False"


def test_when_every_decoder_dies_the_call_fails_instead_of_waiting(regions):
    recognizer = PocketsphinxRecognizer({"processes": 2})
    try:
        recognizer.load()
        for child in recognizer._started:
            os.kill(child._child.pid, signal.SIGKILL)
            child._child.wait()
        with pytest.raises(DecoderDied):
            recognizer.transcribe(regions * 3, "en")
        assert words(recognizer.transcribe(regions[:1], "en"))  # fresh decoders took over
    finally:
        recognizer.close()


def test_a_dropped_pipeline_stops_the_decoders_it_started(tiny_model_options, tiny_encoder):
    import gc

    from vidclip.config import AnalysisConfig, SpeechOptions
    from vidclip.pipeline import Pipeline

    config = AnalysisConfig(model=tiny_model_options, speech=SpeechOptions(backend="pocketsphinx"))
    pipeline = Pipeline(config, encoder=tiny_encoder)  # as a worker's cache holds one
    recognizer = pipeline.recognizer().recognizer
    recognizer.load()
    children = list(recognizer._started)
    assert children and all(c.alive for c in children)
    del pipeline  # dropped from the cache, never closed
    gc.collect()
    assert not any(c.alive for c in children)
    assert tiny_encoder.info is not None  # what it was given stays open
