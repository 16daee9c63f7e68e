"""``vidclip db upgrade|current|history``: the job store's schema, for operators.

Every API and worker process upgrades the store when it starts, so these are
for looking first and for upgrading while the service is stopped (a large
SQLite store is copied table by table: better done once, before starting).
The store is the one in the settings (``VIDCLIP_DATABASE_URL`` or SQLite
under ``VIDCLIP_DATA_DIR``).
"""

from __future__ import annotations

import click

from vidclip.errors import VidclipError


def _engine():
    from vidclip._cli.service import _settings
    from vidclip.jobs.store import make_engine

    return make_engine(_settings().database_url)


@click.group()
def db() -> None:
    """The job store's schema: its revision, its history, the upgrade."""


@db.command()
def current() -> None:
    """Print the store's revision (and whether it is the newest)."""
    from vidclip.jobs import migrate

    engine = _engine()
    try:
        revision = migrate.current(engine)
        if revision is None:
            legacy = migrate.is_legacy(engine)
            click.echo("none: made before migrations (`vidclip db upgrade` adopts it)" if legacy
                       else "none: a new store (the first start creates its tables)")
        else:
            click.echo(f"{revision}{' (head)' if revision == migrate.head() else ''}")
    finally:
        engine.dispose()


@db.command()
def history() -> None:
    """List the revisions, oldest first."""
    from vidclip.jobs import migrate

    for rev in migrate.history():
        click.echo(f"{rev.revision}  {(rev.doc or '').splitlines()[0] if rev.doc else ''}")


@db.command()
@click.option("--to", "target", default="head", show_default=True, help="The revision to reach.")
def upgrade(target: str) -> None:
    """Bring the store to the newest revision (adopting one made before migrations)."""
    from vidclip.jobs import migrate

    engine = _engine()
    try:
        done = migrate.upgrade(engine, target)
    except VidclipError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()
    if done.adopted:
        click.echo(f"adopted at {done.adopted} (made before migrations; its tables matched)")
    if done.before == done.after:
        click.echo(f"already at {done.after}")
    else:
        click.echo(f"upgraded {done.before or 'an empty store'} -> {done.after}")
