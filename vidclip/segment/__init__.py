"""Scene segmentation: frame-accurate cuts and gradual transitions, streamed.

Design
------
The decoder hands every decoded frame to :class:`SceneDetector` in chunks
(:meth:`~SceneDetector.observe`). Each chunk is reduced at once, with numpy
over the whole chunk, to a tiny signature per frame (an area-averaged YCbCr
grid about 28 cells high, and Y/Cb/Cr histograms); a ring buffer keeps the
last few dozen signatures and only a dozen scalars per frame are stored
(:mod:`.signals`). :meth:`~SceneDetector.finish` then works on those scalars:

1. hard cuts (:mod:`.cuts`): a frame whose change from the previous one
   stands far above its neighbours' (adaptive ratio), above an absolute
   floor, and that persists (a flash returns to the old picture, so it is
   not a cut). Frame-accurate: the boundary is the first frame of the new
   shot;
2. fades through black (:mod:`.fades`): one boundary on the black, or two
   when the black lasts long enough to be a scene;
3. dissolves and other gradual changes (:mod:`.gradual`): at four time
   scales, the change across a frame against the change just before and
   just after it; the boundary is the middle of the transition;
4. optional embedding evidence (:mod:`.confirm`): drops weak boundaries
   between near-identical samples, adds gradual ones at large unexplained
   jumps -- only when the caller says the embeddings are meaningful;
5. minimum length (:mod:`.merge`): too-short scenes join the neighbour they
   resemble more.

Scenes tile the video: the first starts at frame 0 and 0.0 s, each later one
at its first frame's timestamp, each ends where the next starts, the last at
``total_frames`` / ``duration_s``.

    detector = SceneDetector(options.scenes, fps_hint=30.0)
    for batch in batches:
        detector.observe(batch)
    scenes = detector.finish(total_frames=n, duration_s=d)

:func:`.evaluate.boundary_prf` scores predicted boundaries against ground truth.
"""

from vidclip.segment.boundaries import Boundary
from vidclip.segment.scenes import SceneDetector, SceneSpan, scenes_holding

__all__ = ["Boundary", "SceneDetector", "SceneSpan", "scenes_holding"]
