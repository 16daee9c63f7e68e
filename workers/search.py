"""Search tasks' bodies: keep the index in line with a job, answer a query.

Thin adapters over :mod:`vidclip.index.service`: the ``index`` queue's one
worker writes the index (:func:`index_job`), ``query`` workers keep the model
and the index open and answer (:func:`answer`); an open index follows a
rebuild swapped in under it at the next query (``vidclip.index.archive``).
"""

from __future__ import annotations

import logging

from vidclip.errors import VidclipError
from vidclip.jobs.media import job_results_dir
from vidclip.jobs.replies import send_reply
from vidclip.jobs.status import JobStatus

log = logging.getLogger(__name__)

MOMENTS_FILE = "result.moments.npz"


def index_job(rt, job_id: str) -> int:
    from vidclip.index.service import sync_job

    job = rt.store.get(job_id)
    indexable = (job is not None and job.status == JobStatus.SUCCEEDED.value
                 and job.result_json is not None and not job.purge_requested)
    moments = job_results_dir(rt.settings, job_id) / MOMENTS_FILE
    if not indexable:
        return sync_job(rt.settings.index_dir, job_id, moments_file=None, result_json=None)
    return sync_job(rt.settings.index_dir, job_id, moments_file=moments,
                    result_json=job.result_json, source=job.source_name or job.source_value,
                    tenant=job.tenant, job_tag=job.tag)


def answer(rt, reply_to: str, request: dict) -> None:
    """Embed and search; the hits (or the error) go back to the waiting API."""
    try:
        payload = rt.searcher().answer(request)
    except VidclipError as exc:
        payload = {"error": {"code": exc.code, "message": exc.message}}
    except Exception as exc:  # the API must hear of it, not wait out its timeout
        log.exception("search failed")
        payload = {"error": {"code": "search_failed", "message": type(exc).__name__}}
    send_reply(rt.settings, reply_to, payload)
