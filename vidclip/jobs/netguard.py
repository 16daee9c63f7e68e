"""Which URLs the service may fetch (sources) or call (webhooks).

http(s) only; the host is resolved and every address it resolves to must be
public unless ``allow_private_urls`` is set. The caller then connects to one
of the checked addresses itself (:func:`pinned_request_args`), so a DNS answer
that changes between check and connect (rebinding) cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from vidclip.jobs.errors import TransientError, UrlRefusedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class CheckedUrl:
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def parse_url(url: str, schemes: list[str]) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefusedError(f"the URL is malformed ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        raise UrlRefusedError(
            f"URL scheme {scheme or '(none)'!r} is not allowed; use {' or '.join(schemes)}.")
    if not parts.hostname:
        raise UrlRefusedError("the URL has no host.")
    if parts.username or parts.password:
        raise UrlRefusedError("URLs with a user name or password are not accepted.")
    return scheme, parts.hostname.rstrip("."), port or (443 if scheme == "https" else 80)


def resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        # A name that does not resolve now may resolve in a minute; the API
        # reports it at once, a worker retries.
        raise TransientError(f"the host {host!r} could not be resolved ({exc.strerror}).",
                             code="dns_failed") from exc
    seen: dict[str, IPAddress] = {}
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        seen.setdefault(str(ip), ip)
    return tuple(seen.values())


def check_url(url: str, *, schemes: list[str], allow_private: bool) -> CheckedUrl:
    """Refuse a URL the settings do not allow; resolve its host once."""
    scheme, host, port = parse_url(url, schemes)
    addresses = resolve(host, port)
    if not allow_private:
        blocked = [str(ip) for ip in addresses if not is_public(ip)]
        if blocked:
            raise UrlRefusedError(
                f"the URL's host {host!r} resolves to a loopback, private or link-local address "
                f"({', '.join(blocked)}), which this service does not fetch.")
    return CheckedUrl(url.strip(), scheme, host, port, addresses)


def pinned_request_args(checked: CheckedUrl) -> tuple[str, dict, dict]:
    """URL with the host replaced by a checked address, plus the Host header and
    the TLS server name, so httpx connects where :func:`check_url` looked."""
    ip = checked.addresses[0]
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    parts = urlsplit(checked.url)
    netloc = f"{literal}:{checked.port}"
    default_port = (checked.scheme == "https" and checked.port == 443) or (
        checked.scheme == "http" and checked.port == 80)
    host_header = checked.host if default_port else f"{checked.host}:{checked.port}"
    url = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    extensions = {"sni_hostname": checked.host} if checked.scheme == "https" else {}
    return url, {"Host": host_header}, extensions
