"""Message contracts: stable type names, strict parsing, lossless JSON round trips."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from pydantic import ValidationError

import shared.contracts
from shared.contracts.envelope import Message
from shared.contracts.orders import UpsertCustomerFromOrder
from tests.support.orders import order_json, upsert


def all_message_types() -> list[type[Message]]:
    found = []
    for module_info in pkgutil.iter_modules(shared.contracts.__path__):
        module = importlib.import_module(f"shared.contracts.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Message) and isinstance(value.model_fields["type"].default, str):
                found.append(value)
    return sorted(set(found), key=lambda t: t.type_name())


def test_every_message_has_a_unique_versioned_type_name() -> None:
    names = [t.type_name() for t in all_message_types()]
    assert len(names) >= 6
    assert len(names) == len(set(names))
    for name in names:
        *path, version = name.split(".")
        assert len(path) >= 2, name
        assert version.startswith("v"), name
        assert version[1:].isdigit(), name


def test_the_service_that_owns_a_message_prefixes_its_type() -> None:
    prefixes = {t.type_name().split(".")[0] for t in all_message_types()}
    assert prefixes <= {"customer", "consent", "task", "pullers"}


def test_messages_are_frozen_and_refuse_unknown_fields() -> None:
    command = upsert()
    with pytest.raises(ValidationError):
        command.order.__class__.model_validate(order_json() | {"coupon": "X"})
    with pytest.raises(ValidationError):
        command.message_id = "other"  # type: ignore[misc]


def test_a_command_survives_json_exactly() -> None:
    command = upsert(email="Zoë.Ünal@example.com", first_name="Zoë")
    again = UpsertCustomerFromOrder.model_validate_json(command.model_dump_json())
    assert again == command
    assert again.order.total == Decimal("59.90")


def test_caused_messages_share_the_correlation_and_name_their_cause() -> None:
    command = upsert()
    follow_up = command.caused(UpsertCustomerFromOrder, order=command.order)
    assert follow_up.correlation_id == command.correlation_id
    assert follow_up.causation_id == command.message_id
    assert follow_up.message_id != command.message_id
    assert follow_up.actor == command.actor


def test_order_times_must_carry_a_zone() -> None:
    body = order_json() | {"updated_at": "2026-11-20T10:00:00"}
    with pytest.raises(ValidationError, match="updated_at"):
        UpsertCustomerFromOrder.model_validate({"order": body, "actor": {"type": "api", "id": "x"}})


def test_a_shop_is_named_in_lowercase_once_at_the_edge() -> None:
    order = UpsertCustomerFromOrder.model_validate(
        {**upsert().model_dump(mode="json"), "order": order_json(shop=" Demo-Store.MyShopify.com ")}
    ).order
    assert order.shop == "demo-store.myshopify.com"
    assert order.key == f"{order.channel}:demo-store.myshopify.com:{order.order_id}"


@pytest.mark.parametrize(
    ("given", "code"),
    [("de", "DE"), ("DEU", "DE"), ("Germany", "DE"), ("XK", "XK"), ("xkx", "XK"), ("XX", None)],
)
def test_one_reading_of_a_country_for_the_whole_suite(given: str, code: str | None) -> None:
    from shared.countries import country_code

    assert country_code(given) == code
