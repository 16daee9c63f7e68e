"""The FAISS half of an index: build, save atomically, load, search.

Inner product over unit vectors is cosine similarity. Up to
:data:`EXACT_UP_TO` vectors an exact ``IndexFlatIP`` answers in a few
milliseconds and costs nothing to build; beyond it an HNSW graph over 8-bit
scalar-quantised vectors (``IndexHNSWSQ``) answers in about a millisecond
at recall@10 above 0.95 and keeps a million 512-d moments within about a
gigabyte, where the full-precision graph would need over two
(``benchmarks/search.py`` measures all three). The kind is chosen from the
count alone, so a rebuild of the same vectors makes the same kind of index.
Both are wrapped in ``IndexIDMap2``: FAISS ids are the catalog's moment ids.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from vidclip.errors import SearchIndexError

#: The exact index's latency grows linearly (a full scan); past this many
#: vectors the approximate one is faster at the same top-10 on 2 CPU cores.
EXACT_UP_TO = 50_000
#: HNSW links per node, and the candidate lists while building and searching:
#: the settings that reached recall@10 >= 0.95 in the benchmark.
HNSW_M = 32
EF_CONSTRUCTION = 80
EF_SEARCH = 96
#: One query runs on one thread: an OpenMP team's fork and join cost more than
#: a top-10 search and, on a busy machine, wait for every thread to be
#: scheduled (measured: 16 ms instead of 2 ms per query on 10k vectors). Many
#: queries at once scale with processes (query workers), not threads.
SEARCH_THREADS = 1


def faiss_module() -> Any:
    try:
        import faiss
    except ImportError:
        raise SearchIndexError("search needs FAISS: pip install 'vidclip[index]' "
                               "(faiss-cpu).") from None
    return faiss


def kind_for(count: int) -> str:
    return "flat" if count <= EXACT_UP_TO else "hnsw-sq8"


def new_index(dim: int, count: int, sample: np.ndarray | None = None) -> Any:
    """An empty index of the kind that suits ``count`` vectors (``sample`` trains SQ8)."""
    faiss = faiss_module()
    if kind_for(count) == "flat":
        base = faiss.IndexFlatIP(dim)
    else:
        base = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, HNSW_M,
                                 faiss.METRIC_INNER_PRODUCT)
        base.hnsw.efConstruction = EF_CONSTRUCTION
        base.hnsw.efSearch = EF_SEARCH
        if sample is None or not len(sample):
            raise ValueError("an approximate index needs sample vectors to train on")
        base.train(np.ascontiguousarray(sample, np.float32))
    return faiss.IndexIDMap2(base)


def kind_of(index: Any) -> str:
    faiss = faiss_module()
    base = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    return "hnsw-sq8" if isinstance(base, faiss.IndexHNSW) else "flat"


def save(index: Any, path: Path) -> None:
    """Write aside, then rename: a reader opens the old file or the new, never half of one."""
    tmp = path.with_name(path.name + ".part")
    faiss_module().write_index(index, str(tmp))
    os.replace(tmp, path)


def load(path: Path) -> Any:
    faiss = faiss_module()
    if not path.is_file():
        raise FileNotFoundError(path)
    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:
        raise SearchIndexError(f"{path}: the index file is unreadable "
                               f"({str(exc).splitlines()[0][:120]}).") from None


def search(index: Any, query: np.ndarray, k: int, *, allow: np.ndarray | None = None,
           exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(scores, ids)`` of the ``k`` best, ids ``-1`` where fewer exist.

    ``allow`` restricts the search to those ids, ``exclude`` leaves those out
    (moments removed since the file was built).
    """
    faiss = faiss_module()
    if index.ntotal == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    selector = None
    if allow is not None:
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(allow, np.int64))
    if exclude is not None and len(exclude):
        excluded = faiss.IDSelectorNot(faiss.IDSelectorBatch(np.ascontiguousarray(exclude,
                                                                                  np.int64)))
        selector = excluded if selector is None else faiss.IDSelectorAnd(selector, excluded)
    params = None
    if selector is not None:
        base = faiss.downcast_index(index.index)
        if isinstance(base, faiss.IndexHNSW):
            # A filter hides part of the graph; a longer candidate list finds the rest.
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(EF_SEARCH, 4 * k))
        else:
            params = faiss.SearchParameters(sel=selector)
    q = np.ascontiguousarray(query.reshape(1, -1), np.float32)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(SEARCH_THREADS)
    try:
        scores, ids = index.search(q, min(k, index.ntotal), params=params)
    finally:
        faiss.omp_set_num_threads(threads)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]
