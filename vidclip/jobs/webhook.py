"""Webhooks: the final status of a job, POSTed and signed.

Header ``X-Vidclip-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is
HMAC-SHA256 of ``"<t>.<raw body>"`` under the shared secret
(``VIDCLIP_WEBHOOK_SECRET``). A receiver recomputes it with
:func:`verify_signature` and refuses old timestamps, so a captured request
cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from vidclip.jobs.errors import IngestError, TransientError
from vidclip.jobs.netguard import check_url, pinned_request_args

SIGNATURE_HEADER = "X-Vidclip-Signature"
EVENT_HEADER = "X-Vidclip-Event"
DELIVERY_HEADER = "X-Vidclip-Delivery"
JOB_FINISHED = "job.finished"
REVIEW_CLOSED = "review.closed"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance_s: int = 300,
                     now: float | None = None) -> bool:
    """True if ``header`` signs ``body`` with ``secret`` within ``tolerance_s``."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance_s:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def payload(job_public: dict) -> bytes:
    return json.dumps({"event": JOB_FINISHED, "job": job_public}, separators=(",", ":"),
                      sort_keys=True, default=str).encode()


def review_payload(review: dict, job_public: dict) -> bytes:
    """A review item closed: its decisions, and the job they are about."""
    return json.dumps({"event": REVIEW_CLOSED, "review": review, "job": job_public},
                      separators=(",", ":"), sort_keys=True, default=str).encode()


def deliver(url: str, body: bytes, settings, *, delivery_id: str,
            event: str = JOB_FINISHED) -> int:
    """POST once; the status code on 2xx, :class:`TransientError` when worth retrying."""
    checked = check_url(url, schemes=settings.allowed_url_schemes,
                        allow_private=settings.allow_private_urls)
    target, headers, extensions = pinned_request_args(checked)
    headers.update({"Content-Type": "application/json", EVENT_HEADER: event,
                    DELIVERY_HEADER: delivery_id, "User-Agent": "vidclip-webhook"})
    if settings.webhook_secret is not None:
        headers[SIGNATURE_HEADER] = sign(settings.webhook_secret.get_secret_value(), body)
    try:
        with httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False,
                          trust_env=False) as client:
            resp = client.post(target, content=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as exc:
        raise TransientError(f"the webhook {checked.host} did not answer ({exc}).") from exc
    if 200 <= resp.status_code < 300:
        return resp.status_code
    if resp.status_code >= 500 or resp.status_code in (408, 429):
        raise TransientError(f"the webhook answered HTTP {resp.status_code}.")
    raise IngestError(f"the webhook answered HTTP {resp.status_code}.", code="webhook_refused")
