"""Settings: environment parsing, derived paths, and refusing unsafe setups."""

from __future__ import annotations

import os

import pytest

from vidclip.jobs.settings import Settings, UnsafeSettingsError


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("VIDCLIP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VIDCLIP_DATA_DIR", str(tmp_path))
    return monkeypatch


def test_paths_derive_from_data_dir(clean_env, tmp_path):
    s = Settings()
    assert s.database_url == f"sqlite:///{tmp_path / 'vidclip.db'}"
    assert s.media_dir == tmp_path / "media" and s.results_dir == tmp_path / "results"


def test_environment_lists_and_nested_fields(clean_env):
    clean_env.setenv("VIDCLIP_API_KEYS", "first-key-aaaaaaaaaa, second-key-bbbbbbbbbb")
    clean_env.setenv("VIDCLIP_ALLOWED_URL_SCHEMES", '["https"]')
    clean_env.setenv("VIDCLIP_MODEL__NAME", "tiny-test")
    clean_env.setenv("VIDCLIP_DEFAULT_OPTIONS", '{"sampling": {"fps": 2}}')
    s = Settings()
    assert [k.get_secret_value() for k in s.api_keys] == ["first-key-aaaaaaaaaa",
                                                          "second-key-bbbbbbbbbb"]
    assert s.allowed_url_schemes == ["https"]
    assert s.model.name == "tiny-test" and s.default_options == {"sampling": {"fps": 2}}


def test_only_http_schemes(clean_env):
    with pytest.raises(ValueError, match="only http and https"):
        Settings(allowed_url_schemes=["http", "file"])


@pytest.mark.parametrize("overrides, match", [
    ({}, "no API key is configured"),
    ({"api_keys": ["changeme"]}, "placeholder or shorter"),
    ({"api_keys": ["short"]}, "placeholder or shorter"),
    ({"api_keys": ["a-long-enough-api-key"], "webhook_secret": "secret"}, "WEBHOOK_SECRET"),
    ({"keys": [{"name": "ci", "role": "admin", "key": "short"}]}, "'ci' in VIDCLIP_KEYS"),
], ids=["no-keys", "placeholder-key", "short-key", "placeholder-secret", "short-named-key"])
def test_unsafe_settings_are_refused(clean_env, overrides, match):
    with pytest.raises(UnsafeSettingsError, match=match):
        Settings(**overrides).check_safe()


def test_dev_mode_is_explicit(clean_env):
    Settings(dev_mode=True).check_safe()
    Settings(api_keys=["a-long-enough-api-key"]).check_safe()
    Settings().check_safe(stored_keys=1)  # made with `vidclip keys create`


def test_named_keys_from_the_environment(clean_env):
    clean_env.setenv("VIDCLIP_KEYS", '[{"name": "ci", "role": "submitter", "tenant": "acme", '
                     '"key": "a-long-enough-api-key"}]')
    key = Settings().keys[0]
    assert (key.name, key.role.value, key.tenant) == ("ci", "submitter", "acme")
    assert "a-long-enough" not in repr(Settings())
    twice = [{"name": "ci", "role": "admin", "key": "k" * 20}] * 2
    with pytest.raises(ValueError, match="two keys named 'ci' in tenant 'default'"):
        Settings(keys=twice)
    with pytest.raises(ValueError, match="role"):
        Settings(keys=[{"name": "ci", "role": "owner", "key": "k" * 20}])


def test_to_env_rebuilds_the_same_settings(clean_env):
    s = Settings(api_keys=["a-long-enough-api-key"], webhook_secret="w" * 20,
                 keys=[{"name": "ci", "role": "reviewer", "tenant": "acme", "key": "k" * 20}],
                 model={"name": "tiny-test", "batch_size": 4}, queue_prefix="x-",
                 media_root="/srv/media")
    for name, value in s.to_env().items():
        clean_env.setenv(name, value)
    again = Settings()
    assert again.model_dump(mode="json") == s.model_dump(mode="json")
    assert again.webhook_secret.get_secret_value() == "w" * 20
    assert again.api_keys[0].get_secret_value() == "a-long-enough-api-key"
    assert again.keys[0].key.get_secret_value() == "k" * 20


def test_a_jobs_tag_options_reach_the_stored_analysis_config(clean_env):
    from vidclip.jobs.options import JobOptions

    stored = JobOptions.model_validate(
        {"options": {"tags": {"merge_gap_s": 2.5, "threshold": 0.6}}}).stored(Settings())
    tags = stored["analysis"]["tags"]
    assert tags["merge_gap_s"] == 2.5 and tags["threshold"] == 0.6
    assert tags["top_k"] == 10  # untouched options keep the server's defaults
    with pytest.raises(ValueError):
        JobOptions.model_validate({"options": {"tags": {"merge_gap_s": -1}}})


def test_a_worker_killed_mid_sweep_holds_back_redelivery_for_seconds_not_minutes(make_settings):
    """kombu's sweep for abandoned tasks takes a lock in Redis; a worker
    SIGKILLed while holding it (as the kill tests do, at random moments) leaves
    it held until it expires. The lock the channel takes must expire in a few
    sweeps' time, not kombu's default 300 s."""
    from kombu import Connection
    from kombu.transport.redis import Mutex

    from vidclip.jobs.celeryconf import celery_config

    settings = make_settings(unacked_restore_interval_s=1)
    conf = celery_config(settings)
    with Connection(conf["broker_url"],
                    transport_options=conf["broker_transport_options"]) as conn:
        channel = conn.default_channel
        with channel.conn_or_acquire() as client, \
                Mutex(client, channel.unacked_mutex_key, channel.unacked_mutex_expire):
            ttl = client.ttl(channel.unacked_mutex_key)  # as a dead holder would leave it
        assert 0 < ttl <= 5
