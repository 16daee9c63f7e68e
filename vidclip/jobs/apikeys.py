"""API key tokens: how they are made, stored and checked.

A token is ``vck_<id>_<secret>``: ``id`` is 12 hex characters, the row's key
in ``vidclip_api_keys`` and not secret; ``secret`` is 32 random bytes
(``secrets.token_urlsafe``). The prefix lets secret scanners recognise a
leaked token, and the id lets a request's key be found without the secret
taking part in the query.

Stored: SHA-256 of the whole token. A slow, salted password hash (bcrypt,
argon2) exists to make guessing low-entropy passwords expensive and to
defeat precomputed tables; neither applies to 256 random bits, which no one
can enumerate, so a fast hash loses nothing and keeps every request cheap.
Someone who reads the table learns no usable key.

Checked: the row is fetched by ``id`` (the only thing the database compares),
then its hash and the hash of the presented token are compared with
:func:`hmac.compare_digest`, whose time does not depend on where they
differ. Keys from settings (``VIDCLIP_API_KEYS``, ``VIDCLIP_KEYS``) are
compared the same way, every one of them each time, so timing says nothing
about which key came close.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from vidclip.jobs.principal import DEFAULT_TENANT, Principal, Role

TOKEN_PREFIX = "vck"
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{12}})_[A-Za-z0-9_-]{{43}}$")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh ``(key_id, token)``."""
    key_id = secrets.token_hex(6)
    return key_id, f"{TOKEN_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(token: str) -> str | None:
    """The id part of a token this module made; None for anything else."""
    match = _TOKEN.match(token)
    return match.group(1) if match else None


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class ConfiguredKey:
    """A key from settings: who it is and the hash of its token."""

    principal: Principal
    secret_hash: str


def settings_key_name(token: str) -> str:
    """The name a ``VIDCLIP_API_KEYS`` entry acts under: stable, and no use to a thief
    (8 hex digits of the hash of a high-entropy key say nothing about the key)."""
    return f"settings-{hash_token(token)[:8]}"


def configured_keys(settings) -> list[ConfiguredKey]:
    """The keys that settings define: each plain ``api_keys`` entry is an admin of
    the default tenant (what every key could do before tenants existed), and
    each ``keys`` entry has its own name, role and tenant."""
    out = []
    for key in settings.api_keys:
        token = key.get_secret_value()
        out.append(ConfiguredKey(Principal(settings_key_name(token), Role.ADMIN, DEFAULT_TENANT),
                                 hash_token(token)))
    for named in settings.keys:
        out.append(ConfiguredKey(Principal(named.name, named.role, named.tenant),
                                 hash_token(named.key.get_secret_value())))
    return out


def match_configured(keys: list[ConfiguredKey], token: str) -> Principal | None:
    """The settings key this token is, comparing with every one of them."""
    return match_configured_hash(keys, hash_token(token))


def match_configured_hash(keys: list[ConfiguredKey], digest: str) -> Principal | None:
    """The settings key whose token hashes to ``digest`` (a browser session keeps
    the hash, never the token)."""
    found = None
    for key in keys:
        if same_hash(key.secret_hash, digest) and found is None:
            found = key.principal
    return found
