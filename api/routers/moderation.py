"""/v1/moderation: the calibration report from reviewers' decisions, and the
tenant's versions of each policy (applying a suggested threshold writes one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import StoreDep, require_role
from api.errors import ApiError, responses
from api.review_schemas import (
    PolicyVersionCreate,
    PolicyVersionList,
    PolicyVersionPublic,
    ReportPublic,
)
from vidclip.jobs.calibration_report import report
from vidclip.jobs.policies import PolicyConflict, PolicyInfo
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.store import JobStore

router = APIRouter(prefix="/moderation", tags=["review"], responses=responses(401, 403))

ReviewerDep = Annotated[Principal, Depends(require_role(Role.REVIEWER))]
AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN))]
PolicyName = Annotated[str, Path(max_length=200, description="A bundled policy's name or "
                                 "one the tenant uploaded.")]
DEFAULT_TARGET = 0.9


def known_policy(store: JobStore, tenant: str, name: str) -> str:
    """The name, if it is a bundled policy or the tenant's own; else 404."""
    if store.policies.find_latest(tenant, name) is None:
        raise ApiError(404, "not_found", f"no policy named {name!r}; there are "
                       f"{', '.join(store.policies.names(tenant))}.")
    return name


def version_public(info: PolicyInfo) -> PolicyVersionPublic:
    return PolicyVersionPublic(name=info.name, version=info.version,
                               thresholds=info.thresholds(), change=info.change,
                               author=info.author, note=info.note, created_at=info.created_at)


def build_report(store: JobStore, tenant: str, policy: str, target: float) -> ReportPublic:
    latest = store.policies.latest(tenant, known_policy(store, tenant, policy))
    decided = store.reviews.decided(tenant, policy)
    entries = report(decided, latest.thresholds(), target)
    return ReportPublic.model_validate({
        "policy": policy, "policy_version": latest.version, "target_precision": target,
        "reviewed": len(decided),
        "categories": [e.__dict__ | {"bands": [b.__dict__ for b in e.bands],
                                     "current": e.current and e.current.__dict__,
                                     "suggested": e.suggested and e.suggested.__dict__}
                       for e in entries]})


@router.get("/report", response_model=ReportPublic, responses=responses(404, 422),
            summary="Per category: decisions by score band, precision and recall at the "
            "current threshold, the threshold that reaches a target precision")
def get_report(reviewer: ReviewerDep, store: StoreDep,
               policy: Annotated[str, Query(max_length=200)] = "default",
               target_precision: Annotated[float, Query(gt=0, le=1)] = DEFAULT_TARGET,
               ) -> ReportPublic:
    return build_report(store, reviewer.tenant, policy, target_precision)


@router.get("/policies/{name}/versions", response_model=PolicyVersionList,
            responses=responses(404), summary="The tenant's versions of a policy, oldest first")
def list_versions(name: PolicyName, reviewer: ReviewerDep, store: StoreDep) -> PolicyVersionList:
    known_policy(store, reviewer.tenant, name)
    return PolicyVersionList(items=[version_public(v) for v in
                                    store.policies.versions(reviewer.tenant, name)])


def write_version(store: JobStore, admin: Principal, name: str,
                  body: PolicyVersionCreate) -> PolicyVersionPublic:
    try:
        info = store.policies.write(admin.tenant, known_policy(store, admin.tenant, name),
                                    base_version=body.base_version,
                                    thresholds=dict(body.thresholds), author=admin.name,
                                    note=(body.note or "").strip() or None)
    except PolicyConflict as exc:
        raise ApiError(409, "policy_changed", str(exc)) from exc
    except ValueError as exc:
        raise ApiError(422, "invalid_request", f"{exc}.") from exc
    return version_public(info)


@router.post("/policies/{name}/versions", status_code=201, response_model=PolicyVersionPublic,
             responses=responses(404, 409, 422),
             summary="A new version with changed thresholds; jobs submitted from now on use it")
def post_version(name: PolicyName, body: PolicyVersionCreate, admin: AdminDep,
                 store: StoreDep) -> PolicyVersionPublic:
    return write_version(store, admin, name, body)
