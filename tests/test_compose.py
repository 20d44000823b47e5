"""Static checks of docker-compose.yml and the Dockerfile.

No Docker engine and no database are needed: the files are only parsed.
"""

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load_services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = compose["services"]
    return services


def test_compose_has_all_services() -> None:
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(load_services())


def test_compose_healthchecks() -> None:
    services = load_services()
    for name in ("postgres", "redis", "web"):
        healthcheck = services[name].get("healthcheck", {})
        assert healthcheck.get("test"), f"{name} has no healthcheck"


def test_compose_app_services_wait_for_healthy_backends() -> None:
    services = load_services()
    for name in ("web", "worker", "beat"):
        depends_on = services[name].get("depends_on", {})
        for backend in ("postgres", "redis"):
            condition = depends_on.get(backend, {}).get("condition")
            assert condition == "service_healthy", f"{name} -> {backend}"


def test_compose_app_services_use_production_settings_and_required_secrets() -> None:
    services = load_services()
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "openimis.settings.production"
        assert env["DATABASE_URL"]
        assert env["REDIS_URL"]
        for var in ("SECRET_KEY", "ALLOWED_HOSTS"):
            required = "${" + var + ":?"
            assert required in env[var], f"{name}: {var} must be required"


def test_dockerfile_runs_gunicorn() -> None:
    dockerfile = ROOT / "Dockerfile"
    assert dockerfile.is_file()
    lines = dockerfile.read_text().splitlines()
    cmd_lines = [line for line in lines if line.startswith("CMD")]
    assert cmd_lines
    assert "gunicorn" in cmd_lines[-1]
