"""Named API keys and tenants in the job store, on SQLite and on PostgreSQL:
keys stored as hashes, found by id and checked in constant time, revoked for
good; jobs and Idempotency-Keys walled per tenant."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from vidclip.jobs.apikeys import hash_token, key_id_of
from vidclip.jobs.keystore import KeyNameTaken
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.store import NewJob
from vidclip.jobs.tables import ApiKey

pytestmark = pytest.mark.service


def _new(tenant: str, **kw) -> NewJob:
    return NewJob(**{"options": {"formats": ["json"]}, "source_kind": "url",
                     "source_value": "https://example.org/a.mp4", "tenant": tenant, **kw})


def test_a_key_is_stored_as_a_hash_and_found_by_its_token(store):
    info, token = store.keys.create("ingest-bot", Role.SUBMITTER, "acme")
    assert (info.name, info.role, info.tenant, info.source) == ("ingest-bot", Role.SUBMITTER,
                                                                "acme", "store")
    assert token.startswith("vck_") and len(token) == 4 + 12 + 1 + 43
    with store.engine.connect() as conn:
        row = conn.execute(select(ApiKey)).one()
    assert token not in " ".join(str(v) for v in row)  # no column holds the token
    assert row.secret_hash == hash_token(token) and row.id == key_id_of(token)
    assert store.keys.find(token) == (Principal("ingest-bot", Role.SUBMITTER, "acme"), False)
    # The right id with another secret, and a token of the wrong shape, are nobody.
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert store.keys.find(forged) is None
    assert store.keys.find("not-a-vidclip-token") is None


def test_names_are_unique_per_tenant_and_never_reused(store):
    store.keys.create("alice", Role.REVIEWER, "acme")
    store.keys.create("alice", Role.ADMIN, "globex")  # another tenant may use the name
    with pytest.raises(KeyNameTaken, match="already has a key named 'alice'"):
        store.keys.create("alice", Role.SUBMITTER, "acme")
    assert store.keys.revoke("alice", "acme")
    assert not store.keys.revoke("alice", "acme")  # once
    with pytest.raises(KeyNameTaken):
        store.keys.create("alice", Role.SUBMITTER, "acme")
    assert store.keys.tenants_of("alice") == ["acme", "globex"]
    listed = {(k.tenant, k.name): k for k in store.keys.listed()}
    assert not listed[("acme", "alice")].active and listed[("globex", "alice")].active
    assert [k.tenant for k in store.keys.listed("globex")] == ["globex"]
    assert store.keys.count_active() == 1


def test_bad_names_and_tenants_are_refused(store):
    with pytest.raises(ValueError, match="tenant 'Acme Corp'"):
        store.keys.create("bot", Role.SUBMITTER, "Acme Corp")
    with pytest.raises(ValueError, match="key name"):
        store.keys.create("<script>", Role.SUBMITTER, "acme")
    assert store.keys.listed() == []


def test_a_revoked_key_is_found_as_revoked(store):
    _, token = store.keys.create("old", Role.ADMIN, "acme")
    store.keys.revoke("old", "acme")
    assert store.keys.find(token) == (Principal("old", Role.ADMIN, "acme"), True)


def test_last_used_is_written_at_most_once_a_minute(store):
    _, token = store.keys.create("bot", Role.SUBMITTER, "acme")
    assert store.keys.listed()[0].last_used_at is None
    store.keys.touch(token)
    first = store.keys.listed()[0].last_used_at
    store.keys.touch(token)
    assert first is not None and store.keys.listed()[0].last_used_at == first


def test_jobs_are_walled_by_tenant(store):
    mine, _ = store.create(_new("acme", submitted_by="bot"))
    theirs, _ = store.create(_new("globex"))
    assert store.get(mine.id, tenant="acme").submitted_by == "bot"
    assert store.get(mine.id, tenant="globex") is None
    assert store.get(mine.id).id == mine.id  # workers read without a tenant
    assert [j.id for j in store.list(tenant="acme")] == [mine.id]
    assert {j.id for j in store.list()} == {mine.id, theirs.id}


def test_idempotency_keys_are_per_tenant(store):
    a, created_a = store.create(_new("acme", idempotency_key="k"))
    b, created_b = store.create(_new("globex", idempotency_key="k"))
    again, created_again = store.create(_new("acme", idempotency_key="k"))
    assert created_a and created_b and not created_again
    assert a.id != b.id and again.id == a.id
    assert store.find_by_key("globex", "k").id == b.id
    assert store.find_by_key("initech", "k") is None
