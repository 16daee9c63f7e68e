"""Schemas of /v1/policies: a tenant's moderation policies, listed and read."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from vidclip.jobs.policies import PolicyInfo


class PolicySummary(BaseModel):
    name: str
    version: int = Field(description="The latest version: what a job naming it is pinned to.")
    source: Literal["bundled", "tenant"] = Field(
        description="bundled: shipped with vidclip (perhaps with the tenant's own versions "
        "on top); tenant: uploaded by the tenant.")
    author: str
    change: str


class PolicyList(BaseModel):
    items: list[PolicySummary]


class PolicyPublic(PolicySummary):
    document: dict[str, Any] = Field(description="The policy as the mapping its YAML holds.")
    thresholds: dict[str, float] = Field(description="Each enabled category's threshold.")
    note: str | None
    created_at: datetime | None


def policy_public(info: PolicyInfo, bundled: bool) -> PolicyPublic:
    return PolicyPublic(name=info.name, version=info.version,
                        source="bundled" if bundled else "tenant", author=info.author,
                        change=info.change, document=info.document,
                        thresholds=info.thresholds(), note=info.note,
                        created_at=info.created_at)


def summary(info: PolicyInfo, bundled: bool) -> PolicySummary:
    return PolicySummary(name=info.name, version=info.version,
                         source="bundled" if bundled else "tenant", author=info.author,
                         change=info.change)
