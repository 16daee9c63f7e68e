"""Fetch a source URL into the job's media directory: capped, timed, checked.

Every hop (redirects included) goes through :func:`netguard.check_url` and
connects to the address it checked. Failures that may pass (timeouts, 5xx,
429, a DNS hiccup) are :class:`TransientError` so the worker retries them;
the rest fail the job at once.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urljoin

import httpx

from vidclip.jobs.errors import IngestError, TransientError, UrlRefusedError
from vidclip.jobs.media import CappedFile
from vidclip.jobs.netguard import check_url, pinned_request_args

MAX_REDIRECTS = 5
CHUNK = 1 << 16


def download(url: str, directory: Path, settings, *, progress=None) -> Path:
    """Stream ``url`` to ``directory/source.<container>`` and return that path."""
    deadline = time.monotonic() + settings.url_timeout_s
    timeout = httpx.Timeout(min(30.0, settings.url_timeout_s))
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            checked = check_url(url, schemes=settings.allowed_url_schemes,
                                allow_private=settings.allow_private_urls)
            target, headers, extensions = pinned_request_args(checked)
            try:
                with client.stream("GET", target, headers=headers, extensions=extensions) as resp:
                    if resp.is_redirect:
                        url = urljoin(url, resp.headers.get("location", ""))
                        continue
                    _raise_for_status(resp, url)
                    return _save(resp, directory, settings, deadline, progress)
            except httpx.TimeoutException as exc:
                raise TransientError(f"the download from {checked.host} timed out.") from exc
            except httpx.TransportError as exc:
                raise TransientError(f"the download from {checked.host} failed ({exc}).") from exc
    raise UrlRefusedError(f"the URL redirected more than {MAX_REDIRECTS} times.")


def _raise_for_status(resp: httpx.Response, url: str) -> None:
    if resp.status_code < 400:
        return
    message = f"fetching the URL answered HTTP {resp.status_code}."
    if resp.status_code >= 500 or resp.status_code in (408, 429):
        raise TransientError(message)
    raise IngestError(message, code="url_fetch_failed")


def _save(resp: httpx.Response, directory: Path, settings, deadline: float, progress) -> Path:
    limit = settings.url_max_bytes
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise IngestError(f"the URL's file ({declared} bytes) is larger than the limit of "
                          f"{limit} bytes.", code="too_large")
    total = int(declared) if declared and declared.isdigit() else None
    out = CappedFile(directory, limit, what="download")
    try:
        for chunk in resp.iter_bytes(CHUNK):
            out.write(chunk)
            if time.monotonic() > deadline:
                raise IngestError(f"the download took longer than {settings.url_timeout_s:g} s.",
                                  code="url_timeout")
            if progress is not None and total:
                progress(min(out.size / total, 1.0))
        return out.finish()
    except BaseException:
        out.discard()
        raise
