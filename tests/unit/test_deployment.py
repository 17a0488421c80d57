"""The deployment files give every service what its settings require: compose, the Procfile.

The helpers here (a service's settings class, an environment checked against it) serve the
compose and Kubernetes tests beside this module as well. They cover every deployed service
(tests/support/deployment.py), the pullers and the mailer included.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from shared.settings import DEV_SECRET_MARKER
from tests.conftest import SERVICES
from tests.support.deployment import DEPLOYED_SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
INFRASTRUCTURE = (
    "rabbitmq",
    "mongodb",
    "otel-collector",
    "jaeger",
    "prometheus",
    "grafana",
    "mailpit",
)
# What the suite services wait for before they start; some wait for more.
BACKING_SERVICES = ("rabbitmq", "mongodb", "otel-collector")
WAITS_ALSO_FOR = {"pullers": {"ingest"}, "mailer": {"mailpit"}}
# Secrets two services must hold with one value: (service, variable) on each side.
SHARED_SECRETS = [
    (("ingest", "INGEST_IMPORT_TOKEN"), ("gateway", "GATEWAY_INGEST_TOKEN")),
    (("consent", "CONSENT_MAILER_SECRET"), ("mailer", "MAILER_CONSENT_SECRET")),
]
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    # The one BaseSettings of the module (the pullers' also define models of integrations).
    [cls] = [
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, BaseSettings)
        and getattr(v, "__module__", None) == module.__name__
    ]
    return cls


def env_names(cls: type[BaseSettings], field: str) -> list[str]:
    info = cls.model_fields[field]
    if isinstance(info.validation_alias, AliasChoices):
        return [str(c) for c in info.validation_alias.choices]
    prefix = cls.model_config.get("env_prefix", "")
    return [f"{prefix}{field}".upper()]


def missing_settings(service: str, env: dict[str, str]) -> list[str]:
    """Settings the service requires, or whose default is a development secret, not in `env`."""
    cls = settings_class(service)
    missing = []
    for field, info in cls.model_fields.items():
        names = env_names(cls, field)
        development_secret = isinstance(
            info.default, SecretStr
        ) and info.default.get_secret_value().startswith(DEV_SECRET_MARKER)
        if (info.is_required() or development_secret) and not any(n in env for n in names):
            missing.append(" or ".join(names))
    return missing


def settings_from(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service's settings read from exactly `env`, as the process would read them."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings_class(service)()


def compose_env(service: str) -> dict[str, str]:
    """The service's environment with ${VARIABLES} filled in as an operator would.

    A required variable (`${X:?...}`) gets a value; one with a default (`${X:-d}`) keeps it.
    """
    raw = COMPOSE["services"][service].get("environment", {})

    def fill(match: re.Match[str]) -> str:
        return match.group(3) if match.group(2) == "-" else f"operator-set-{match.group(1).lower()}"

    return {k: VARIABLE.sub(fill, str(v)) for k, v in raw.items()}


def test_every_service_of_the_repository_is_deployed() -> None:
    packages = {p.parent.name for p in (ROOT / "services").glob("*/__main__.py")}
    assert set(DEPLOYED_SERVICES) == packages
    # What the integration tests start in-process is deployed too.
    assert set(SERVICES) <= set(DEPLOYED_SERVICES)


def test_the_compose_file_runs_the_suite_and_its_infrastructure() -> None:
    assert set(COMPOSE["services"]) == {*DEPLOYED_SERVICES, *INFRASTRUCTURE}


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_suite_services_wait_for_healthy_infrastructure(service: str) -> None:
    depends = COMPOSE["services"][service]["depends_on"]
    assert set(depends) == {*BACKING_SERVICES, *WAITS_ALSO_FOR.get(service, ())}
    assert all(d["condition"] == "service_healthy" for d in depends.values())


def test_each_service_listens_on_a_port_of_its_own() -> None:
    ports = [compose_env(s)[f"{s.upper()}_PORT"] for s in DEPLOYED_SERVICES]
    assert len(set(ports)) == len(ports), ports


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_the_healthcheck_asks_the_port_the_service_listens_on(service: str) -> None:
    env = compose_env(service)
    port = env[f"{service.upper()}_PORT"]
    assert f"127.0.0.1:{port}/health/ready" in " ".join(
        COMPOSE["services"][service]["healthcheck"]["test"]
    )
    assert env[f"{service.upper()}_HOST"] == "0.0.0.0"
    assert COMPOSE["services"][service]["command"] == ["python", "-m", f"services.{service}"]


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_every_setting_a_service_requires_is_given(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = compose_env(service)
    assert missing_settings(service, env) == [], f"{service}: not set in docker-compose.yml"
    # And the service accepts that environment in production (no development secret left).
    assert settings_from(service, env, monkeypatch).environment == "production"


def test_the_check_of_required_settings_notices_a_missing_one() -> None:
    env = compose_env("customer")
    del env["CUSTOMER_BANK_DATA_KEY"]
    assert missing_settings("customer", env) == ["CUSTOMER_BANK_DATA_KEY"]
    env = compose_env("mailer")
    del env["MAILER_CONSENT_SECRET"]
    assert missing_settings("mailer", env) == ["MAILER_CONSENT_SECRET or CONSENT_MAILER_SECRET"]


@pytest.mark.parametrize(("one", "other"), SHARED_SECRETS)
def test_a_secret_two_services_share_comes_from_one_variable(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    [first, second] = [str(COMPOSE["services"][s]["environment"][key]) for s, key in (one, other)]
    assert VARIABLE.fullmatch(first), first
    assert first == second


def test_the_procfile_starts_each_service_as_its_own_process() -> None:
    lines = [
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    ]
    assert {name: command.strip() for name, command in lines} == {
        service: f"python -m services.{service}" for service in DEPLOYED_SERVICES
    }
