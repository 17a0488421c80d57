"""Every consuming service declares its subscribers' bodies as the union of the contracts it
takes, so the AsyncAPI document FastStream generates shows each message's schema by its type."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from faststream.specification import AsyncAPI

from shared.runtime import ServiceRuntime

# service -> message types its channels must document (one of each family is enough)
EXPECTED = {
    "consent": {"consent inbox": "RecordConsent", "consent requests": "GetConsents"},
    "tasks": {"tasks inbox": "CustomerCreated", "tasks requests": "CreateTask"},
    "mailer": {"mailer inbox": "TaskReminderDue"},
    "pullers": {"pullers requests": "GetIntegrations"},
    "customer": {
        "customer commands": "UpsertCustomerFromOrder",
        "customer requests": "GetCustomer",
    },
}


def document(service: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The AsyncAPI document of the service's broker as its composition root wires it."""
    brokers: list[RabbitBroker] = []
    create = ServiceRuntime.create.__func__  # type: ignore[attr-defined]

    def capturing(cls: type[ServiceRuntime], name: str, settings: Any) -> ServiceRuntime:
        runtime: ServiceRuntime = create(cls, name, settings)
        brokers.append(runtime.broker)
        return runtime

    monkeypatch.setattr(ServiceRuntime, "create", classmethod(capturing))
    monkeypatch.setenv("MONGODB_URL", "mongodb://database.invalid:27017")
    importlib.import_module(f"services.{service}.main").create_app()
    (broker,) = brokers
    spec: dict[str, Any] = AsyncAPI(broker, title=service).to_specification().to_jsonable()
    return spec


@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_each_channel_shows_its_messages_by_type(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = document(service, monkeypatch)
    schemas = spec["components"]["schemas"]
    for channel, member in EXPECTED[service].items():
        assert member in members(schemas, channel), channel
        assert schemas[member]["properties"]["type"]["const"], member


def members(schemas: dict[str, Any], channel: str) -> set[str]:
    """The contracts a channel's payload names: a union discriminated by `type`, or one model."""
    union = schemas.get(f"{channel}:Message:Payload")
    if union is None:  # one contract: FastStream names the model itself as the payload
        return set(schemas) - {"Actor", "ActorType"}
    assert union["discriminator"] == "type", channel
    return {ref["$ref"].rsplit("/", 1)[1] for ref in union["oneOf"]}
