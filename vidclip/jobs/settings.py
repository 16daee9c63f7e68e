"""Service settings: one pydantic-settings class, environment prefix ``VIDCLIP_``.

Nested fields use ``__``: ``VIDCLIP_MODEL__NAME=ViT-L-14``. Lists accept JSON
or a comma list: ``VIDCLIP_API_KEYS=key-one,key-two``. Named keys with a role
and a tenant: ``VIDCLIP_KEYS='[{"name": "ci", "role": "submitter", "tenant":
"acme", "key": "..."}]'`` (or ``vidclip keys create``, which stores them hashed). There is no module
level instance: the API, the workers and the CLI each build one at start, and
tests pass their own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from vidclip.config import CaptionOptions, ModelOptions
from vidclip.errors import ConfigError
from vidclip.jobs.principal import DEFAULT_TENANT, NAME_PATTERN, TENANT_PATTERN, Role

GIB = 1024**3

#: Keys and secrets that show up in examples and must never guard a deployment.
_PLACEHOLDERS = {"changeme", "change-me", "secret", "example", "test", "password", "apikey",
                 "api-key", "your-api-key", "xxx"}
_MIN_SECRET_LEN = 16


class UnsafeSettingsError(ConfigError):
    code = "unsafe_settings"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "vidclip"


def _split_list(value: Any) -> Any:
    """JSON list or comma list (``a,b``) from the environment."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class NamedKey(BaseModel):
    """A key given in settings, with who it is (see :mod:`vidclip.jobs.principal`)."""

    name: str = Field(pattern=NAME_PATTERN)
    role: Role
    tenant: str = Field(default=DEFAULT_TENANT, pattern=TENANT_PATTERN)
    key: SecretStr


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIDCLIP_", env_nested_delimiter="__",
                                      extra="ignore", validate_default=True)

    # -- where things live ---------------------------------------------------------
    data_dir: Path = Field(default_factory=_default_data_dir,
                           description="Parent of the default database, media and results.")
    # The next three default to places under data_dir (filled in by _derived_paths).
    database_url: str = Field(
        default="", description="SQLAlchemy URL of the job store; default "
        "sqlite:///<data_dir>/vidclip.db. Several machines: postgresql+psycopg://user@host/db.")
    media_dir: Path = Field(default_factory=Path, description="Uploaded and downloaded videos; "
                            "default <data_dir>/media. Shared by the API and workers.")
    results_dir: Path = Field(default_factory=Path, description="Result files per job; default "
                              "<data_dir>/results. Shared by the API and workers.")
    index_dir: Path = Field(default_factory=Path, description="The search index of finished "
                            "jobs' moments (one subdirectory per model); default "
                            "<data_dir>/index. Written by the one `index` worker, read by "
                            "`query` workers.")
    search_enabled: bool = Field(default=True, description="Serve GET/POST /v1/search (needs "
                                 "a worker on the `index` and the `query` queues).")
    search_timeout_s: float = Field(default=10.0, gt=0, description="How long the API waits "
                                    "for a query worker's answer before answering 503.")
    cache_dir: Path | None = Field(default=None, description="Text-embedding cache of the core "
                                   "(default ~/.cache/vidclip).")

    # -- broker --------------------------------------------------------------------
    broker_url: str = "redis://127.0.0.1:6379/0"
    queue_prefix: str = Field(default="", description="Prefix of the queue names, so several "
                              "deployments can share one Redis.")
    visibility_timeout_s: int = Field(
        default=4200, ge=1, description="Seconds before Redis hands an unacknowledged task (its "
        "worker died) to another worker. Keep it above task_time_limit_s.")
    unacked_restore_interval_s: int = Field(
        default=10, ge=1, description="How often a worker looks for such abandoned tasks.")

    # -- API -----------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Keys accepted in the X-API-Key header, each an "
        "admin of the tenant 'default' (named settings-<8 hex digits of its hash>).")
    keys: list[NamedKey] = Field(
        default_factory=list, description="Named keys with a role and a tenant (JSON list of "
        '{"name", "role", "tenant", "key"}); keys made with `vidclip keys create` live in '
        "the job store instead.")
    dev_mode: bool = Field(default=False, description="Development only: no API key needed.")
    upload_max_bytes: int = Field(default=2 * GIB, ge=1)
    url_max_bytes: int = Field(default=2 * GIB, ge=1)
    url_timeout_s: float = Field(default=300.0, gt=0, description="Whole download, seconds.")
    allowed_url_schemes: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http", "https"])
    allow_private_urls: bool = Field(
        default=False, description="Allow URLs and webhooks that resolve to loopback, private "
        "or link-local addresses.")
    media_root: Path | None = Field(
        default=None, description="Directory whose files jobs may name by path; unset: path "
        "submission is off.")
    batch_max: int = Field(default=500, ge=1, description="Most jobs in one batch call.")
    max_labels: int = Field(default=2000, ge=1, description="Most inline labels in one job.")

    # -- review app (/ui) ------------------------------------------------------------
    session_ttl_s: float = Field(default=12 * 3600, gt=0, description="How long a sign-in "
                                 "to the review app lasts, seconds.")
    cookie_secure: bool = Field(
        default=True, description="Mark the review app's cookies Secure: browsers send them "
        "over HTTPS only (and to localhost). Turn off only behind plain HTTP on a trusted "
        "network.")
    auth_failures_per_address: int = Field(
        default=20, ge=0, description="Failed sign-ins and rejected X-API-Keys from one client "
        "address (an IPv6 /64) within auth_failure_window_s before that address is locked out "
        "of both for auth_lockout_s (429 with Retry-After). 0: no limit.")
    auth_failures_per_key: int = Field(
        default=10, ge=0, description="Failed sign-ins naming one stored key's id, from any "
        "address, within auth_failure_window_s before sign-in with that key is locked for "
        "auth_lockout_s, except from addresses it signed in from before. 0: no limit.")
    auth_failure_window_s: int = Field(default=900, ge=1, description="The window, seconds, "
                                       "in which failed attempts are counted.")
    auth_lockout_s: int = Field(default=900, ge=1, description="How long a lockout lasts, "
                                "seconds.")

    # -- workers -------------------------------------------------------------------
    model: ModelOptions = Field(default_factory=ModelOptions,
                                description="The workers' model (not chosen per job).")
    captions: CaptionOptions = Field(default_factory=CaptionOptions,
                                     description="The caption backend (not chosen per job).")
    default_options: dict[str, Any] = Field(
        default_factory=dict, description="Analysis options every job starts from (JSON), "
        'e.g. {"sampling": {"fps": 2}}.')
    torch_threads: int | None = Field(
        default=None, ge=1, description="CPU threads of each worker process's model; default "
        "the CPU count divided by the worker's concurrency, so processes do not fight over cores.")
    worker_shared_batch: int | None = Field(
        default=None, ge=0, le=64, description="Jobs one worker process analyses at once with one "
        "model, their frames merged into shared encoder batches (a thread each: Celery's thread "
        "pool, which does not enforce the hard time limit). Unset: 4 on a worker whose model runs "
        "on a GPU (one process per GPU keeps its batches full), else 0. 0 or 1: one job at a "
        "time per pool process.")
    task_soft_time_limit_s: int = Field(default=3300, ge=1)
    task_time_limit_s: int = Field(default=3600, ge=1)
    task_max_retries: int = Field(default=3, ge=0, description="Retries of transient faults.")
    retry_backoff_s: float = Field(default=10.0, ge=0)
    lease_s: float = Field(
        default=120.0, gt=0, description="A running job whose worker has not renewed its lease "
        "for this long may be taken over by a redelivered task.")
    max_attempts: int = Field(
        default=5, ge=1, description="Deliveries of one job (retries and redeliveries after a "
        "worker died) before it fails: a video that kills its worker stops there.")

    # -- webhooks ------------------------------------------------------------------
    webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key of the X-Vidclip-Signature header.")
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_max_retries: int = Field(default=6, ge=0)

    # -- operations ----------------------------------------------------------------
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text, or as JSON objects with job_id and "
        "stage (also `vidclip --log-format json`).")
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus metrics at "
                                  "/metrics on the API.")
    worker_metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Port where a worker serves the Prometheus "
        "metrics of all its pool processes (on VIDCLIP_HOST); unset: not served.")
    metrics_dir: Path | None = Field(
        default=None, description="Directory of prometheus_client's multiprocess files for a "
        "worker or a multi-process API; default a fresh temporary directory.")
    submit_rate_per_minute: int = Field(
        default=0, ge=0, description="Jobs one API key may submit per minute (a batch counts "
        "each job), shared through Redis by every API process; over it: 429 with Retry-After. "
        "0: no limit.")
    max_queued_per_key: int = Field(
        default=0, ge=0, description="Jobs one API key may have waiting for a worker; over it: "
        "429 with Retry-After. 0: no cap.")
    upload_stale_s: float = Field(
        default=3600.0, gt=0, description="An upload directory with no job that nothing has "
        "written to for this long (its API process was killed mid-upload) is removed.")

    @field_validator("api_keys", "allowed_url_schemes", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("allowed_url_schemes")
    @classmethod
    def _http_only(cls, schemes: list[str]) -> list[str]:
        schemes = [s.lower() for s in schemes]
        other = [s for s in schemes if s not in ("http", "https")]
        if other:
            raise ValueError(f"only http and https can be fetched, not {', '.join(other)}")
        return schemes

    @field_validator("keys")
    @classmethod
    def _unique_names(cls, keys: list[NamedKey]) -> list[NamedKey]:
        seen = set()
        for key in keys:
            if (key.tenant, key.name) in seen:
                raise ValueError(f"two keys named {key.name!r} in tenant {key.tenant!r}")
            seen.add((key.tenant, key.name))
        return keys

    @model_validator(mode="before")
    @classmethod
    def _derived_paths(cls, data: Any) -> Any:
        """Absolute paths; the store, media and results under data_dir unless given."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        data_dir = Path(data.get("data_dir") or _default_data_dir()).expanduser().absolute()
        data["data_dir"] = data_dir
        if not data.get("database_url"):
            data["database_url"] = f"sqlite:///{data_dir / 'vidclip.db'}"
        for name, default in (("media_dir", "media"), ("results_dir", "results"),
                              ("index_dir", "index")):
            data[name] = Path(data.get(name) or data_dir / default).expanduser().absolute()
        if data.get("media_root"):
            data["media_root"] = Path(data["media_root"]).expanduser().absolute()
        return data

    # -- checks ----------------------------------------------------------------------
    @property
    def has_configured_keys(self) -> bool:
        return bool(self.api_keys or self.keys)

    def check_safe(self, stored_keys: int = 0) -> None:
        """Refuse to serve with settings that would expose the service.

        ``stored_keys``: active keys in the job store (``vidclip keys create``);
        the caller counts them, since settings do not open the store.
        """
        if self.dev_mode:
            return
        if not self.has_configured_keys and not stored_keys:
            raise UnsafeSettingsError(
                "no API key is configured: create one with `vidclip keys create --name NAME "
                "--role admin --tenant TENANT`, or set VIDCLIP_API_KEYS (comma-separated keys of "
                "at least 16 characters); VIDCLIP_DEV_MODE=true for local development only.")
        for key in self.api_keys:
            _refuse_weak("an API key in VIDCLIP_API_KEYS", key.get_secret_value())
        for named in self.keys:
            _refuse_weak(f"the key {named.name!r} in VIDCLIP_KEYS", named.key.get_secret_value())
        if self.webhook_secret is not None:
            _refuse_weak("VIDCLIP_WEBHOOK_SECRET", self.webhook_secret.get_secret_value())

    def warnings(self) -> list[str]:
        notes = []
        if self.visibility_timeout_s <= self.task_time_limit_s:
            notes.append(
                f"VIDCLIP_VISIBILITY_TIMEOUT_S ({self.visibility_timeout_s}) is not above "
                f"VIDCLIP_TASK_TIME_LIMIT_S ({self.task_time_limit_s}): a long job may be handed "
                "to a second worker while the first still runs it (the first then stops).")
        if self.dev_mode:
            notes.append("development mode: the API accepts requests without an API key (as "
                         "an admin of the tenant 'default').")
        if self.allow_private_urls:
            notes.append("VIDCLIP_ALLOW_PRIVATE_URLS is on: jobs may fetch from internal hosts.")
        return notes

    def secret_values(self) -> list[str]:
        """Every secret these settings hold, for :func:`vidclip.logs.add_secrets`."""
        values = [k.get_secret_value() for k in self.api_keys]
        values += [k.key.get_secret_value() for k in self.keys]
        if self.webhook_secret is not None:
            values.append(self.webhook_secret.get_secret_value())
        for url in (self.database_url, self.broker_url):
            password = urlsplit(url or "").password
            if password:
                values.append(password)
        return values

    def queue_name(self, queue: str) -> str:
        return f"{self.queue_prefix}{queue}"

    @property
    def shares_batches(self) -> bool:
        """Whether this worker runs several jobs in threads of one process."""
        return (self.worker_shared_batch or 0) > 1

    def to_env(self) -> dict[str, str]:
        """``VIDCLIP_*`` variables that rebuild these settings in a child process."""
        env = {}
        for name, value in self.model_dump(mode="json").items():
            if value is None:
                continue
            if name == "api_keys":
                value = [k.get_secret_value() for k in self.api_keys]
            elif name == "keys":
                value = [{**k.model_dump(mode="json"), "key": k.key.get_secret_value()}
                         for k in self.keys]
            elif name == "webhook_secret" and self.webhook_secret is not None:
                value = self.webhook_secret.get_secret_value()
            env[f"VIDCLIP_{name.upper()}"] = (json.dumps(value) if isinstance(value, (dict, list))
                                              else str(value).lower() if isinstance(value, bool)
                                              else str(value))
        return env


def _refuse_weak(what: str, value: str) -> None:
    if value.strip().lower() in _PLACEHOLDERS or len(value) < _MIN_SECRET_LEN:
        raise UnsafeSettingsError(
            f"{what} is a placeholder or shorter than {_MIN_SECRET_LEN} characters; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
