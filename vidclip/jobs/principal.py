"""Who is acting: a key's name, its role and its tenant.

Every request to the service is made by a :class:`Principal`. The tenant is
the wall: a job belongs to the tenant of the key that submitted it, and a
key never sees another tenant's jobs. The role says what a key may do inside
its tenant; roles are ordered, each one may do what the ones before it may:

- ``submitter``: submit, read and delete jobs;
- ``reviewer``: also act on reviews and edit captions;
- ``admin``: also manage the tenant's keys.

The name is what audit records (revisions, review events, ``submitted_by``)
keep; it is never the secret.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

DEFAULT_TENANT = "default"

#: Tenants and key names travel in URLs, logs and table columns: plain, short words.
TENANT_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$"


class Role(enum.StrEnum):
    SUBMITTER = "submitter"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, required: Role) -> bool:
        """True when this role may do what ``required`` may."""
        return self.rank >= required.rank


_RANKS = {Role.SUBMITTER: 0, Role.REVIEWER: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    tenant: str

    def can(self, required: Role) -> bool:
        return self.role.allows(required)


#: Who acts in development mode (``--dev``, no keys configured).
DEV_PRINCIPAL = Principal(name="dev", role=Role.ADMIN, tenant=DEFAULT_TENANT)


def check_tenant(tenant: str) -> str:
    """The tenant, or ValueError with a one-line reason."""
    if not re.match(TENANT_PATTERN, tenant):
        raise ValueError(f"tenant {tenant!r}: use 1-64 lower-case letters, digits, '.', '_' or "
                         "'-', starting with a letter or digit")
    return tenant


def check_name(name: str) -> str:
    """The key name, or ValueError with a one-line reason."""
    if not re.match(NAME_PATTERN, name):
        raise ValueError(f"key name {name!r}: use 1-100 letters, digits, '.', '_', '@' or '-', "
                         "starting with a letter or digit")
    return name
