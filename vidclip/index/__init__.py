"""Search an archive: moment vectors, their metadata, and FAISS indexes over them.

Design
------
- :mod:`~vidclip.index.moments`: what is searchable -- one vector per scene
  and per window of a long scene, from the frames the analysis embedded.
- :mod:`~vidclip.index.files`: ``<stem>.moments.npz`` beside a result, the
  source of truth; every index is derived from these and can be rebuilt.
- :mod:`~vidclip.index.identity`: the model a set of vectors belongs to; an
  index refuses a query from another model, and each model's index lives
  in its own directory (``DIR/<model slug>/``), so a new model never wipes
  an old index.
- :mod:`~vidclip.index.catalog` (SQLite: rows, vectors, the current files)
  and :mod:`~vidclip.index.engine` (FAISS: exact while small, HNSW beyond)
  make :class:`~vidclip.index.archive.MomentIndex`: one writer, readers that
  always see one committed generation.
- :mod:`~vidclip.index.ingest`: results into an index, resumable; rebuild.
- :mod:`~vidclip.index.query`: text (calibrated like a tag), image and
  "more like this" queries as vectors.

Nothing here imports FAISS until an index is opened, nor torch ever: the
encoder that embeds queries is passed in.
"""

from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.files import SUFFIX as MOMENTS_SUFFIX
from vidclip.index.files import load_moments, moments_path, save_moments
from vidclip.index.identity import ModelIdentity
from vidclip.index.moments import Moments, compute_moments

__all__ = ["Filters", "VideoRow", "MOMENTS_SUFFIX", "load_moments", "moments_path",
           "save_moments", "ModelIdentity", "Moments", "compute_moments"]
