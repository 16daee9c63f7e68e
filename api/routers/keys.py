"""/v1/keys: an admin manages the keys of its own tenant.

Keys of every tenant are managed on the server with ``vidclip keys ...``;
through the API an admin sees, makes and revokes only its tenant's keys.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep, require_role
from api.errors import ApiError, responses
from api.schemas import KeyCreate, KeyCreated, KeyList, KeyPublic
from vidclip.jobs.keystore import KeyNameTaken, create_key, list_keys
from vidclip.jobs.principal import NAME_PATTERN, Principal, Role

router = APIRouter(prefix="/keys", tags=["keys"], responses=responses(401, 403))

AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN))]
KeyName = Annotated[str, Path(pattern=NAME_PATTERN, description="The key's name.")]


@router.get("", response_model=KeyList, summary="The keys of the caller's tenant (no secrets)")
def get_keys(admin: AdminDep, settings: SettingsDep, store: StoreDep) -> KeyList:
    return KeyList(items=[KeyPublic.of(k) for k in list_keys(store.keys, settings, admin.tenant)])


@router.post("", status_code=201, response_model=KeyCreated, responses=responses(409, 422),
             summary="Make a key in the caller's tenant; its token is shown only here")
async def post_key(body: KeyCreate, admin: AdminDep, settings: SettingsDep,
                   store: StoreDep) -> KeyCreated:
    try:
        info, token = await run_in_threadpool(create_key, store.keys, settings, body.name,
                                              body.role, admin.tenant)
    except KeyNameTaken as exc:
        raise ApiError(409, "key_exists", str(exc)) from exc
    return KeyCreated(**KeyPublic.of(info).model_dump(), key=token)


@router.delete("/{name}", response_model=KeyPublic, responses=responses(404, 409),
               summary="Revoke a key of the caller's tenant; it stops working at once")
def delete_key(name: KeyName, admin: AdminDep, settings: SettingsDep, store: StoreDep) -> KeyPublic:
    revoked = store.keys.revoke(name, admin.tenant)
    known = {(k.source, k.name): k for k in list_keys(store.keys, settings, admin.tenant)}
    if revoked:
        return KeyPublic.of(known[("store", name)])
    if ("settings", name) in known:
        raise ApiError(409, "key_in_settings", f"the key {name!r} is set in the service's "
                       "settings; remove it there.")
    raise ApiError(404, "not_found", f"no active key named {name!r} in this tenant.")
