"""The container files name real settings and real files (no Docker needed).

A misspelt ``VIDCLIP_*`` variable is silently ignored by pydantic-settings,
so a typo in the compose file would deploy with a default; this catches it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from vidclip.jobs.settings import Settings

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def _setting_exists(variable: str) -> bool:
    path = variable.removeprefix("VIDCLIP_").lower().split("__")
    fields = Settings.model_fields
    if path[0] not in fields:
        return False
    if len(path) == 1:
        return True
    nested = fields[path[0]].annotation
    return len(path) == 2 and path[1] in getattr(nested, "model_fields", {})


def test_compose_variables_are_settings_and_dockerfiles_exist():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    seen = set()
    for name, service in compose["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("VIDCLIP_"):
                seen.add(variable)
                assert _setting_exists(variable), f"{name}: {variable} is not a setting"
        build = service.get("build")
        if build:
            assert (DOCKER.parent / build["dockerfile"]).is_file()
    assert {"VIDCLIP_BROKER_URL", "VIDCLIP_DATABASE_URL", "VIDCLIP_API_KEYS"} <= seen


def test_dockerfile_variables_are_settings():
    for dockerfile in DOCKER.glob("Dockerfile.*"):
        for variable in re.findall(r"\b(VIDCLIP_[A-Z_]+)=", dockerfile.read_text()):
            if variable != "VIDCLIP_CACHE_DIR":  # read by the core, not the service
                assert _setting_exists(variable), f"{dockerfile.name}: {variable}"


def test_api_image_installs_no_model_code():
    text = (DOCKER / "Dockerfile.api").read_text()
    assert "--no-deps" in text
    for heavy in ("torch", "open_clip", "decord", " av", "transformers"):
        assert heavy not in text.split("RUN", 1)[1].split("USER")[0].replace("no torch", "")


def _defined_metrics() -> set[str]:
    """Metric names the API and the workers define, with their sample suffixes."""
    import re as _re

    names = set()
    for module in ("api/metrics.py", "workers/metrics.py"):
        text = (DOCKER.parent / module).read_text()
        for name in _re.findall(r'"(vidclip_[a-z_]+)"', text):
            base = name.removesuffix("_total")
            names |= {name, base, f"{base}_total", f"{name}_bucket", f"{name}_sum",
                      f"{name}_count"}
    return names


def test_dashboard_and_scrape_config_name_real_metrics():
    import json

    dashboard = json.loads((DOCKER / "grafana" / "dashboards" / "vidclip.json").read_text())
    defined = _defined_metrics()
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"\bvidclip_[a-z_]+", target["expr"]))
    assert used and used <= defined, used - defined
    scrape = yaml.safe_load((DOCKER / "prometheus.yml").read_text())
    assert {job["job_name"] for job in scrape["scrape_configs"]} == {"vidclip-api",
                                                                    "vidclip-worker"}
