"""A pocketsphinx decoder in a process of its own, and the child's side of it.

pocketsphinx holds the GIL for the whole of ``process_raw``: decoded in a
thread of the analysing process it stops every other Python thread (frame
decode, encoder batching, on-screen text) for as long as it listens. So each
decoder runs as ``python -m vidclip.speech.sphinx_process``, a plain child
process: unlike ``multiprocessing`` it needs no ``if __name__ == "__main__"``
guard in the user's script and may be started from a Celery pool process.

The pipe protocol is frames of a 4-byte little-endian length and a payload:
the parent sends 16 kHz mono signed 16-bit samples, the child answers with the
JSON list of words heard. The child's first frame says whether its model
loaded. An empty frame from the parent (or end of input) ends the child.

Each region is decoded as one whole utterance with the feature extraction
started afresh (its cepstral mean would otherwise carry over from the last
region), so its words do not depend on what the same decoder heard before:
the result is the same whichever process takes it.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

FRAME_S = 0.01  # pocketsphinx's default frame rate: 100 frames/s
_VARIANT = re.compile(r"\(\d+\)$")
_LENGTH = struct.Struct("<I")

#: Word, start frame, end frame (inclusive), posterior probability or None.
Word = tuple[str, int, int, "float | None"]


class DecoderDied(RuntimeError):
    """The decoder process ended or stopped answering."""


def _send(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


class DecoderProcess:
    """One child decoder; :meth:`decode` must be called from one thread at a time."""

    def __init__(self, config: dict[str, Any]) -> None:
        env = dict(os.environ)
        # The child imports this same vidclip, wherever the parent found it.
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._child = subprocess.Popen(
            [sys.executable, "-m", "vidclip.speech.sphinx_process", json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        hello = self._answer()
        if hello.get("error"):
            self.close()
            raise RuntimeError(f"pocketsphinx did not load: {hello['error']}")

    def _answer(self) -> dict[str, Any]:
        assert self._child.stdout is not None
        payload = _receive(self._child.stdout)
        if payload is None:
            raise self._died()
        return json.loads(payload)

    def _died(self) -> DecoderDied:
        code = self._child.wait()
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        return DecoderDied(f"the pocketsphinx decoder process ended ({how})")

    def decode(self, pcm: bytes) -> list[Word]:
        assert self._child.stdin is not None
        if not pcm:
            return []
        try:
            _send(self._child.stdin, pcm)
        except (BrokenPipeError, ValueError):
            raise self._died() from None
        answer = self._answer()
        if "error" in answer:
            raise RuntimeError(f"pocketsphinx failed on a region: {answer['error']}")
        return [tuple(w) for w in answer["words"]]

    @property
    def alive(self) -> bool:
        return self._child.poll() is None

    def close(self) -> None:
        try:
            if self._child.stdin is not None and not self._child.stdin.closed:
                _send(self._child.stdin, b"")
                self._child.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self._child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()
        if self._child.stdout is not None:
            self._child.stdout.close()


# -- the child ---------------------------------------------------------------------

def _is_filler(word: str) -> bool:
    return word.startswith(("<", "[", "+")) or not word.strip()


def heard(decoder: Any, pcm: bytes) -> list[Word]:
    """The words in one utterance, fillers and noise tokens (<s>, <sil>, [NOISE],
    ...) dropped and alternate pronunciations ("word(2)") folded to the word."""
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    if decoder.hyp() is None:
        return []
    logmath = decoder.get_logmath()
    words: list[Word] = []
    for seg in decoder.seg():
        token = _VARIANT.sub("", seg.word)
        if _is_filler(token):
            continue
        try:
            confidence: float | None = float(min(1.0, max(0.0, logmath.exp(seg.prob))))
        except Exception:  # no lattice posterior for this word
            confidence = None
        words.append((token, seg.start_frame, seg.end_frame, confidence))
    return words


def main() -> int:
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    try:
        from pocketsphinx import Config, Decoder

        decoder = Decoder(Config(loglevel="FATAL", **json.loads(sys.argv[1])))
    except Exception as exc:  # the parent raises it as the reason
        _send(sink, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        return 1
    _send(sink, b'{"ready": true}')
    while pcm := _receive(source):
        try:
            answer: dict[str, Any] = {"words": heard(decoder, pcm)}
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        _send(sink, json.dumps(answer).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
