"""docker-compose.yml runs for real: health-gated, limited, restartable, scalable, no secret inside.

No Docker engine is needed: these read the file as `docker compose` would.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.deployment import DEPLOYED_SERVICES, PUBLIC_SERVICES
from tests.unit.test_deployment import (
    COMPOSE,
    INFRASTRUCTURE,
    ROOT,
    VARIABLE,
    compose_env,
    settings_from,
)

ALL = (*DEPLOYED_SERVICES, *INFRASTRUCTURE)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN", re.IGNORECASE)
# JSON lists of integrations with their credentials: from the environment, and empty unless given
# (an empty list is a valid setting that holds no secret).
CREDENTIAL_LIST = re.compile(r"_INTEGRATIONS$")
# scheme://user:password@host, where user and password may be ${VARIABLES}.
_PART = r"(?:\$\{[^}]*\}|[^/@:$])+"
CREDENTIALS_IN_URL = re.compile(rf"^[a-z][a-z0-9+.-]*://{_PART}:(?P<password>{_PART})@")


def service(name: str) -> dict[str, Any]:
    return dict(COMPOSE["services"][name])


def required_variables(text: str) -> set[str]:
    return {m.group(1) for m in VARIABLE.finditer(text) if m.group(2) == "?"}


@pytest.mark.parametrize("name", ALL)
def test_every_service_has_a_healthcheck(name: str) -> None:
    check = service(name)["healthcheck"]
    assert check["test"][0] == "CMD"
    assert check["interval"]
    assert check["retries"] >= 3


@pytest.mark.parametrize("name", ALL)
def test_every_service_restarts_and_has_resource_limits(name: str) -> None:
    assert service(name)["restart"] in ("unless-stopped", "always")
    limits = service(name)["deploy"]["resources"]["limits"]
    assert float(limits["cpus"]) > 0
    assert re.fullmatch(r"\d+[MG]", limits["memory"])


@pytest.mark.parametrize("name", ALL)
def test_every_image_is_pinned_to_a_version(name: str) -> None:
    image = str(service(name)["image"])
    repository, _, tag = image.rpartition(":")
    assert repository, f"{image} has no tag"
    assert re.match(r"^v?\d+\.\d+\.\d+", tag), f"{image} is not pinned to an exact version"


@pytest.mark.parametrize("name", ALL)
def test_no_service_has_a_fixed_container_name(name: str) -> None:
    # `docker compose up --scale customer=3` needs three containers of one service.
    assert "container_name" not in service(name)


@pytest.mark.parametrize("name", DEPLOYED_SERVICES)
def test_only_gateway_and_ingest_publish_ports(name: str) -> None:
    if name in PUBLIC_SERVICES:
        port = compose_port(name)
        assert service(name)["ports"] == [f"{port}:{port}"]
    else:
        assert "ports" not in service(name), f"{name} publishes a port: it could not scale"


@pytest.mark.parametrize("name", INFRASTRUCTURE)
def test_operator_interfaces_listen_on_the_loopback_only(name: str) -> None:
    for mapping in service(name).get("ports", []):
        assert str(mapping).startswith("127.0.0.1:"), f"{name} publishes {mapping} to the network"


def compose_port(name: str) -> str:
    return str(service(name)["environment"][f"{name.upper()}_PORT"])


def test_named_volumes_keep_the_data_of_every_stateful_service() -> None:
    volumes = set(COMPOSE["volumes"])
    for name, path in [
        ("rabbitmq", "/var/lib/rabbitmq"),
        ("mongodb", "/data/db"),
        ("prometheus", "/prometheus"),
        ("grafana", "/var/lib/grafana"),
    ]:
        [source] = [
            str(v).split(":")[0] for v in service(name)["volumes"] if str(v).split(":")[1] == path
        ]
        assert source in volumes, f"{name} keeps {path} in {source}, not a named volume"


def environments() -> list[tuple[str, str, str]]:
    return [
        (name, key, str(value))
        for name in ALL
        for key, value in dict(service(name).get("environment", {})).items()
    ]


@pytest.mark.parametrize(("name", "key", "value"), environments())
def test_every_secret_comes_from_the_environment_without_a_default(
    name: str, key: str, value: str
) -> None:
    if SECRET_NAME.search(key):
        match = VARIABLE.fullmatch(value)
        assert match, f"{name}: {key} is written into docker-compose.yml"
        assert match.group(2) == "?", f"{name}: {key} has a default: {value}"
    if CREDENTIAL_LIST.search(key):
        match = VARIABLE.fullmatch(value)
        assert match, f"{name}: {key} is written into docker-compose.yml"
        default = match.group(3) if match.group(2) == "-" else "[]"
        assert default == "[]", f"{name}: {key} has a default other than no integration: {value}"
    if url := CREDENTIALS_IN_URL.match(value):
        password = VARIABLE.fullmatch(url.group("password"))
        assert password, f"{name}: {key} holds a password"
        assert password.group(2) == "?", f"{name}: {key} holds a password with a default"


def test_the_check_for_secrets_notices_one_with_a_default() -> None:
    with pytest.raises(AssertionError, match="has a default"):
        test_every_secret_comes_from_the_environment_without_a_default(
            "consent", "CONSENT_TOKEN_SECRET", "${CONSENT_TOKEN_SECRET:-changeme}"
        )
    with pytest.raises(AssertionError, match="holds a password"):
        test_every_secret_comes_from_the_environment_without_a_default(
            "customer", "AMQP_URL", "amqp://suite:hunter2@rabbitmq:5672/"
        )
    with pytest.raises(AssertionError, match="other than no integration"):
        test_every_secret_comes_from_the_environment_without_a_default(
            "pullers", "PULLERS_INTEGRATIONS", '${PULLERS_INTEGRATIONS:-["amazon-de"]}'
        )


def test_every_required_variable_is_documented_in_the_runbook() -> None:
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    required = required_variables((ROOT / "docker-compose.yml").read_text())
    assert {"RABBITMQ_PASSWORD", "MONGODB_PASSWORD", "CUSTOMER_BANK_DATA_KEY"} <= required
    assert [v for v in sorted(required) if f"`{v}`" not in runbook] == []


def test_the_env_file_with_the_secrets_is_never_committed() -> None:
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_mongodb_runs_a_replica_set_with_access_control() -> None:
    mongodb = service("mongodb")
    command = mongodb["command"]
    assert command[command.index("--replSet") + 1] == "rs0"
    assert "--keyFile" in command
    assert "MONGO_INITDB_ROOT_PASSWORD" in mongodb["environment"]
    # The suite connects as its own user, to the replica set the health check initiates.
    url = str(service("customer")["environment"]["MONGODB_URL"])
    assert url.startswith("mongodb://suite:")
    assert "replicaSet=rs0" in url
    script = (ROOT / "deploy" / "mongodb" / "create-suite-user.js").read_text()
    assert 'user: "suite"' in script
    assert "process.env.MONGODB_SUITE_PASSWORD" in script
    assert "/docker-entrypoint-initdb.d/" in " ".join(map(str, mongodb["volumes"]))


@pytest.mark.parametrize("name", INFRASTRUCTURE)
def test_mounted_configuration_files_exist(name: str) -> None:
    for volume in service(name).get("volumes", []):
        source = str(volume).split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).exists(), f"{name} mounts {source}, which is missing"


def test_the_mailer_sends_to_mailpit_which_shows_the_mail_on_the_loopback() -> None:
    env = compose_env("mailer")
    assert (env["SMTP_HOST"], env["SMTP_PORT"], env["SMTP_SECURITY"]) == ("mailpit", "1025", "none")
    # Mailpit's SMTP port stays inside the compose network; its web UI is for this host only.
    assert service("mailpit")["ports"] == ["127.0.0.1:8025:8025"]
    assert service("mailpit")["healthcheck"]["test"] == ["CMD", "/mailpit", "readyz"]


def test_the_pullers_hand_orders_to_ingest_and_start_with_no_integration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = compose_env("pullers")
    assert env["PULLERS_INGEST_URL"] == f"http://ingest:{compose_env('ingest')['INGEST_PORT']}"
    assert settings_from("pullers", env, monkeypatch).integrations == ()
    assert settings_from("ingest", compose_env("ingest"), monkeypatch).integrations == ()
