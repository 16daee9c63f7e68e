"""Answers that come back from a worker: a Redis list per request.

Jobs report through the store; a search is a question the API waits on for
milliseconds, so the query worker pushes its answer onto a list named in
the task (``reply_to``) and the API pops it with a timeout. The list expires
on its own if nobody is waiting any more. Celery's result backend would do
the same with more machinery, and the deployment keeps it off.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

#: An answer nobody collected is dropped after this long.
REPLY_TTL_S = 60


def reply_key(settings) -> str:
    return f"{settings.queue_prefix}vidclip:reply:{uuid.uuid4().hex}"


def client(settings):
    import redis

    return redis.Redis.from_url(settings.broker_url, socket_timeout=settings.search_timeout_s + 5)


def send_reply(settings, key: str, payload: dict[str, Any]) -> None:
    conn = client(settings)
    try:
        with conn.pipeline() as pipe:
            pipe.rpush(key, json.dumps(payload))
            pipe.expire(key, REPLY_TTL_S)
            pipe.execute()
    finally:
        conn.close()


def wait_reply(conn, key: str, timeout_s: float) -> dict[str, Any] | None:
    """The answer, or None when none came in ``timeout_s``."""
    got = conn.blpop([key], timeout=max(timeout_s, 0.01))
    return None if got is None else json.loads(got[1])
