"""What is waiting in the broker, read straight from Redis (no Celery needed).

kombu's Redis transport keeps a queue as a list named after it, plus one list
per priority step (``<queue>\\x06\\x16<step>``), and a task a worker has
taken but not yet acknowledged in the ``unacked`` hash until it is.
"""

from __future__ import annotations

from vidclip.jobs.names import Queue

#: kombu.transport.redis: Channel.sep, PRIORITY_STEPS and unacked_key.
_SEP = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)
UNACKED_KEY = "unacked"


def queue_keys(settings, queue: Queue) -> list[str]:
    name = settings.queue_name(queue.value)
    return [name] + [f"{name}{_SEP}{step}" for step in _PRIORITY_STEPS]


def queue_depths(client, settings) -> dict[str, int]:
    """Tasks waiting in each queue (not yet taken by a worker), by queue name."""
    pipe = client.pipeline(transaction=False)
    for queue in Queue:
        for key in queue_keys(settings, queue):
            pipe.llen(key)
    lengths = iter(pipe.execute())
    return {queue.value: sum(next(lengths) for _ in queue_keys(settings, queue))
            for queue in Queue}


def unacked_count(client) -> int:
    """Tasks taken by workers and not yet acknowledged (all deployments on this Redis
    database: the hash is not per queue)."""
    return int(client.hlen(UNACKED_KEY))
