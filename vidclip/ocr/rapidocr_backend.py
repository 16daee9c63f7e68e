"""The default reader: RapidOCR with the PP-OCR det/rec ONNX models shipped in its wheel.

The models live under ``rapidocr/models`` inside the installed package, so the
reader works air-gapped; onnxruntime runs them on the CPU. Two intra-op
threads: the machines this runs on by default have few cores, and the
encoder shares them.
"""

from __future__ import annotations

import threading

import numpy as np

from vidclip.ocr.base import Line, TextReader

#: onnxruntime threads per session (2-core machines share them with the encoder).
THREADS = 2


class RapidOCRReader(TextReader):
    name = "rapidocr"

    def __init__(self, threads: int = THREADS) -> None:
        self.threads = threads
        self._engine = None
        self._lock = threading.Lock()

    def load(self):
        with self._lock:
            if self._engine is None:
                from rapidocr import RapidOCR  # optional dependency; imported on use

                self._engine = RapidOCR(params={
                    "Global.use_cls": False,  # text up to ~15 degrees reads without it
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                })
            return self._engine

    def read(self, frames: list[np.ndarray]) -> list[list[Line]]:
        engine = self.load()
        return [self._read_one(engine, frame) for frame in frames]

    @staticmethod
    def _read_one(engine, frame: np.ndarray) -> list[Line]:
        height, width = frame.shape[:2]
        # RapidOCR expects BGR like OpenCV; the frames are RGB.
        out = engine(np.ascontiguousarray(frame[:, :, ::-1]))
        boxes, texts, scores = out.boxes, out.txts, out.scores
        if boxes is None or texts is None:
            return []
        lines = []
        for quad, text, score in zip(boxes, texts, scores):
            quad = np.asarray(quad, dtype=float)
            box = (max(0.0, quad[:, 0].min() / width), max(0.0, quad[:, 1].min() / height),
                   min(1.0, quad[:, 0].max() / width), min(1.0, quad[:, 1].max() / height))
            if text.strip():
                lines.append(Line(text.strip(), box, float(score)))
        return lines

    def describe(self) -> str | None:
        return "PP-OCR (rapidocr, onnxruntime)"
