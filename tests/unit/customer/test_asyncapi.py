"""The customer service's AsyncAPI document, as FastStream generates it from its subscribers."""

from __future__ import annotations

from typing import Any

import pytest

from services.customer.main import asyncapi
from shared.contracts.customers import GetCustomer, MergeCustomers
from shared.contracts.orders import UpsertCustomerFromOrder
from shared.contracts.privacy import EraseShop


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MONGODB_URL", "mongodb://database.invalid:27017")
        spec: dict[str, Any] = asyncapi().schema.to_specification().to_jsonable()
    return spec


def payload(document: dict[str, Any], channel: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][f"{channel}:Message:Payload"]
    return schema


def test_the_work_queue_shows_every_message_schema_by_its_type(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    union = payload(document, "customer commands")
    assert union["discriminator"] == "type"
    members = {ref["$ref"].rsplit("/", 1)[1] for ref in union["oneOf"]}
    assert {"UpsertCustomerFromOrder", "ConsentChanged", "EraseShop", "MergeCustomers"} <= members
    upsert = schemas["UpsertCustomerFromOrder"]
    assert upsert["properties"]["type"]["const"] == UpsertCustomerFromOrder.type_name()
    assert upsert["properties"]["order"]["$ref"].endswith("/CanonicalOrder")
    assert {"channel", "shop", "order_id", "buyer"} <= set(schemas["CanonicalOrder"]["required"])
    assert schemas["EraseShop"]["properties"]["type"]["const"] == EraseShop.type_name()


def test_request_reply_shows_queries_and_the_commands_a_requester_waits_for(
    document: dict[str, Any],
) -> None:
    union = payload(document, "customer requests")
    members = {ref["$ref"].rsplit("/", 1)[1] for ref in union["oneOf"]}
    assert {GetCustomer.__name__, MergeCustomers.__name__, "FindCustomers"} <= members
    assert "UpsertCustomerFromOrder" not in members
    assert set(document["channels"]) == {"customer commands", "customer requests"}
