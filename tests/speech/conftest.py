"""Test speech and audio made here with espeak-ng, sox and ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SENTENCE = "the harbour master opened the gate. the ships came in slowly."


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} to make test audio (apt install espeak-ng "
                    "sox ffmpeg)")


def run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Path:
    need("espeak-ng", "sox", "ffmpeg")
    d = tmp_path_factory.mktemp("speech")
    run("espeak-ng", "-s", "140", "-w", str(d / "said.wav"), SENTENCE)
    run("sox", "-n", "-r", "22050", "-c", "1", str(d / "tone.wav"), "synth", "4", "sine", "440",
        "vol", "0.5")
    run("sox", "-n", "-r", "22050", "-c", "1", str(d / "silence.wav"), "trim", "0", "3")
    run("sox", str(d / "silence.wav"), str(d / "said.wav"), str(d / "tone.wav"),
        str(d / "silence.wav"), str(d / "mix.wav"))
    return d


@pytest.fixture(scope="session")
def festival_speech(media) -> Path:
    """The sentence in festival's us-slt HTS voice, 3 s of silence either side
    (pocketsphinx's US model hears it far better than espeak's formant voice)."""
    need("text2wave")
    (media / "sentence.txt").write_text(SENTENCE)
    run("text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", str(media / "sentence.txt"),
        "-o", str(media / "festival.wav"))
    run("sox", str(media / "festival.wav"), "-r", "22050", "-c", "1", str(media / "fest22.wav"))
    run("sox", str(media / "silence.wav"), str(media / "fest22.wav"), str(media /
        "silence.wav"), str(media / "festival_mix.wav"))
    return media / "festival_mix.wav"
