"""Point 3 through the gateway: create and edit a customer, with errors that name the field."""

from __future__ import annotations

from typing import Any

import httpx

from services.customer.adapters.vault import BankVault
from services.customer.settings import CustomerSettings
from tests.integration.customer.conftest import fields_of, ok, problem

IBAN = "DE89 3704 0044 0532 0130 00"


def draft(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Dr.",
        "first_name": "Jörg",
        "last_name": "Müller",
        "company": "Müller Feinkost GmbH",
        "gender": "male",
        "birthday": "1980-04-02",
        "language": "de",
        "emails": [
            {"address": "Joerg@Example.com"},
            {"address": "j.mueller@feinkost.example", "primary": True},
        ],
        "phones": ["030 901820", "+49 171 1234567"],
        "addresses": [
            {
                "line1": "Hauptstraße 5",
                "postal_code": "10115",
                "city": "Berlin",
                "country": "Germany",
            },
            # The same place typed again: kept once.
            {"line1": "Hauptstraße  5", "postal_code": "10115", "city": "berlin", "country": "DEU"},
        ],
        "tags": ["vip", "b2b"],
        "company_id": "company-42",
        **changes,
    }


async def test_a_customer_created_by_hand_has_normalised_master_data(
    api: httpx.AsyncClient,
) -> None:
    created = ok(await api.post("/v1/customers", json=draft()), 201)
    assert created["customer_number"] >= 10001
    assert created["status"] == "active"
    assert created["emails"] == [
        {"address": "joerg@example.com", "primary": False},
        {"address": "j.mueller@feinkost.example", "primary": True},
    ]
    assert created["phones"] == ["+4930901820", "+491711234567"]
    [address] = created["addresses"]
    assert address["country_code"] == "DE"
    assert address["default_billing"]
    assert address["default_shipping"]
    assert (created["title"], created["gender"], created["birthday"]) == (
        "Dr.",
        "male",
        "1980-04-02",
    )
    assert created["tags"] == ["vip", "b2b"]
    assert created["company_id"] == "company-42"
    assert created["provenance"]["first_name"]["by_hand"] is True

    second = ok(await api.post("/v1/customers", json={"last_name": "Kurz"}), 201)
    assert second["customer_number"] == created["customer_number"] + 1

    response = await api.get(f"/v1/customers/{created['id']}")
    assert response.headers["etag"] == '"1"'


async def test_invalid_input_is_refused_naming_each_field(api: httpx.AsyncClient) -> None:
    body = problem(
        await api.post(
            "/v1/customers",
            json=draft(
                emails=[{"address": "not-an-address"}],
                phones=["12"],
                birthday="2999-01-01",
                addresses=[{"line1": "x", "city": "y", "country": "Atlantis"}],
            ),
        ),
        422,
    )
    assert fields_of(body) == {"emails.0.address", "phones.0", "birthday", "addresses.0.country"}

    unknown = problem(await api.post("/v1/customers", json=draft(nickname="JM")), 422)
    assert fields_of(unknown) == {"nickname"}
    assert (await api.get("/v1/customers")).json()["items"] == []


async def test_patch_changes_clears_and_checks_the_version(api: httpx.AsyncClient) -> None:
    created = ok(await api.post("/v1/customers", json=draft()), 201)
    url = f"/v1/customers/{created['id']}"
    patched = ok(
        await api.patch(
            url, json={"first_name": "Jürgen", "company": None}, headers={"If-Match": '"1"'}
        )
    )
    assert (patched["first_name"], patched["company"], patched["version"]) == ("Jürgen", None, 2)

    stale = problem(
        await api.patch(url, json={"first_name": "X"}, headers={"If-Match": '"1"'}), 409
    )
    assert fields_of(stale) == {"expected_version"}
    refused = problem(await api.patch(url, json={"extra": None}), 422)
    assert fields_of(refused) == {"extra"}


async def test_an_email_of_another_customer_is_refused(api: httpx.AsyncClient) -> None:
    first = ok(
        await api.post("/v1/customers", json={"emails": [{"address": "one@example.com"}]}), 201
    )
    second = ok(
        await api.post("/v1/customers", json={"emails": [{"address": "two@example.com"}]}), 201
    )
    taken = problem(
        await api.patch(
            f"/v1/customers/{second['id']}",
            json={"emails": [{"address": "two@example.com"}, {"address": "ONE@example.com"}]},
        ),
        409,
    )
    assert fields_of(taken) == {"emails.1.address"}
    assert first["id"] in taken["detail"]
    # Giving an address up releases it: the other customer can take it then.
    ok(
        await api.patch(
            f"/v1/customers/{first['id']}", json={"emails": [{"address": "uno@example.com"}]}
        )
    )
    ok(
        await api.patch(
            f"/v1/customers/{second['id']}", json={"emails": [{"address": "one@example.com"}]}
        )
    )


async def test_a_retried_create_with_the_same_idempotency_key_creates_once(
    api: httpx.AsyncClient, db: Any
) -> None:
    headers = {"Idempotency-Key": "create-jm-0001"}
    first = ok(await api.post("/v1/customers", json=draft(), headers=headers), 201)
    again = ok(await api.post("/v1/customers", json=draft(), headers=headers), 201)
    assert again["id"] == first["id"]
    assert await db["customers"].count_documents({}) == 1


async def test_addresses_are_deduplicated_and_have_defaults(api: httpx.AsyncClient) -> None:
    created = ok(await api.post("/v1/customers", json=draft()), 201)
    base = f"/v1/customers/{created['id']}/addresses"
    [home] = ok(await api.get(base))
    office = ok(
        await api.post(
            base,
            json={
                "address": {
                    "company": "Feinkost",
                    "line1": "Marktplatz 1",
                    "city": "Hamburg",
                    "country": "de",
                },
                "default_shipping": True,
            },
        ),
        201,
    )
    assert office["default_shipping"]
    assert not office["default_billing"]
    again = ok(
        await api.post(
            base,
            json={
                "address": {
                    "company": "FEINKOST",
                    "line1": "Marktplatz 1",
                    "city": "Hamburg",
                    "country": "DE",
                }
            },
        ),
        201,
    )
    assert again["id"] == office["id"]
    bad = problem(
        await api.post(base, json={"address": {"line1": "a", "city": "b", "country": "XX"}}), 422
    )
    assert fields_of(bad) == {"address.country"}

    ok(await api.patch(f"{base}/{home['id']}", json={"default_shipping": True}))
    ok(await api.delete(f"{base}/{office['id']}"), 204)
    [left] = ok(await api.get(base))
    assert left["id"] == home["id"]
    assert left["default_billing"]
    assert left["default_shipping"]
    problem(await api.delete(f"{base}/{office['id']}"), 404)


async def test_bank_accounts_are_validated_encrypted_and_shown_masked(
    api: httpx.AsyncClient, db: Any
) -> None:
    created = ok(await api.post("/v1/customers", json=draft()), 201)
    base = f"/v1/customers/{created['id']}/bank-accounts"
    account = ok(await api.post(base, json={"iban": IBAN, "holder": "Jörg Müller"}), 201)
    assert account["iban_masked"] == "DE89 **** **** **** **30 00"
    assert account["bic"] == "COBADEFFXXX"
    assert account["country_code"] == "DE"

    stored = (await db["customers"].find_one({"_id": created["id"]}))["bank_accounts"][0]
    assert "370400440532013000" not in str(stored)
    vault = BankVault(CustomerSettings().bank_data_key.get_secret_value())
    assert vault.decrypt(stored["ciphertext"], account_id=stored["id"]) == IBAN.replace(" ", "")

    twice = problem(await api.post(base, json={"iban": IBAN.lower()}), 409)
    assert fields_of(twice) == {"account.iban"}
    wrong = problem(
        await api.post(base, json={"iban": "DE89 3704 0044 0532 0130 01", "bic": "ABCD1234"}), 422
    )
    assert fields_of(wrong) == {"account.iban", "account.bic"}
    history = ok(
        await api.get(
            f"/v1/customers/{created['id']}/timeline", params={"kind": "bank_account_added"}
        )
    )
    [entry] = history["items"]
    assert entry["changes"][0]["after"] == "DE89 **** **** **** **30 00"
    ok(await api.delete(f"{base}/{account['id']}"), 204)
    assert ok(await api.get(base)) == []
