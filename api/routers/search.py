"""/v1/search: moments of the caller's tenant's videos, by text (GET) or picture (POST).

A text query is matched, as ``mode`` says, against the picture (``visual``:
the moment vectors), against what was said and written on screen (``text``:
the full-text index; the query worker needs no model for it), or both fused
by rank (``hybrid``, the default). The API never embeds nor ranks: it checks
the query, sends it to a ``query`` worker (which keeps the model and the
index open) and waits a few seconds for the answer
(:mod:`vidclip.jobs.replies`). Hits of a job that was purged while the
search ran are left out.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import PrincipalDep, QueueDep, SettingsDep, StoreDep
from api.errors import ApiError, responses
from api.search_schemas import HitLinks, SearchHit, SearchResults
from vidclip.errors import QueryError
from vidclip.index.checks import MAX_IMAGE_BYTES, MAX_QUERY_CHARS, check_text
from vidclip.index.words_query import WordsQuery
from vidclip.jobs.status import JobStatus
from vidclip.jobs.views import links_for

router = APIRouter(tags=["search"])

_ERRORS = responses(401, 409, 413, 422, 503)
#: Statuses of the worker's error codes.
_STATUS = {"bad_query": 422, "model_mismatch": 409, "index_unavailable": 503}


def _hits(store, tenant: str, found: list[dict[str, Any]]) -> list[SearchHit]:
    out = []
    for hit in found:
        job = store.get(hit["job_id"])
        if job is None or job.tenant != tenant or job.result_json is None \
                or job.status != JobStatus.SUCCEEDED.value:
            continue  # purged (or gone) while the search ran
        links = links_for(job.id)
        picture = links.thumbnail.replace("{scene}", str(hit["scene"]))
        out.append(SearchHit(**{k: v for k, v in hit.items() if k != "job_id"},
                             job_id=job.id,
                             links=HitLinks(job=links.self, result=links.result,
                                            thumbnail=picture, scene_thumbnail=picture,
                                            page=f"/ui/jobs/{job.id}?t={hit['start_s']}")))
    return out


def _ask(settings, queue, store, tenant: str, request: dict[str, Any]) -> list[SearchHit]:
    answer = queue.search(request, settings.search_timeout_s)
    if answer is None:
        raise ApiError(503, "search_unavailable", "no query worker answered in "
                       f"{settings.search_timeout_s:g} s: start one with "
                       "`vidclip worker --queues query`.")
    if "error" in answer:
        error = answer["error"]
        raise ApiError(_STATUS.get(error["code"], 500), error["code"], error["message"])
    return _hits(store, tenant, answer["hits"])


def _filters(top: int, tag: str | None, flagged: bool | None, source: str | None,
             min_duration: float | None) -> dict[str, Any]:
    return {"top": top, "tag": tag, "flagged": flagged, "source": source,
            "min_duration_s": min_duration}


Top = Annotated[int, Query(ge=1, le=100, description="How many moments.")]
Tag = Annotated[str | None, Query(max_length=200, description="Only moments tagged so.")]
Flagged = Annotated[bool | None, Query(description="Only moments with (true) or without "
                                       "(false) moderation flags.")]
Source = Annotated[str | None, Query(max_length=500, description="Glob on the video's name.")]
MinDuration = Annotated[float | None, Query(ge=0, description="Shortest moment, seconds.")]
SearchMode = Annotated[Literal["hybrid", "visual", "text"], Query(
    description="What the text is matched against: the picture (visual), what was said and "
    "written on screen (text), or both fused by rank (hybrid).")]


@router.get("/search", response_model=SearchResults, responses=_ERRORS,
            summary="Moments of your videos that match a text, best first")
async def search(principal: PrincipalDep, settings: SettingsDep, queue: QueueDep,
                 store: StoreDep,
                 q: Annotated[str, Query(description=f"What to look for (at most "
                                         f"{MAX_QUERY_CHARS:,} characters).")],
                 top: Top = 10, tag: Tag = None, flagged: Flagged = None, source: Source = None,
                 min_duration: MinDuration = None, mode: SearchMode = "hybrid"
                 ) -> SearchResults:
    try:
        text = check_text(q)
        if mode == "text" and not WordsQuery.parse(text):
            raise QueryError("the query has no words to look for (letters or digits).")
    except QueryError as exc:
        raise ApiError(422, exc.code, exc.message) from exc
    request = {"tenant": principal.tenant, "q": text, "mode": mode,
               **_filters(top, tag, flagged, source, min_duration)}
    hits = await run_in_threadpool(_ask, settings, queue, store, principal.tenant, request)
    return SearchResults(query=text, mode=mode, hits=hits)


@router.post("/search", response_model=SearchResults, responses=_ERRORS,
             summary="Moments of your videos that look like an uploaded picture")
async def search_image(principal: PrincipalDep, settings: SettingsDep, queue: QueueDep,
                       store: StoreDep, image: Annotated[UploadFile, File()],
                       top: Annotated[int, Form(ge=1, le=100)] = 10,
                       tag: Annotated[str | None, Form(max_length=200)] = None,
                       flagged: Annotated[bool | None, Form()] = None,
                       source: Annotated[str | None, Form(max_length=500)] = None,
                       min_duration: Annotated[float | None, Form(ge=0)] = None
                       ) -> SearchResults:
    data = await image.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(413, "too_large", f"the picture is larger than "
                       f"{MAX_IMAGE_BYTES // 2**20} MB.")
    if not data:
        raise ApiError(422, "bad_query", "the uploaded picture is empty.")
    request = {"tenant": principal.tenant, "image": base64.b64encode(data).decode(),
               "mode": "visual", **_filters(top, tag, flagged, source, min_duration)}
    hits = await run_in_threadpool(_ask, settings, queue, store, principal.tenant, request)
    return SearchResults(query=None, mode="visual", hits=hits)
