"""One video streamed through the encoder: the units behind the encode stage.

    decoder thread:  FrameProducer -- decode a chunk, the cut detector sees every
                     frame, the sampled frames go on (DecodeStats counts)
    Prefetcher:      a bounded buffer between the two threads (vidclip.prefetch)
    caller's thread: BatchEncoder -- sampled frames into encoder calls, sharing the
                     CPU with the decoder while it runs (EncodeStats counts)
    result:          EncodedFrames -- embeddings with their times and frame numbers

Each unit is small and testable alone; :mod:`vidclip.stages.encode` joins
them for one video, and a scheduler feeding one encoder from several videos
can join them differently.
"""

from vidclip.stream.batch_encoder import BatchEncoder
from vidclip.stream.frames import EncodedFrames
from vidclip.stream.producer import FrameProducer
from vidclip.stream.stats import DecodeStats, EncodeStats

__all__ = ["BatchEncoder", "DecodeStats", "EncodeStats", "EncodedFrames", "FrameProducer"]
