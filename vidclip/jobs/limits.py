"""Per-key submission limits, kept in Redis so every API process shares them.

*Rate*: ``submit_rate_per_minute`` jobs per key in any 60 s (the ``limits``
package's moving window; a batch of n jobs costs n). *Queue*: at most
``max_queued_per_key`` jobs of one key waiting for a worker. Those jobs are
a sorted set per key (job id, scored by when it was queued); a Lua script
checks the count and adds in one step, so two API processes cannot both
take the last place. A job leaves the set when a worker first claims it, or
when it is cancelled or cannot be queued. An entry older than
``STALE_QUEUED_S`` is dropped at the next admission, so a job lost without a
trace (its Redis restarted empty) cannot hold a place for ever.

Keys are ``<tenant>/<key name>``: the same key in two API processes, one
budget.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from vidclip.errors import VidclipError

STALE_QUEUED_S = 24 * 3600
#: What a client is told to wait when its queue is full: the queue moves as
#: fast as workers take jobs, which the API cannot know.
QUEUE_FULL_RETRY_S = 10

_ADMIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local cap = tonumber(ARGV[2])
local n = #ARGV - 3
if redis.call('ZCARD', KEYS[1]) + n > cap then return 0 end
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], ARGV[3], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], 2 * 86400)
return 1
"""


class LimitExceeded(VidclipError):
    code = "rate_limited"

    def __init__(self, message: str, *, code: str, retry_after_s: int):
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class KeyId:
    tenant: str
    name: str

    def __str__(self) -> str:
        return f"{self.tenant}/{self.name}"


def moving_window(settings, name: str):
    """A ``limits`` moving-window limiter in the broker's Redis, its keys under
    ``<queue prefix>vidclip:<name>`` (every API process shares the counts)."""
    from limits.storage import RedisStorage
    from limits.strategies import MovingWindowRateLimiter

    storage = RedisStorage(settings.broker_url, key_prefix=f"{settings.queue_prefix}vidclip:{name}",
                           wrap_exceptions=True, socket_timeout=2, socket_connect_timeout=2)
    return MovingWindowRateLimiter(storage)


class SubmissionLimits:
    def __init__(self, settings, client=None):
        self.settings = settings
        self._client = client
        self._limiter = None
        self._item = None
        self._admit = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.submit_rate_per_minute or self.settings.max_queued_per_key)

    @property
    def client(self):
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.settings.broker_url, socket_timeout=5,
                                                socket_connect_timeout=5)
        return self._client

    def _key(self, who: KeyId) -> str:
        return f"{self.settings.queue_prefix}vidclip:queued:{who}"

    def check_rate(self, who: KeyId, jobs: int) -> None:
        rate = self.settings.submit_rate_per_minute
        if not rate:
            return
        if self._limiter is None:
            from limits import RateLimitItemPerMinute

            self._limiter = moving_window(self.settings, "rate")
            self._item = RateLimitItemPerMinute(rate)
        if jobs > rate:
            raise LimitExceeded(f"{jobs} jobs at once is more than this key may submit in a "
                                f"minute ({rate}); send smaller batches.", code="rate_limited",
                                retry_after_s=60)
        if not self._limiter.hit(self._item, str(who), cost=jobs):
            stats = self._limiter.get_window_stats(self._item, str(who))
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            raise LimitExceeded(f"this key may submit {rate} jobs a minute "
                                "(VIDCLIP_SUBMIT_RATE_PER_MINUTE); try again in "
                                f"{wait} s.", code="rate_limited", retry_after_s=wait)

    def enter_queue(self, who: KeyId, job_ids: list[str]) -> None:
        cap = self.settings.max_queued_per_key
        if not cap or not job_ids:
            return
        if self._admit is None:
            self._admit = self.client.register_script(_ADMIT)
        now = time.time()
        if not self._admit(keys=[self._key(who)],
                           args=[now - STALE_QUEUED_S, cap, now, *job_ids]):
            raise LimitExceeded(f"this key already has {cap} jobs waiting for a worker "
                                "(VIDCLIP_MAX_QUEUED_PER_KEY); try again once some have "
                                "started.", code="too_many_queued",
                                retry_after_s=QUEUE_FULL_RETRY_S)

    def leave_queue(self, who: KeyId, *job_ids: str) -> None:
        if self.settings.max_queued_per_key and job_ids:
            self.client.zrem(self._key(who), *job_ids)
