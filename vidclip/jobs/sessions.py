"""Browser sessions of the review app, in the job store.

Signing in with an API key makes a session: the browser's cookie holds a
random token (32 bytes), the store only its SHA-256, who signed in, the
key's id and hash (so the key is checked again on every request: a revoked
key ends its sessions at once) and the session's CSRF token. Sessions live
in the store, not in the API process, so every API machine knows them and a
restart signs no one out.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.review_tables import UiSession
from vidclip.jobs.tables import utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionInfo:
    principal: Principal
    key_id: str | None
    key_hash: str | None
    csrf: str


class SessionStore:
    def __init__(self, session: sessionmaker):
        self._session = session

    def _tx(self) -> AbstractContextManager[Session]:
        return self._session.begin()

    def create(self, principal: Principal, *, key_id: str | None, key_hash: str | None,
               ttl_s: float) -> tuple[str, SessionInfo]:
        """A new session; the cookie's token exists only in the return value."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = utcnow()
        with self._tx() as session:
            # Expired sessions go as new ones come: no sweeper to run.
            session.execute(delete(UiSession).where(UiSession.expires_at < now))
            session.add(UiSession(token_hash=_hash(token), name=principal.name,
                                  role=principal.role.value, tenant=principal.tenant,
                                  key_id=key_id, key_hash=key_hash, csrf=csrf, created_at=now,
                                  expires_at=now + timedelta(seconds=ttl_s)))
        return token, SessionInfo(principal, key_id, key_hash, csrf)

    def find(self, token: str) -> SessionInfo | None:
        """The live session of this cookie token; None when unknown or expired."""
        with self._tx() as session:
            row = session.get(UiSession, _hash(token))
        if row is None or row.expires_at <= utcnow():
            return None
        return SessionInfo(Principal(row.name, Role(row.role), row.tenant), row.key_id,
                           row.key_hash, row.csrf)

    def delete(self, token: str) -> None:
        with self._tx() as session:
            session.execute(delete(UiSession).where(UiSession.token_hash == _hash(token)))
