"""Named API keys in the job store, and the check a request's key goes through.

Same concurrency rule as :mod:`vidclip.jobs.store`: no transaction reads and
then writes. Creating is one insert (a taken name is the unique constraint's
answer), revoking and recording use are one guarded ``UPDATE`` each.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from vidclip.jobs.apikeys import (
    configured_keys,
    hash_token,
    key_id_of,
    match_configured,
    match_configured_hash,
    new_token,
    same_hash,
)
from vidclip.jobs.principal import Principal, Role, check_name, check_tenant
from vidclip.jobs.tables import ApiKey, utcnow

#: ``last_used_at`` is written at most this often per key, so a busy key does
#: not turn every read request into a write.
LAST_USED_EVERY = timedelta(seconds=60)

#: Compared against when no row has the token's id, so a miss costs what a hit does.
_NO_HASH = "0" * 64


class KeyNameTaken(ValueError):
    pass


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed: never its secret."""

    name: str
    role: Role
    tenant: str
    source: str  # "store" or "settings"
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(name=row.name, role=Role(row.role), tenant=row.tenant, source="store",
                   created_at=row.created_at, last_used_at=row.last_used_at,
                   revoked_at=row.revoked_at)


class KeyStore:
    def __init__(self, session: sessionmaker):
        self._session = session

    def _tx(self) -> AbstractContextManager[Session]:
        return self._session.begin()

    def create(self, name: str, role: Role, tenant: str) -> tuple[KeyInfo, str]:
        """A new key and its token; the token exists only in the return value."""
        check_name(name)
        check_tenant(tenant)
        for _ in range(5):  # a clash of two random 48-bit ids: draw again
            key_id, token = new_token()
            try:
                with self._tx() as session:
                    row = ApiKey(id=key_id, name=name, role=Role(role).value, tenant=tenant,
                                 secret_hash=hash_token(token), created_at=utcnow())
                    session.add(row)
                return _info(row), token
            except IntegrityError as exc:
                if self._named(name, tenant) is not None:
                    raise KeyNameTaken(
                        f"tenant {tenant!r} already has a key named {name!r} "
                        "(the names of revoked keys are not reused either).") from exc
        raise RuntimeError("could not draw an unused key id")

    def _named(self, name: str, tenant: str) -> ApiKey | None:
        with self._tx() as session:
            return session.scalars(select(ApiKey).where(ApiKey.name == name,
                                                        ApiKey.tenant == tenant)).first()

    def listed(self, tenant: str | None = None) -> list[KeyInfo]:
        query = select(ApiKey).order_by(ApiKey.tenant, ApiKey.name)
        if tenant is not None:
            query = query.where(ApiKey.tenant == tenant)
        with self._tx() as session:
            return [_info(row) for row in session.scalars(query)]

    def tenants_of(self, name: str) -> list[str]:
        with self._tx() as session:
            return list(session.scalars(select(ApiKey.tenant).where(ApiKey.name == name)
                                        .order_by(ApiKey.tenant)))

    def revoke(self, name: str, tenant: str) -> bool:
        """False when the tenant has no active key of that name."""
        with self._tx() as session:
            result = session.execute(update(ApiKey).where(
                ApiKey.name == name, ApiKey.tenant == tenant, ApiKey.revoked_at.is_(None),
            ).values(revoked_at=utcnow()))
        return bool(cast(CursorResult, result).rowcount)

    def count_active(self) -> int:
        with self._tx() as session:
            return session.scalar(select(func.count()).select_from(ApiKey).where(
                ApiKey.revoked_at.is_(None))) or 0

    def find(self, token: str) -> tuple[Principal, bool] | None:
        """``(principal, revoked)`` of the stored key this token is; None if none is."""
        return self.find_hash(key_id_of(token), hash_token(token))

    def find_hash(self, key_id: str | None, digest: str) -> tuple[Principal, bool] | None:
        """:meth:`find` from the token's id and hash (what a browser session keeps)."""
        row = None
        if key_id is not None:
            with self._tx() as session:
                row = session.get(ApiKey, key_id)
        matches = same_hash(row.secret_hash if row is not None else _NO_HASH, digest)
        if row is None or not matches:
            return None
        return Principal(row.name, Role(row.role), row.tenant), row.revoked_at is not None

    def touch(self, token: str) -> None:
        """Record that the key was used, at most once per :data:`LAST_USED_EVERY`."""
        key_id = key_id_of(token)
        now = utcnow()
        with self._tx() as session:
            session.execute(update(ApiKey).where(
                ApiKey.id == key_id,
                or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_EVERY),
            ).values(last_used_at=now))


class KeyRejected(Exception):
    """Why a token does not authenticate, in words fit for the caller."""


class Authenticator:
    """Settings keys first (no query), then the store."""

    def __init__(self, settings, keys: KeyStore):
        self._configured = configured_keys(settings)
        self._keys = keys

    def __call__(self, token: str) -> Principal:
        principal = match_configured(self._configured, token)
        if principal is not None:
            return principal
        found = self._keys.find(token)
        if found is None:
            raise KeyRejected("the X-API-Key is not valid.")
        principal, revoked = found
        if revoked:
            raise KeyRejected("this X-API-Key was revoked.")
        self._keys.touch(token)
        return principal

    def identify(self, token: str) -> tuple[Principal, str | None, str]:
        """Sign-in: the principal, the stored key's id (None for a settings key) and
        the token's hash, which a session keeps to check the key again later."""
        principal = self(token)
        stored = match_configured(self._configured, token) is None
        return principal, key_id_of(token) if stored else None, hash_token(token)

    def recheck(self, key_id: str | None, digest: str) -> Principal:
        """The key a session was made with, as it is now; KeyRejected once it is
        revoked or gone from the settings."""
        if key_id is None:
            principal = match_configured_hash(self._configured, digest)
            if principal is None:
                raise KeyRejected("the key this session was signed in with is no longer "
                                  "configured; sign in again.")
            return principal
        found = self._keys.find_hash(key_id, digest)
        if found is None or found[1]:
            raise KeyRejected("the key this session was signed in with was revoked; sign in "
                              "with another.")
        return found[0]



def _from_settings(settings, tenant: str | None) -> list[KeyInfo]:
    return [KeyInfo(name=k.principal.name, role=k.principal.role, tenant=k.principal.tenant,
                    source="settings")
            for k in configured_keys(settings) if tenant in (None, k.principal.tenant)]


def list_keys(keys: KeyStore, settings, tenant: str | None = None) -> list[KeyInfo]:
    """Every key, from settings and from the store (a tenant's only, given one)."""
    return _from_settings(settings, tenant) + keys.listed(tenant)


def create_key(keys: KeyStore, settings, name: str, role: Role,
               tenant: str) -> tuple[KeyInfo, str]:
    """A new stored key, refusing a name that settings already give in that tenant."""
    if any(k.name == name for k in _from_settings(settings, tenant)):
        raise KeyNameTaken(f"tenant {tenant!r} already has a key named {name!r} (in settings).")
    return keys.create(name, role, tenant)
