"""The default reader: RapidOCR with the PP-OCR det/rec ONNX models shipped in its wheel.

The models live under ``rapidocr/models`` inside the installed package, so the
reader works air-gapped; onnxruntime runs them on the CPU.

Cost (``benchmarks/ocr_cost.py``, docs/on-screen-text.md): the detector is
three quarters of it. So:

- The detector sees the frame at a long side of ``DET_SIDE`` (RapidOCR's
  default scales the *short* side up to 736, so a 720p frame ran at
  1312 x 736). Text of 18 px on a 720p frame is still 9 px there, which the
  detector finds; the recogniser reads each line from the full frame.
- :meth:`read_again` runs the recogniser only on lines that are new: a line
  whose box and picture match a line read on the earlier frame keeps that
  reading (:func:`vidclip.ocr.change.same_line`).
- One thread per model, which does not spin waiting for work between runs
  (onnxruntime's default): the reader works beside the decoder and the
  encoder (:class:`vidclip.ocr.watch.Watcher`), and a second thread bought
  the detector almost nothing (36 against 38 ms a 640 x 352 frame on 2 cores)
  for 70 % more CPU, which those stages wanted. ``text.options.threads``
  gives it more where cores are spare.

Lines are returned down to ``FLOOR`` confidence (RapidOCR's own cut is 0.5) so
``benchmarks/ocr.py`` can sweep the threshold; ``text.min_confidence`` decides
what is written.
"""

from __future__ import annotations

import threading

import numpy as np

from vidclip.ocr.base import Line, TextReader
from vidclip.ocr.change import same_line

#: onnxruntime threads per session: the reader shares the cores with decoder and encoder.
THREADS = 1
#: The detector's input, long side in pixels (a multiple of 32): 640 read as many words
#: on benchmarks/ocr.py as 736 and 1280, 512 lost one in twenty (docs/on-screen-text.md).
DET_SIDE = 640
#: Lines below this confidence are not returned at all.
FLOOR = 0.3


#: The steps of RapidOCR's pipeline the reader calls one by one (so that a line
#: still on screen is not recognised again): not its documented API, hence the
#: pin to 3.10 in pyproject.toml and this check at load.
_STEPS = ("preprocess_img", "detect_and_crop", "recognize_txt", "_load_det_model",
          "_load_rec_model")


class RapidOCRReader(TextReader):
    name = "rapidocr"

    def __init__(self, threads: int = THREADS, det_side: int = DET_SIDE) -> None:
        self.threads = threads
        self.det_side = det_side
        self._engine = None
        self._lock = threading.Lock()

    def load(self):
        with self._lock:
            if self._engine is None:
                from rapidocr import RapidOCR  # optional dependency; imported on use

                self._engine = RapidOCR(params={
                    "Global.use_cls": False,  # text up to ~15 degrees reads without it
                    "Global.text_score": FLOOR,
                    "Global.log_level": "error",  # "detection result is empty" is normal
                    "Det.limit_type": "max",
                    "Det.limit_side_len": self.det_side,
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                })
                missing = [m for m in _STEPS if not hasattr(self._engine, m)]
                if missing:
                    from importlib.metadata import version

                    self._engine = None
                    raise RuntimeError(
                        f"rapidocr {version('rapidocr')} lacks {', '.join(missing)}, which the "
                        "reader calls to recognise only new lines; install rapidocr 3.10.x")
                _warm(self._engine, self.threads)
            return self._engine

    def read(self, frames: list[np.ndarray]) -> list[list[Line]]:
        return [self._read(frame, None, []) for frame in frames]

    def read_again(self, frame: np.ndarray, earlier: np.ndarray,
                   earlier_lines: list[Line]) -> list[Line]:
        return self._read(frame, earlier, earlier_lines)

    def _read(self, frame: np.ndarray, earlier: np.ndarray | None,
              earlier_lines: list[Line]) -> list[Line]:
        engine = self.load()
        height, width = frame.shape[:2]
        # RapidOCR expects BGR like OpenCV; the frames are RGB.
        image, record = engine.preprocess_img(np.ascontiguousarray(frame[:, :, ::-1]))
        quads, crops = _detect(engine, image, record, height, width)
        boxes = [_box(q, width, height) for q in quads]
        kept = [_same(earlier, earlier_lines, frame, b) for b in boxes]
        fresh = [i for i, line in enumerate(kept) if line is None]
        if fresh:
            for i, (text, score) in zip(fresh, _recognise(engine, [crops[i] for i in fresh])):
                kept[i] = Line(text.strip(), boxes[i], float(score))
        return [x for x in kept if x is not None and x.text and x.confidence >= FLOOR]

    def describe(self) -> str | None:
        return "PP-OCR (rapidocr, onnxruntime)"


def _warm(engine, threads: int) -> None:
    """Load both models now (RapidOCR loads each on first use: inside a job's
    timing) and rebuild their sessions with threads that do not spin."""
    for loaded in (engine._load_det_model(), engine._load_rec_model()):
        infer = loaded.session  # RapidOCR's OrtInferSession, holding the onnxruntime session
        path = getattr(infer.session, "_model_path", None)
        if path is None:  # an onnxruntime without it: keep RapidOCR's session
            continue
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        infer.session = ort.InferenceSession(path, options,
                                             providers=infer.session.get_providers())


def _detect(engine, image: np.ndarray, record: dict, height: int, width: int):
    """The detector's quads on the original frame, and each line's crop to recognise."""
    from rapidocr.main import RapidOCRError
    from rapidocr.utils.process_img import map_boxes_to_original

    try:
        crops, found = engine.detect_and_crop(image, record)
    except RapidOCRError:  # RapidOCR's way of saying: no text detected
        return [], []
    return list(map_boxes_to_original(found.boxes, record, height, width)), crops


def _recognise(engine, crops: list[np.ndarray]) -> list[tuple[str, float]]:
    from rapidocr.main import RapidOCRError

    try:
        out = engine.recognize_txt(crops)
    except RapidOCRError:  # nothing legible in any crop
        return []
    return list(zip(out.txts, out.scores))


def _box(quad, width: int, height: int) -> tuple[float, float, float, float]:
    quad = np.asarray(quad, dtype=float)
    return (max(0.0, float(quad[:, 0].min()) / width), max(0.0, float(quad[:, 1].min()) / height),
            min(1.0, float(quad[:, 0].max()) / width), min(1.0, float(quad[:, 1].max()) / height))


def _same(earlier: np.ndarray | None, lines: list[Line], frame: np.ndarray,
          box: tuple[float, float, float, float]) -> Line | None:
    """The earlier line this box still shows, with the new box; None when it is new."""
    if earlier is None:
        return None
    for line in lines:
        if same_line(earlier, line.box, frame, box):
            return Line(line.text, box, line.confidence)
    return None
