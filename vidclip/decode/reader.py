"""``open_video``: one reader over decord, PyAV or torchcodec, chosen per file.

Rules for ``backend="auto"``:

- torchcodec first when the model runs on a GPU (``device="cuda..."``),
  torchcodec is installed with FFmpeg's libraries and it opens the file:
  it decodes on the GPU (NVDEC) and the frames stay there
  (:mod:`.torchcodec_backend`); otherwise the rules below;

- decord first: it is the project's primary decoder and resizes in FFmpeg;
- PyAV instead, before decoding, when decord's bundled FFmpeg is not trusted
  with the codec or bit depth (:func:`decord_backend.unsuitable`), when
  decord cannot open the file, or when its frame index disagrees with the
  container -- missing or repeated timestamps, a first frame that is not the
  first decodable one, a frame count unlike the MP4 header's
  (:func:`decord_backend.distrust`);
- PyAV for key-frame triage (``keyframes`` with ``full_rate=False``): it can
  skip decoding the frames in between, decord cannot;
- PyAV when the caller asks for previews (``preview_side``): it converts each
  decoded frame at two sizes, decord at one per reader. On a 720p H.264 clip,
  decoding plus cut detection on 28-px previews took about two thirds of the
  CPU time of decord at 398x224 (and there is no indexing pass);
- PyAV from the failing frame on when decord raises part-way.

``backend="decord"`` skips the codec and bit-depth checks but still falls
back when decord cannot open the file, its index is distrusted, or it fails
part-way; ``backend="pyav"`` never uses decord. ``backend="torchcodec"``
(on the model's device) is a clear error when torchcodec or FFmpeg's
libraries are missing, and falls back to PyAV for a file it cannot open
or that fails part-way.
The backend used and the reasons are in ``info.decoder`` and
``info.decoder_note``.

Known limits: decord reads the whole file once to index it before the first
frame; a decord call that hangs inside its C++ threads (dmlc/decord#269, not
seen with our inputs) cannot be interrupted from Python.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator
from pathlib import Path

from vidclip.config import DECODERS, DecoderName
from vidclip.decode import decord_backend, pyav_backend, torchcodec_backend
from vidclip.decode.probe import (
    StreamFacts,
    output_size,
    probe_facts,
    to_info,
    variable_rate,
)
from vidclip.decode.sampling import Sampler
from vidclip.decode.types import FrameBatch, LookSpec, PassReport, SamplingSpec
from vidclip.errors import ConfigError, DecodeError
from vidclip.schema import VideoInfo

log = logging.getLogger(__name__)


def _plain(exc: Exception) -> str:
    """decord's messages carry timestamps and C++ source paths; keep the words."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"\[\d{2}:\d{2}:\d{2}\] \S+:\d+: ", "", text)
    return text[:160]


class VideoReader:
    """Iterate to get :class:`FrameBatch` chunks; use as a context manager.

    ``info`` is known on opening and refined by a pass over the frames: the
    exact frame count and true variable-rate flag once every frame has been
    decoded, the real duration of a file that ends early, and notes about
    skipped or damaged data. Each iteration is a fresh pass from the start.
    """

    def __init__(self, facts: StreamFacts, sampling: SamplingSpec, short_side: int,
                 chunk_size: int, backend: DecoderName, full_rate: bool,
                 preview_side: int | None = None, threads: int = 0, device: str = "cpu",
                 looks: LookSpec | None = None):
        if backend not in DECODERS:
            raise ConfigError(f"unknown decoder {backend!r}: choose {', '.join(DECODERS)}.")
        if short_side < 1 or chunk_size < 1:
            raise ConfigError("short_side and chunk_size must be at least 1.")
        self.facts = facts
        self.sampling = sampling
        self.size = output_size(facts, short_side)
        self.chunk_size = chunk_size
        self.full_rate = full_rate
        self.threads = threads
        #: Upright size of the previews, or None (every frame at ``size``).
        self.preview_size: tuple[int, int] | None = None
        if full_rate and preview_side and preview_side < short_side:
            self.preview_size = output_size(facts, preview_side)
        self.decoder = "pyav"
        self._decord: decord_backend.DecordSource | None = None
        self._torchcodec: torchcodec_backend.TorchcodecSource | None = None
        self._notes: list[str] = []
        self._updates: dict = {}
        self._passes: list[Generator[FrameBatch, None, None]] = []
        self._closed = False
        if backend == "torchcodec":
            torchcodec_backend.require()
            self._open_torchcodec(device)
        elif backend == "auto" and device.startswith("cuda") and \
                torchcodec_backend.unavailable() is None and self._open_torchcodec(device):
            pass
        elif backend == "auto" and sampling.strategy == "keyframes" and not full_rate:
            self._notes.append("key frames only: PyAV skips the frames in between")
        elif backend == "auto" and self.preview_size is not None:
            pass  # PyAV by preference (cheaper here, see above): nothing to note
        elif backend in ("auto", "decord"):
            reason = decord_backend.unsuitable(facts) if backend == "auto" else None
            if reason:
                self._notes.append(reason)
            else:
                self._open_decord()
        self.info = self._info()
        #: Upright size of the look frames, when this reader delivers them: only a PyAV
        #: pass with previews does (see :attr:`delivers_looks`).
        self.look_size: tuple[int, int] | None = None
        self._looks = looks
        if looks is not None and self.preview_size is not None and self.decoder == "pyav":
            short = min(facts.display_width, facts.display_height) or looks.short_side
            self.look_size = output_size(facts, max(1, min(looks.short_side, short)))

    @property
    def delivers_looks(self) -> bool:
        """Whether every pass's batches carry the :class:`LookSpec`'s frames."""
        return self.look_size is not None

    def _open_torchcodec(self, device: str) -> bool:
        try:
            self._torchcodec = torchcodec_backend.TorchcodecSource(self.facts, self.size, device,
                                                                   self.threads)
        except Exception as exc:  # torchcodec raises RuntimeError or ValueError on bad files
            self._notes.append(f"torchcodec could not open it ({_plain(exc)})")
            return False
        self.decoder = "torchcodec"
        return True

    def _open_decord(self) -> None:
        try:
            source = decord_backend.DecordSource(self.facts, self.size)
        except Exception as exc:  # decord raises its own error types, or plain RuntimeError
            self._notes.append(f"decord could not open it ({_plain(exc)})")
            return
        reason = decord_backend.distrust(self.facts, source.times_s)
        if reason:
            source.close()
            self._notes.append(reason)
            return
        self._decord = source
        self.decoder = "decord"
        # One frame size per pass, even if PyAV takes over part-way: the cut
        # detector compares each frame with the ones before it.
        self.preview_size = None
        self._learn_times(source.times_s)

    def _learn_times(self, times) -> None:
        """Every frame's time is known: count, rate and span are facts now."""
        facts = self.facts
        # Real timestamps overrule the header's rates, which only hint at VFR.
        self._updates.update(frame_count=len(times), variable_frame_rate=variable_rate(times))
        step = 1.0 / facts.avg_fps if facts.avg_fps else 0.0
        span = float(times[-1]) + step - facts.start_time_s
        if abs(span - facts.duration_s) > 2 * step:
            # The header's duration is another stream's (audio) or the data's end is cut.
            self._updates["duration_s"] = round(max(span, 0.0), 6)

    def _info(self) -> VideoInfo:
        notes = dict.fromkeys(self._notes)  # a second pass repeats what the first found
        info = to_info(self.facts, self.decoder, "; ".join(notes) or None)
        return info.model_copy(update=self._updates)

    def _sampler(self) -> Sampler:
        return Sampler(self.sampling, self.facts.start_time_s, self.info.duration_s,
                       self.info.frame_count)

    def __iter__(self) -> Generator[FrameBatch, None, None]:
        if self._closed:
            raise RuntimeError("this VideoReader is closed; open the video again")
        chunks = self._pass()
        self._passes.append(chunks)
        return chunks

    def _pass(self) -> Generator[FrameBatch, None, None]:
        skip = 0
        if self._torchcodec is not None:
            delivered = 0
            try:
                chunks = torchcodec_backend.iter_torchcodec(
                    self._torchcodec, self._sampler(), self.chunk_size, self.full_rate,
                    self.preview_size)
                while True:
                    batch = next(chunks)
                    yield batch
                    delivered = int(batch.indices[-1]) + 1
            except StopIteration as done:
                report = done.value
                self._after_pyav(report)
                return
            except Exception as exc:  # PyAV from the failing frame on, as after decord
                log.warning("torchcodec failed at frame %d of %s: %s; continuing with PyAV",
                            delivered, self.facts.path, _plain(exc))
                self._notes.append(f"torchcodec failed at frame {delivered} "
                                   f"({_plain(exc)}); PyAV took over")
                self.decoder = "pyav"
                self.info = self._info()
                skip = delivered
                self._torchcodec.close()
                self._torchcodec = None
        if self._decord is not None:
            try:
                yield from decord_backend.iter_decord(self._decord, self._sampler(),
                                                      self.chunk_size, self.full_rate)
                return
            except decord_backend.DecordFailed as exc:  # PyAV from the failing frame on
                log.warning("decord failed at frame %d of %s: %s; continuing with PyAV",
                            exc.next_frame, self.facts.path, _plain(exc.cause))
                self._notes.append(f"decord failed at frame {exc.next_frame} "
                                   f"({_plain(exc.cause)}); PyAV took over")
                self.decoder = "pyav"
                self.info = self._info()
                skip = exc.next_frame
                self._decord.close()  # later passes go straight to PyAV
                self._decord = None
        looks = None
        if self.look_size is not None and self._looks is not None:
            looker = Sampler(SamplingSpec("fps", 1.0 / self._looks.every_s),
                             self.facts.start_time_s + self._looks.first_s,
                             self.info.duration_s, self.info.frame_count)
            looks = (looker, self.look_size)
        report = yield from pyav_backend.iter_pyav(self.facts, self._sampler(), self.size,
                                                   self.chunk_size, self.full_rate, skip,
                                                   self.preview_size, self.threads, looks)
        self._after_pyav(report)

    def _after_pyav(self, report: PassReport) -> None:
        """Fold what a full PyAV pass learnt into ``info``."""
        if report.frames == 0:
            raise DecodeError(f"{self.facts.path}: no frame could be decoded.")
        if report.corrupt_packets:
            self._notes.append(f"{report.corrupt_packets} corrupt packet(s) skipped")
        if report.complete:
            self._learn_times(report.times)
            decoded, promised = report.frames, self.facts.frame_count
            if self.facts.frame_count_exact and decoded < 0.98 * promised:
                # A cut-off file: its header promises more than the data holds.
                why = "damaged data" if report.corrupt_packets else \
                    "the file ends early (truncated?)"
                self._notes.append(f"{decoded} of {promised} frames decoded: {why}")
        self.info = self._info()

    def close(self) -> None:
        """Release the decoder and any pass still open; safe to call twice."""
        self._closed = True
        for chunks in self._passes:
            chunks.close()  # runs the backends' cleanup (PyAV closes its container)
        self._passes.clear()
        if self._decord is not None:
            self._decord.close()
            self._decord = None
        if self._torchcodec is not None:
            self._torchcodec.close()
            self._torchcodec = None

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_video(
    source: str | Path,
    *,
    sampling: SamplingSpec | None = None,
    short_side: int = 224,
    chunk_size: int = 32,
    backend: DecoderName = "auto",
    full_rate: bool = True,
    preview_side: int | None = None,
    threads: int = 0,
    device: str = "cpu",
    looks: LookSpec | None = None,
) -> VideoReader:
    """Probe ``source`` and open a reader; raises a clear InputError for bad input.

    Iterating yields :class:`FrameBatch` chunks of at most ``chunk_size``
    consecutive frames in presentation order, resized by the decoder so the
    shorter side is ``short_side`` with the display aspect kept, upright.
    With ``full_rate`` every frame is delivered and ``sampled`` marks the
    ones ``sampling`` chose; without it only the sampled frames come.
    ``preview_side`` (full rate only, smaller than ``short_side``) asks for
    every frame at that shorter side and the sampled ones at ``short_side``
    in ``FrameBatch.sampled_frames``; decord, which has one size per reader,
    ignores it and delivers every frame at ``short_side``. ``threads`` caps
    PyAV's decoding threads (0: FFmpeg's choice), e.g. to leave the other
    cores to a CPU model. ``device`` is where the model runs: torchcodec
    decodes there (and ``auto`` prefers it on a GPU). ``looks`` asks for a
    second, sparser sampling at its own size (``FrameBatch.look_frames``);
    only PyAV with previews delivers it (``reader.delivers_looks``).
    """
    facts = probe_facts(source)
    return VideoReader(facts, sampling or SamplingSpec(), short_side, chunk_size, backend,
                       full_rate, preview_side, threads, device, looks)
