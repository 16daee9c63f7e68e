"""Audio -> voice activity -> recogniser -> :class:`~vidclip.schema.Transcript`."""

from __future__ import annotations

from vidclip.config import SpeechOptions
from vidclip.schema import SoundEvent, Transcript, TranscriptSegment, Word
from vidclip.speech.audio import AudioSource
from vidclip.speech.base import Recognizer, Region
from vidclip.speech.vad import StreamingVAD

#: Regions handed to the recogniser at once (bounded memory, steady progress).
BATCH_S = 60.0


def transcribe_file(path: str, options: SpeechOptions, recognizer: Recognizer, backend: str,
                    fallback_reason: str | None = None) -> Transcript:
    """Raises :class:`~vidclip.speech.audio.NoAudio` for a file without (that) audio."""
    source = AudioSource(path, options.audio_track)
    info = source.probe()
    vad = StreamingVAD()
    segments: list[TranscriptSegment] = []
    language, probability = options.language, None
    pending: list[Region] = []
    note = None

    def run(regions: list[Region]) -> None:
        nonlocal language, probability
        out = recognizer.transcribe(regions, language)
        language = language or out.language
        probability = probability if probability is not None else out.language_probability
        for seg in out.segments:
            words = [Word(start_s=max(0.0, w.start_s), end_s=max(w.start_s, w.end_s, 0.0),
                          text=w.text, confidence=w.confidence) for w in seg.words]
            segments.append(TranscriptSegment(start_s=max(0.0, seg.start_s),
                                              end_s=max(0.0, seg.end_s, seg.start_s),
                                              text=seg.text, words=words))

    for start_s, samples in source.chunks():
        pending += vad.feed(start_s, samples)
        if sum(r.samples.size for r in pending) / 16000 >= BATCH_S:
            run(pending)
            pending = []
    pending += vad.finish()
    if pending:
        run(pending)
    note = source.note
    act = vad.activity
    if act.audio_s == 0:
        note = note or "the audio stream is empty (zero length)"
    sounds = [SoundEvent(start_s=max(0.0, s), end_s=e, label=label, evidence="audio")
              for s, e, label in act.sounds]
    return Transcript(
        language=language or ("en" if backend == "pocketsphinx" else None),
        language_probability=probability, backend=backend, model=recognizer.model,
        fallback_reason=fallback_reason, audio=info, speech_s=act.speech_s,
        segments=sorted(segments, key=lambda s: s.start_s), sounds=sounds, note=note)
