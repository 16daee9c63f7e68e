"""Decode and sample video frames: decord first, PyAV where decord can't or for previews.

    with open_video("clip.mp4", sampling=SamplingSpec("fps", fps=1)) as reader:
        print(reader.info)
        for batch in reader:          # FrameBatch chunks, bounded in size
            ...
"""

from vidclip.decode.probe import MAX_ASPECT, MAX_PIXELS, MAX_SIDE, probe
from vidclip.decode.reader import VideoReader, open_video
from vidclip.decode.types import FrameBatch, FrameObserver, SamplingSpec

__all__ = ["open_video", "probe", "VideoReader", "FrameBatch", "FrameObserver", "SamplingSpec",
           "MAX_ASPECT", "MAX_PIXELS", "MAX_SIDE"]
