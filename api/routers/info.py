"""/v1/info: what the service runs -- its version, and per queue the live workers'
models (a client should know when tags come from the offline encoder)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep
from api.errors import ApiError, responses
from api.schemas import QueueInfo, ServiceInfo
from vidclip import __version__
from vidclip.jobs.names import Queue

router = APIRouter(tags=["health"])


def _gather(settings) -> ServiceInfo:
    import redis

    from vidclip.jobs.presence import Presence

    presence = Presence(settings.broker_url, settings.queue_prefix)
    try:
        records = presence.workers()
    except redis.RedisError as exc:
        raise ApiError(503, "broker_unreachable",
                       "the broker cannot be reached to list the workers.") from exc
    finally:
        presence.close()
    queues = {}
    for queue in Queue:
        serving = [r for r in records if queue.value in r.queues]
        models = []
        for record in serving:
            if record.model is not None and record.model not in models:
                models.append(record.model)
        backends = sorted({r.captions for r in serving})
        readers = sorted({r.text_reader for r in serving if r.text_reader})
        analyze = queue is Queue.ANALYZE
        queues[queue.value] = QueueInfo(workers=len(serving),
                                        models=models if analyze else [],
                                        caption_backends=backends
                                        if queue is Queue.CAPTION else [],
                                        text_readers=readers if analyze else [],
                                        speech=_distinct(r.speech for r in serving)
                                        if analyze else [],
                                        text=_distinct(r.text for r in serving)
                                        if analyze else [])
    return ServiceInfo(version=__version__, queues=queues)


def _distinct(states) -> list:
    return list({s.model_dump_json(): s for s in states if s is not None}.values())


@router.get("/info", response_model=ServiceInfo, responses=responses(401, 503),
            summary="The version, and the models the live workers of each queue run")
async def info(settings: SettingsDep) -> ServiceInfo:
    return await run_in_threadpool(_gather, settings)
