"""Stage 2b, speech: audio decode, voice activity and recognition, in a thread
beside decode + encode, joined before the stages that read
``analysis.transcript``. The thread mostly waits: PyAV, onnxruntime and
CTranslate2 release the GIL, and pocketsphinx, which does not, decodes in a
process of its own.

A failure here never fails the visual analysis: no audio gives ``transcript:
None`` and a ``skipped`` reason; a recogniser error gives a transcript with the
``note`` saying what failed.
"""

from __future__ import annotations

import contextlib
import threading
import time

from vidclip.config import SpeechOptions
from vidclip.schema import Skipped, Transcript

#: One recogniser serves every video of a Pipeline; one that is not re-entrant
#: (``Recognizer.reentrant``) takes one video at a time.
_RECOGNISING = threading.Lock()


class SpeechJob:
    """One file's transcription running in a daemon thread."""

    def __init__(self, source: str, options: SpeechOptions, choose) -> None:
        self.transcript: Transcript | None = None
        self.skipped: Skipped | None = None
        self.seconds = 0.0
        self.failed = False
        self._thread = threading.Thread(target=self._run, args=(source, options, choose),
                                        name="vidclip-speech", daemon=True)
        self._thread.start()

    def _run(self, source: str, options: SpeechOptions, choose) -> None:
        from vidclip.speech.audio import AudioSource, NoAudio
        from vidclip.speech.transcribe import transcribe_file

        started = time.perf_counter()
        choice = None
        try:
            AudioSource(source, options.audio_track).probe()  # no audio: no model loaded
            choice = choose()
            if choice.recognizer is None:
                self.skipped = not_transcribed(choice)
                return
            with contextlib.nullcontext() if choice.recognizer.reentrant else _RECOGNISING:
                self.transcript = transcribe_file(source, options, choice.recognizer,
                                                  choice.backend, choice.fallback_reason)
        except NoAudio as exc:
            self.skipped = Skipped(part="transcript", reason=str(exc))
        except Exception as exc:  # the visual analysis goes on; the transcript says why
            self.failed = True
            if choice is None:
                self.skipped = Skipped(part="transcript", reason=f"speech recogniser did not "
                                       f"load: {type(exc).__name__}: {exc}")
                return
            self.transcript = Transcript(
                backend=choice.backend, model=getattr(choice.recognizer, "model", None),
                fallback_reason=choice.fallback_reason,
                note=f"speech recognition failed: {type(exc).__name__}: {exc}")
        finally:
            self.seconds = round(time.perf_counter() - started, 3)

    @property
    def busy(self) -> bool:
        """Still listening (the encoder leaves it a core meanwhile)."""
        return self._thread.is_alive()

    def join(self) -> tuple[Transcript | None, Skipped | None, float]:
        self._thread.join()
        return self.transcript, self.skipped, self.seconds


def start_speech(source: str, options: SpeechOptions, choose) -> SpeechJob | None:
    """None when speech is off; ``choose()`` loads the recogniser once it is needed."""
    if options.backend == "off":
        return None
    return SpeechJob(source, options, choose)


def not_transcribed(choice) -> Skipped | None:
    """The skipped entry for a run whose recogniser did not load (None when off)."""
    if choice is None or choice.backend == "off" or choice.recognizer is not None:
        return None
    return Skipped(part="transcript", reason=f"speech not transcribed: {choice.fallback_reason}")
