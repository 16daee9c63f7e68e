"""Failed sign-ins and rejected API keys: counted, and locked out, through Redis.

Two counters, each a moving window of ``auth_failure_window_s`` (the
``limits`` package, as the submission limits use; every API process shares
them), and a lockout of ``auth_lockout_s`` when one fills:

- *per client address* (an IPv6 address counts by its /64, which one
  machine usually holds whole): failed sign-ins and rejected ``X-API-Key``
  headers. When ``auth_failures_per_address`` of them fill the window, the
  address may neither sign in nor use any key, valid or not, until the
  lockout ends: a lockout that let a right guess through would tell a
  guesser when it guessed right. Whoever makes the failures locks only
  their own address out.
- *per key id* (the public ``<id>`` of a ``vck_<id>_<secret>`` token):
  failed sign-ins naming one stored key, from anywhere. When
  ``auth_failures_per_key`` fill the window, sign-in with that key is locked,
  but *not* from an address it has signed in from in the last
  :data:`KNOWN_FOR_S`: a guesser spread over many addresses cannot lock
  the key's owner out where the owner usually works, only somewhere new.

Trade-offs, chosen so: the key lockout guards the sign-in form only (API
clients are machines; a key lockout there would let anyone who knows a
key's id stop its integrations); a client behind the same NAT or proxy as a
guesser shares its address and its lockout (raise the limit, or make the
proxy pass the real address: uvicorn's ``FORWARDED_ALLOW_IPS``); a client
retrying a revoked key locks its own address out, which the log names.
Settings keys (``VIDCLIP_API_KEYS``) carry no id: only their address counts.
An empty key, a missing header and an expired session cookie are not failures.

When Redis cannot be reached the check lets the request through and logs it:
signing in must not depend on the broker being up.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from vidclip.jobs.limits import LimitExceeded, moving_window

log = logging.getLogger(__name__)

#: An address a key signed in from is spared the key's lockout for this long.
KNOWN_FOR_S = 30 * 86400
#: At most one "Redis unreachable" line per this many seconds.
_QUIET_S = 60.0


class LockedOut(LimitExceeded):
    code = "locked_out"

    def __init__(self, message: str, *, retry_after_s: int, scope: str):
        super().__init__(message, code=self.code, retry_after_s=retry_after_s)
        self.scope = scope


def client_address(host: str | None) -> str:
    """What failures are counted under: the address, an IPv6 one by its /64."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Failure:
    """What one more failure did: how many more the tightest counter allows
    before a lockout, or the lockout it began."""

    remaining: int
    locked: LockedOut | None = None


class AuthThrottle:
    """The two counters and their lockouts (see the module's docstring)."""

    def __init__(self, settings, client=None):
        self.settings = settings
        self._client = client
        self._limiter = None
        self._quiet_until = 0.0

    @property
    def client(self):
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.settings.broker_url, socket_timeout=2,
                                                socket_connect_timeout=2)
        return self._client

    def _key(self, *parts: str) -> str:
        return ":".join((f"{self.settings.queue_prefix}vidclip:auth", *parts))

    def _unreachable(self, exc: Exception) -> None:
        if time.monotonic() >= self._quiet_until:
            self._quiet_until = time.monotonic() + _QUIET_S
            log.warning("failed sign-ins are not being counted: Redis is unreachable (%s)",
                        type(exc).__name__)

    # -- before checking a key ---------------------------------------------------------
    def check(self, address: str, key_id: str | None = None, *, sign_in: bool = False) -> None:
        """:class:`LockedOut` while the address (or, signing in from an address the key
        has not signed in from, the key) is locked out."""
        by_key = sign_in and key_id is not None and self.settings.auth_failures_per_key
        if not self.settings.auth_failures_per_address and not by_key:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.pttl(self._key("lock", "address", address))
            if by_key:
                pipe.pttl(self._key("lock", "key", key_id or ""))
                pipe.exists(self._key("known", key_id or "", address))
            found = pipe.execute()
        except Exception as exc:  # redis.RedisError and its kin: let the request through
            self._unreachable(exc)
            return
        if found[0] > 0:
            raise self._address_locked(math.ceil(found[0] / 1000))
        if by_key and found[1] > 0 and not found[2]:
            raise self._key_locked(math.ceil(found[1] / 1000))

    def _address_locked(self, seconds: int) -> LockedOut:
        return LockedOut(f"too many failed sign-ins or rejected keys from this network "
                         f"address: it is locked out for {_minutes(seconds)}; try again after "
                         "that.", retry_after_s=seconds, scope="address")

    def _key_locked(self, seconds: int) -> LockedOut:
        return LockedOut(f"too many failed sign-ins with this key: signing in with it from "
                         f"here is locked for {_minutes(seconds)}; try again after that, or "
                         "from where you signed in with it before.", retry_after_s=seconds,
                         scope="key")

    # -- after checking -------------------------------------------------------------
    def failed(self, address: str, key_id: str | None, what: str) -> Failure | None:
        """Count a failure (``what``: "sign-in" or "API key") by address and, for a
        sign-in, by key id; log it, and any lockout it starts. None when nothing counts."""
        settings = self.settings
        counters = [("address", address, settings.auth_failures_per_address)]
        if what == "sign-in" and key_id is not None:
            counters.append(("key", key_id, settings.auth_failures_per_key))
        try:
            counted = [(scope, name, limit, self._count(limit, scope, name))
                       for scope, name, limit in counters if limit]
        except Exception as exc:  # redis.RedisError and its kin
            self._unreachable(exc)
            return None
        if not counted:
            return None
        window = settings.auth_failure_window_s
        log.warning("%s failed from %s%s (%s in %d s)", what, address,
                    f" with key id {key_id}" if key_id else "",
                    ", ".join(f"{n} of {limit} by {scope}" for scope, _, limit, n in counted),
                    window, extra={"event": "auth_failed", "client": address, "key_id": key_id})
        locked = None
        for scope, name, limit, count in counted:
            if count >= limit:
                log.warning("locked out %s %s for %d s after %d failures in %d s", scope, name,
                            settings.auth_lockout_s, count, window,
                            extra={"event": "auth_locked_out", "scope": scope,
                                   "client": address, "key_id": key_id})
                # This address never signed in with the key (it would have got in),
                # so a lockout of the key applies to it at once.
                locked = locked or (self._address_locked(settings.auth_lockout_s)
                                    if scope == "address"
                                    else self._key_locked(settings.auth_lockout_s))
        return Failure(min(limit - count for _, _, limit, count in counted), locked)

    def _count(self, limit: int, scope: str, name: str) -> int:
        """One more failure; the failures in the window (at ``limit``: locked out now)."""
        from limits import RateLimitItemPerSecond

        if self._limiter is None:
            self._limiter = moving_window(self.settings, "auth")
        item = RateLimitItemPerSecond(limit, self.settings.auth_failure_window_s)
        self._limiter.hit(item, scope, name)
        count = limit - self._limiter.get_window_stats(item, scope, name).remaining
        if count >= limit:
            self.client.set(self._key("lock", scope, name), "1",
                            ex=self.settings.auth_lockout_s, nx=True)
            self._limiter.clear(item, scope, name)  # a fresh window once the lockout ends
        return count

    def succeeded(self, address: str, key_id: str | None) -> None:
        """A sign-in that worked: the address is the key's own for :data:`KNOWN_FOR_S`."""
        if key_id is None or not self.settings.auth_failures_per_key:
            return
        try:
            self.client.set(self._key("known", key_id, address), "1", ex=KNOWN_FOR_S)
        except Exception as exc:
            self._unreachable(exc)
