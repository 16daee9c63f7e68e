"""``vidclip keys create|list|revoke``: named API keys in the job store.

The operator's tool: it works on every tenant (an admin key manages its own
tenant's keys through ``/v1/keys``). The store is the one in the settings
(``VIDCLIP_DATABASE_URL`` or SQLite under ``VIDCLIP_DATA_DIR``). A new key's
token is printed once, on stdout, and logged nowhere.
"""

from __future__ import annotations

import click

from vidclip.errors import VidclipError
from vidclip.jobs.principal import DEFAULT_TENANT, Role, check_name, check_tenant


def _store_and_settings():
    from vidclip._cli.service import _settings
    from vidclip.jobs.store import JobStore

    settings = _settings()
    store = JobStore(settings.database_url)
    try:
        store.create_schema()
    except VidclipError as exc:
        store.close()
        raise click.ClickException(exc.message) from exc
    return store, settings


def _checked(check):
    def callback(ctx, param, value):
        if value is None:
            return value
        try:
            return check(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
    return callback


@click.group()
def keys() -> None:
    """Named API keys: a role (submitter, reviewer, admin) and a tenant each."""


@keys.command()
@click.option("--name", required=True, callback=_checked(check_name),
              help="Recorded in audit trails; unique in its tenant, never reused.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="submitter: submit, read, delete jobs; reviewer: also review and edit "
              "captions; admin: also manage the tenant's keys.")
@click.option("--tenant", default=DEFAULT_TENANT, show_default=True,
              callback=_checked(check_tenant), help="Whose jobs the key sees.")
def create(name: str, role: str, tenant: str) -> None:
    """Make a key and print its token (shown once: only its hash is kept)."""
    from vidclip.jobs.keystore import KeyNameTaken, create_key

    store, settings = _store_and_settings()
    try:
        _info, token = create_key(store.keys, settings, name, Role(role), tenant)
    except KeyNameTaken as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"created {role} key {name!r} of tenant {tenant!r}; send it as X-API-Key. "
               "It is shown only now:", err=True)
    click.echo(token)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


@keys.command("list")
@click.option("--tenant", default=None, callback=_checked(check_tenant),
              help="Only this tenant's keys.")
def list_cmd(tenant: str | None) -> None:
    """Names, roles, tenants, created and last used (never the secret)."""
    from vidclip.jobs.keystore import list_keys

    store, settings = _store_and_settings()
    try:
        rows = list_keys(store.keys, settings, tenant)
    finally:
        store.close()
    header = ("NAME", "ROLE", "TENANT", "SOURCE", "CREATED", "LAST USED", "STATE")
    table = [header] + [(k.name, k.role.value, k.tenant, k.source, _when(k.created_at),
                         _when(k.last_used_at),
                         "active" if k.active else f"revoked {_when(k.revoked_at)}")
                        for k in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


@keys.command()
@click.argument("name")
@click.option("--tenant", default=None, callback=_checked(check_tenant),
              help="The key's tenant, when several tenants have a key of that name.")
def revoke(name: str, tenant: str | None) -> None:
    """Revoke a key: it stops working at once; its name stays in the list."""
    store, _settings = _store_and_settings()
    try:
        if tenant is None:
            tenants = store.keys.tenants_of(name)
            if len(tenants) > 1:
                raise click.ClickException(f"tenants {', '.join(tenants)} each have a key named "
                                           f"{name!r}: say which with --tenant.")
            tenant = tenants[0] if tenants else DEFAULT_TENANT
        if not store.keys.revoke(name, tenant):
            raise click.ClickException(f"no active key named {name!r} in tenant {tenant!r} "
                                       "(keys from settings are removed from the settings).")
    finally:
        store.close()
    click.echo(f"revoked key {name!r} of tenant {tenant!r}.", err=True)
