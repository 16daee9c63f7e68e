"""A stand-in for ``GET /v1/search`` (the archive-search work lands it, with the
model in a query worker) so the browser tests can drive the search box: every
scene of the caller's tenant's finished jobs whose tags name the query, in the
hit shape of that route (``api/search_schemas.py`` there: job id, source,
scene, time range, score, tags, flags, links)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from api.deps import PrincipalDep
from vidclip.jobs.views import links_for
from vidclip.schema import VideoAnalysis

router = APIRouter(prefix="/v1")


@router.get("/search")
def search(request: Request, principal: PrincipalDep, q: str = Query(max_length=1000)) -> dict:
    hits = []
    for job in request.app.state.store.list(tenant=principal.tenant, statuses=["succeeded"]):
        if job.result_json is None:
            continue
        analysis = VideoAnalysis.model_validate_json(job.result_json)
        for scene in analysis.scenes:
            score = max((t.score for t in scene.tags if t.label in q), default=None)
            if score is not None:
                picture = links_for(job.id).thumbnail.replace("{scene}", str(scene.index))
                hits.append({"job_id": job.id, "source": job.source_name or job.source_value,
                             "kind": "scene", "scene": scene.index, "start_s": scene.start_s,
                             "end_s": scene.end_s, "score": score,
                             "tags": [t.model_dump() for t in scene.tags],
                             "flags": [m.category for m in scene.moderation if m.flagged],
                             "links": {"thumbnail": picture, "scene_thumbnail": picture}})
    return {"hits": sorted(hits, key=lambda h: -h["score"])[:10]}
