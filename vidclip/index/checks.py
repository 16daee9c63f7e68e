"""Checks of a query that need no model: the API applies them before sending one on."""

from __future__ import annotations

from vidclip.errors import QueryError

#: Longer texts are refused: CLIP reads 77 tokens, and a query is a phrase, not a document.
MAX_QUERY_CHARS = 1000
#: The largest picture a query may upload.
MAX_IMAGE_BYTES = 10 * 2**20


def check_text(text: str) -> str:
    """The query with its whitespace collapsed; refuses an empty or a very long one."""
    query = " ".join(str(text).split())
    if not query:
        raise QueryError("the query is empty: say what to look for, e.g. \"a red car at night\".")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query):,} characters long; at most "
                         f"{MAX_QUERY_CHARS:,} are read (the model reads about 77 words).")
    return query
