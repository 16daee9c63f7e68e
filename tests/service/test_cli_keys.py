"""``vidclip keys create|list|revoke`` against the real stores."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.service.conftest import clear_vidclip_env
from vidclip._cli.main import cli
from vidclip.jobs.apikeys import hash_token
from vidclip.jobs.store import JobStore
from vidclip.jobs.tables import Base

pytestmark = pytest.mark.service


@pytest.fixture
def keys_cli(database_url, tmp_path, monkeypatch):
    clear_vidclip_env(monkeypatch)
    monkeypatch.setenv("VIDCLIP_DATABASE_URL", database_url)
    monkeypatch.setenv("VIDCLIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VIDCLIP_API_KEYS", "legacy-key-0123456789abcdef")
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli, ["keys", *args])
    store = JobStore(database_url)
    Base.metadata.drop_all(store.engine)
    store.close()


def test_create_prints_the_key_once_and_list_never_shows_it(keys_cli, database_url):
    made = keys_cli("create", "--name", "ingest-bot", "--role", "submitter", "--tenant", "acme")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("vck_") and token not in made.stderr
    assert "'ingest-bot' of tenant 'acme'" in made.stderr and "shown only now" in made.stderr
    store = JobStore(database_url)
    assert store.keys.find(token)[0].name == "ingest-bot"
    store.close()
    listed = keys_cli("list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["NAME", "ROLE", "TENANT", "SOURCE", "CREATED", "LAST", "USED",
                                "STATE"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["ingest-bot"][1:4] == ["submitter", "acme", "store"]
    assert rows["ingest-bot"][-2:] == ["-", "active"]  # never used yet
    legacy = next(name for name in rows if name.startswith("settings-"))
    assert rows[legacy][1:4] == ["admin", "default", "settings"]
    assert token not in listed.output and hash_token(token) not in listed.output
    assert keys_cli("list", "--tenant", "globex").stdout.count("\n") == 1  # the header alone


def test_revoke_and_the_refusals(keys_cli):
    for tenant in ("acme", "globex"):
        assert keys_cli("create", "--name", "bot", "--role", "admin",
                        "--tenant", tenant).exit_code == 0
    taken = keys_cli("create", "--name", "bot", "--role", "reviewer", "--tenant", "acme")
    assert taken.exit_code == 1 and "already has a key named 'bot'" in taken.stderr
    ambiguous = keys_cli("revoke", "bot")
    assert ambiguous.exit_code == 1 and "acme, globex" in ambiguous.stderr
    done = keys_cli("revoke", "bot", "--tenant", "acme")
    assert done.exit_code == 0 and "revoked key 'bot' of tenant 'acme'" in done.stderr
    assert "revoked" in next(line for line in keys_cli("list", "--tenant", "acme").stdout
                             .splitlines() if line.startswith("bot"))
    again = keys_cli("revoke", "bot", "--tenant", "acme")
    assert again.exit_code == 1 and "no active key named 'bot'" in again.stderr
    for args, message in ((["--role", "boss", "--tenant", "acme"], "'boss' is not one of"),
                          (["--role", "admin", "--tenant", "Acme Corp"], "tenant 'Acme Corp'")):
        bad = keys_cli("create", "--name", "x", *args)
        assert bad.exit_code == 2 and message in bad.stderr
