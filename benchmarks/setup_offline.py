"""Set-up of one process with the default config (``--model auto``; offline here).

    VIDCLIP_CACHE_DIR=/tmp/c PYTHONPATH=. python benchmarks/setup_offline.py

Run it once to fill the vocabulary cache (not counted), then time it; for
before/after run it with PYTHONPATH at two checkouts, alternating, in the
same minutes. Prints wall and CPU seconds per phase and the heavy stacks the
set-up imported.
"""

from __future__ import annotations

import sys
import time

HEAVY = ("open_clip", "torchvision", "torch._dynamo", "transformers", "rapidocr", "onnxruntime",
         "faiss", "sqlalchemy", "PIL")


def main() -> int:
    t0 = time.perf_counter()
    import vidclip  # noqa: F401

    t1 = time.perf_counter()
    from vidclip.config import AnalysisConfig
    from vidclip.pipeline import Pipeline

    t2 = time.perf_counter()
    pipe = Pipeline(AnalysisConfig())
    t3 = time.perf_counter()
    pipe.setup()
    t4 = time.perf_counter()
    print(f"import vidclip {t1 - t0:.2f}  import pipeline {t2 - t1:.2f}  "
          f"Pipeline() {t3 - t2:.2f}  setup {t4 - t3:.2f}  total {t4 - t0:.2f} s wall, "
          f"{time.process_time():.2f} s CPU; model {pipe.model_choice.options.name}")
    print("imported:", [m for m in HEAVY if m in sys.modules])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
