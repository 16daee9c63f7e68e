"""/v1/policies: a tenant's moderation policies -- the bundled ones and its own.

Every key of the tenant lists and reads them (a submitter picks one for a
job with ``options.moderation.policy``); an admin uploads one as YAML
(``PUT``), which becomes that name's next version for the tenant. Another
tenant's policies are not seen, and a name a tenant does not have is a 404
whether or not another tenant has it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import PrincipalDep, StoreDep, require_role
from api.errors import ApiError, responses
from api.policy_schemas import PolicyList, PolicyPublic, policy_public, summary
from vidclip.jobs.policies import PolicyConflict, bundled_names
from vidclip.jobs.policy_uploads import POLICY_MAX_BYTES, POLICY_NAME_PATTERN, parse_upload
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.store import JobStore

router = APIRouter(prefix="/policies", tags=["policies"], responses=responses(401))

AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN))]
PolicyName = Annotated[str, Path(pattern=POLICY_NAME_PATTERN, description="The policy's name.")]
#: What an upload may be sent as (JSON is YAML too).
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
              "text/plain", "application/json")

_UPLOAD_BODY = {"requestBody": {"required": True, "description": "The policy, as YAML in the "
                                "format of the bundled policies (at most 64 KiB).",
                                "content": {t: {"schema": {"type": "string"}}
                                            for t in ("application/yaml", "text/plain")}}}


def _latest(store: JobStore, tenant: str, name: str, version: int | None) -> PolicyPublic:
    infos = store.policies.versions(tenant, name)
    if not infos:
        raise ApiError(404, "not_found", f"this tenant has no policy named {name!r}; it has "
                       f"{', '.join(store.policies.names(tenant))}.")
    found = infos[-1] if version is None else next((i for i in infos if i.version == version),
                                                   None)
    if found is None:
        raise ApiError(404, "not_found", f"policy {name!r} has versions "
                       f"{', '.join(str(i.version) for i in infos)}, not {version}.")
    return policy_public(found, name in bundled_names())


@router.get("", response_model=PolicyList,
            summary="The policies a job of this tenant may name, with their latest versions")
def list_policies(principal: PrincipalDep, store: StoreDep) -> PolicyList:
    items = []
    for name in store.policies.names(principal.tenant):
        items.append(summary(store.policies.latest(principal.tenant, name),
                             name in bundled_names()))
    return PolicyList(items=items)


@router.get("/{name}", response_model=PolicyPublic, responses=responses(404, 422),
            summary="A policy's latest version (or the one asked for), document included")
def get_policy(name: PolicyName, principal: PrincipalDep, store: StoreDep,
               version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
               ) -> PolicyPublic:
    return _latest(store, principal.tenant, name, version)


async def _body(request: Request) -> bytes:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in YAML_TYPES:
        raise ApiError(415, "unsupported_media_type", f"send the policy as YAML "
                       f"(Content-Type: application/yaml), not {kind[:100]}.")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > POLICY_MAX_BYTES:
            raise ApiError(413, "too_large", f"a policy may be at most {POLICY_MAX_BYTES:,} "
                           "bytes.")
    return bytes(data)


@router.put("/{name}", status_code=201, response_model=PolicyPublic,
            openapi_extra=_UPLOAD_BODY,
            responses={200: {"model": PolicyPublic,
                             "description": "The same as the latest version: nothing written"},
                       **responses(403, 409, 413, 415, 422)},
            summary="Upload a policy as YAML: the name's next version for this tenant; jobs "
            "submitted from now on that name it use it")
async def put_policy(name: PolicyName, request: Request, response: Response, admin: AdminDep,
                     store: StoreDep,
                     base_version: Annotated[int | None, Query(
                         ge=0, le=2**31 - 1, description="Refuse (409) unless this is the "
                         "latest version now (0: the name is new).")] = None,
                     note: Annotated[str | None, Query(max_length=2000)] = None
                     ) -> PolicyPublic:
    document = parse_upload(await _body(request), name)  # PolicyInvalid: 422
    try:
        info, created = await run_in_threadpool(
            lambda: store.policies.upload(admin.tenant, name, document, author=admin.name,
                                          note=(note or "").strip() or None,
                                          base_version=base_version))
    except PolicyConflict as exc:
        raise ApiError(409, "policy_changed", str(exc)) from exc
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/v1/policies/{name}?version={info.version}"
    return policy_public(info, name in bundled_names())
