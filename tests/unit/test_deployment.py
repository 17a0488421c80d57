"""The deployment files say what the code needs: docker-compose, the Procfile, Kubernetes."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from shared.settings import DEV_SECRET_MARKER
from tests.conftest import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
INFRASTRUCTURE = ("rabbitmq", "mongodb", "otel-collector")
VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    [cls] = [
        v
        for k, v in vars(module).items()
        if k.endswith("Settings") and v.__module__ == module.__name__
    ]
    return cls  # type: ignore[no-any-return]


def env_names(cls: type[BaseSettings], field: str) -> list[str]:
    info = cls.model_fields[field]
    if isinstance(info.validation_alias, AliasChoices):
        return [str(c) for c in info.validation_alias.choices]
    prefix = cls.model_config.get("env_prefix", "")
    return [f"{prefix}{field}".upper()]


def compose_env(service: str) -> dict[str, str]:
    """The service's environment with ${VARIABLES} filled in as an operator would.

    A required variable (`${X:?...}`) gets a value; one with a default (`${X:-d}`) keeps it.
    """
    raw = COMPOSE["services"][service].get("environment", {})

    def fill(match: re.Match[str]) -> str:
        return match.group(3) if match.group(2) == "-" else f"operator-set-{match.group(1).lower()}"

    return {k: VARIABLE.sub(fill, str(v)) for k, v in raw.items()}


def test_the_compose_file_runs_the_five_services_and_the_infrastructure() -> None:
    assert set(COMPOSE["services"]) == {*SERVICES, *INFRASTRUCTURE}


@pytest.mark.parametrize("service", [*SERVICES, *INFRASTRUCTURE])
def test_every_service_has_a_healthcheck(service: str) -> None:
    check = COMPOSE["services"][service]["healthcheck"]
    assert check["test"][0] == "CMD"
    assert check["interval"]
    assert check["retries"] >= 3


@pytest.mark.parametrize("service", [*SERVICES, *INFRASTRUCTURE])
def test_every_image_is_pinned_to_a_version(service: str) -> None:
    image = COMPOSE["services"][service]["image"]
    name, _, tag = image.rpartition(":")
    assert name, f"{image} has no tag"
    assert tag != "latest"
    assert re.match(r"^\d+\.\d+\.\d+", tag), f"{image} is not pinned to an exact version"


@pytest.mark.parametrize("service", SERVICES)
def test_suite_services_wait_for_healthy_infrastructure(service: str) -> None:
    depends = COMPOSE["services"][service]["depends_on"]
    assert set(depends) == set(INFRASTRUCTURE)
    assert all(d["condition"] == "service_healthy" for d in depends.values())


@pytest.mark.parametrize("service", SERVICES)
def test_the_healthcheck_asks_the_port_the_service_listens_on(service: str) -> None:
    env = compose_env(service)
    port = env[f"{service.upper()}_PORT"]
    assert f"127.0.0.1:{port}/health/ready" in " ".join(
        COMPOSE["services"][service]["healthcheck"]["test"]
    )
    assert env[f"{service.upper()}_HOST"] == "0.0.0.0"
    assert COMPOSE["services"][service]["command"] == ["python", "-m", f"services.{service}"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_a_service_requires_is_given(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = settings_class(service)
    env = compose_env(service)
    for field, info in cls.model_fields.items():
        names = env_names(cls, field)
        development_secret = isinstance(
            info.default, SecretStr
        ) and info.default.get_secret_value().startswith(DEV_SECRET_MARKER)
        if info.is_required() or development_secret:
            assert any(n in env for n in names), (
                f"{service}: none of {names} is set in docker-compose.yml"
            )
    # And the service accepts that environment in production (no development secret left).
    for name in list(__import__("os").environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings: Any = cls()
    assert settings.environment == "production"


def test_the_procfile_starts_each_service_as_its_own_process() -> None:
    lines = [
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    ]
    assert {name: command.strip() for name, command in lines} == {
        service: f"python -m services.{service}" for service in (*SERVICES, "pullers", "mailer")
    }


@pytest.mark.parametrize("service", SERVICES)
def test_kubernetes_runs_each_service_with_probes(service: str) -> None:
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / f"{service}.yaml").read_text()))
    [deployment] = [d for d in documents if d["kind"] == "Deployment"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", f"services.{service}"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert re.match(r"^.+:\d+\.\d+\.\d+$", container["image"])
