"""Reading on-screen text (issue 22).

One role per file: :mod:`base` is the reader interface, :mod:`rapidocr_backend`
the bundled default (ONNX PP-OCR models inside the rapidocr wheel),
:mod:`track` turns per-frame detections into items that last from when a
piece of text appears until it disappears.
"""
