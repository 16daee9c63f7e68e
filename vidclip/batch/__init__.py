"""Tag a media archive: resumable, skips bad files, reports at the end.

    report = run_batch(discover("/archive")[0], Path("tags"), analyse_one)

Outputs mirror the archive's folder layout under the output directory, so
two ``intro.mp4`` in different folders never collide
(:mod:`.discover`); :mod:`.runner` runs the videos in this process, one at
a time or several at once into shared encoder batches (:mod:`.shared`), or
in a pool of worker processes (:mod:`.pool`); :mod:`.items` is what each
video turns into.
"""

from vidclip.batch.discover import AUDIO_SUFFIXES, VIDEO_SUFFIXES, discover, output_stem
from vidclip.batch.items import Analyser, BatchReport, Item, analyse_item
from vidclip.batch.runner import run_batch
from vidclip.batch.shared import SharedBatch

__all__ = ["AUDIO_SUFFIXES", "Analyser", "BatchReport", "Item", "VIDEO_SUFFIXES", "analyse_item",
           "discover", "output_stem", "run_batch", "SharedBatch"]
