"""Versions of the moderation policies, per tenant.

A bundled policy's YAML file (``vidclip/data/policies/<name>.yaml``) is its
first version. Applying a threshold from the calibration report writes the
next version for the tenant: the previous document with that category's
threshold changed. A tenant's admin may also upload a whole policy
(:meth:`PolicyStore.upload`, checked by :mod:`vidclip.jobs.policy_uploads`):
under a new name its versions start at 1, under a bundled name it is that
policy's next version for the tenant. Every job is pinned, when it is
submitted, to the latest version of its policy (the document travels in its
options and its number is recorded), so a later version never re-judges an
earlier job. A tenant sees the bundled policies and its own, never another's.

Concurrency: a new version is one insert of ``latest + 1``, after checking
that the writer started from the latest; two writers from the same version
collide on the unique key and the second is told to look again.
"""

from __future__ import annotations

import copy
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from vidclip.errors import ConfigError
from vidclip.jobs.policy_uploads import UnknownPolicy, is_policy_name
from vidclip.jobs.review_tables import PolicyVersion
from vidclip.jobs.tables import utcnow

BUNDLED_AUTHOR = "vidclip"


class PolicyConflict(Exception):
    """Someone wrote a newer version since the caller read the policy."""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    version: int
    document: dict
    change: str
    author: str
    note: str | None = None
    created_at: datetime | None = None

    def thresholds(self) -> dict[str, float]:
        return category_thresholds(self.document)


def bundled_names() -> list[str]:
    folder = resources.files("vidclip") / "data" / "policies"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


def bundled_document(name: str) -> dict:
    """The mapping a bundled policy's YAML holds; ConfigError for an unknown name."""
    if name not in bundled_names():
        raise ConfigError(f"unknown policy {name!r}; bundled: {', '.join(bundled_names())}")
    text = (resources.files("vidclip") / "data" / "policies" / f"{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _enabled(document: dict) -> list[dict]:
    return [c for c in document.get("categories") or []
            if isinstance(c, dict) and c.get("enabled", True) is not False]


def category_thresholds(document: dict) -> dict[str, float]:
    """``{category: threshold}`` of the enabled categories."""
    return {str(c["name"]): float(c["threshold"]) for c in _enabled(document)}


def with_thresholds(document: dict, thresholds: dict[str, float]) -> tuple[dict, str]:
    """A copy of ``document`` with new thresholds, and the change in words.

    ValueError (one line) for an unknown or disabled category or a threshold
    outside (0, 1), the range :func:`vidclip.moderate.parse_policy` accepts.
    """
    if not thresholds:
        raise ValueError("give at least one category and its new threshold")
    out = copy.deepcopy(document)
    by_name = {str(c["name"]): c for c in _enabled(out)}
    changes = []
    for category, value in thresholds.items():
        if category not in by_name:
            raise ValueError(f"the policy has no enabled category {category!r}; it has "
                             f"{', '.join(sorted(by_name))}")
        if not 0 < value < 1:
            raise ValueError(f"{category}: a threshold must be between 0 and 1 (exclusive), "
                             f"not {value}")
        old = float(by_name[category]["threshold"])
        if round(float(value), 4) == round(old, 4):
            raise ValueError(f"{category}: the threshold is {old:g} already")
        by_name[category]["threshold"] = round(float(value), 4)
        changes.append(f"{category}: threshold {old:g} -> {round(float(value), 4):g}")
    return out, "; ".join(changes)


def _info(row: PolicyVersion) -> PolicyInfo:
    return PolicyInfo(name=row.name, version=row.version, document=row.document,
                      change=row.change, author=row.author, note=row.note,
                      created_at=row.created_at)


class PolicyStore:
    def __init__(self, session: sessionmaker):
        self._session = session

    def _tx(self) -> AbstractContextManager[Session]:
        return self._session.begin()

    @staticmethod
    def first(name: str) -> PolicyInfo:
        document = bundled_document(name)
        return PolicyInfo(name=name, version=int(document.get("version", 1)), document=document,
                          change="the bundled policy", author=BUNDLED_AUTHOR)

    def versions(self, tenant: str, name: str) -> list[PolicyInfo]:
        """Oldest first: the bundled file (for a bundled name), then the tenant's
        versions; empty for a name the tenant does not have."""
        with self._tx() as session:
            rows = session.scalars(select(PolicyVersion).where(
                PolicyVersion.tenant == tenant, PolicyVersion.name == name,
            ).order_by(PolicyVersion.version))
            stored = [_info(r) for r in rows]
        return [self.first(name), *stored] if name in bundled_names() else stored

    def find_latest(self, tenant: str, name: str) -> PolicyInfo | None:
        """The tenant's latest version of ``name``; None when it has no such policy."""
        with self._tx() as session:
            row = session.scalars(select(PolicyVersion).where(
                PolicyVersion.tenant == tenant, PolicyVersion.name == name,
            ).order_by(PolicyVersion.version.desc()).limit(1)).first()
        if row is not None:
            return _info(row)
        return self.first(name) if name in bundled_names() else None

    def latest(self, tenant: str, name: str) -> PolicyInfo:
        """:meth:`find_latest`, with :class:`UnknownPolicy` for a name the tenant lacks."""
        found = self.find_latest(tenant, name)
        if found is None:
            raise UnknownPolicy(f"unknown policy {name!r}; this tenant has "
                                f"{', '.join(self.names(tenant))}.")
        return found

    def names(self, tenant: str) -> list[str]:
        """The bundled policies and the tenant's own, sorted."""
        with self._tx() as session:
            own = set(session.scalars(select(PolicyVersion.name).where(
                PolicyVersion.tenant == tenant).distinct()))
        return sorted(own | set(bundled_names()))

    def upload(self, tenant: str, name: str, document: dict, *, author: str,
               note: str | None = None, base_version: int | None = None
               ) -> tuple[PolicyInfo, bool]:
        """A checked document (:func:`~vidclip.jobs.policy_uploads.parse_upload`) as the
        policy's next version; ``(info, False)`` when it equals the latest already.
        With ``base_version``, :class:`PolicyConflict` unless that is the latest."""
        latest = self.find_latest(tenant, name)
        if base_version is not None and (latest.version if latest else 0) != base_version:
            raise PolicyConflict(f"policy {name!r} is at version "
                                 f"{latest.version if latest else 0} now, not {base_version}"
                                 + (f": {latest.author} changed it ({latest.change})."
                                    if latest else "."))
        if latest is not None and _same(latest.document, document):
            return latest, False
        version = (latest.version if latest else 0) + 1
        change = (f"uploaded: {len(category_thresholds(document))} enabled categories"
                  + (f", replacing version {latest.version}" if latest else ""))
        return self._insert(tenant, name, {**document, "version": version}, change, author,
                            note), True

    def _insert(self, tenant: str, name: str, document: dict, change: str, author: str,
                note: str | None) -> PolicyInfo:
        row = PolicyVersion(tenant=tenant, name=name, version=int(document["version"]),
                            document=document, change=change, note=note, author=author,
                            created_at=utcnow())
        try:
            with self._tx() as session:
                session.add(row)
        except IntegrityError as exc:
            raise PolicyConflict(f"policy {name!r} got version {row.version} from someone "
                                 "else at the same moment; look at it again.") from exc
        return _info(row)

    def write(self, tenant: str, name: str, *, base_version: int, thresholds: dict[str, float],
              author: str, note: str | None = None) -> PolicyInfo:
        """The next version: ``base_version``'s document with new thresholds.

        :class:`PolicyConflict` when ``base_version`` is not the latest any more;
        ValueError for thresholds :func:`with_thresholds` refuses.
        """
        latest = self.latest(tenant, name)
        if latest.version != base_version:
            raise PolicyConflict(f"policy {name!r} is at version {latest.version} now, not "
                                 f"{base_version}: {latest.author} changed it "
                                 f"({latest.change}); look at the report again.")
        document, change = with_thresholds(latest.document, thresholds)
        document["version"] = latest.version + 1
        return self._insert(tenant, name, document, change, author, note)


def _same(a: dict, b: dict) -> bool:
    """Two documents equal but for their version numbers."""
    return {k: v for k, v in a.items() if k != "version"} == \
        {k: v for k, v in b.items() if k != "version"}


def pin_policy(policies: PolicyStore, tenant: str, stored: dict, *,
               requested: str | None = None) -> dict:
    """A job's stored options pinned to its tenant's latest version of its policy:
    the version's number in ``policy_version`` and, past the bundled file, its
    document in the analysis options (the worker reads no other). A policy given
    as a file path (an operator's default) is left as it is; a ``requested``
    name (the client's) that is neither bundled nor the tenant's is
    :class:`UnknownPolicy`."""
    moderation = stored["analysis"].get("moderation") or {}
    name = str(moderation.get("policy") or "")
    if not moderation.get("enabled", True):
        return stored
    latest = policies.find_latest(tenant, name) if is_policy_name(name) else None
    if latest is None:
        if requested is not None:
            policies.latest(tenant, requested)  # raises, naming the tenant's policies
        return stored
    pinned = copy.deepcopy(stored)
    pinned["policy_version"] = latest.version
    if latest.author != BUNDLED_AUTHOR:
        pinned["analysis"]["moderation"]["document"] = latest.document
    return pinned
