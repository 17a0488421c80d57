"""Points 5 and 10: custom fields defined at run time, validated and filterable; search by every
filter, sorted, paged by cursor, on indexes created at start-up."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.customer.conftest import Producer, count_is, fields_of, ok, problem
from tests.support.waiting import eventually

TIER = {
    "key": "loyalty_tier",
    "label": "Loyalty tier",
    "field_type": "enum",
    "enum_values": ["bronze", "silver", "gold"],
}


async def test_a_field_defined_through_the_api_is_in_force_at_once(
    api: httpx.AsyncClient, db: Any
) -> None:
    ok(await api.post("/v1/custom-fields", json=TIER), 201)
    ok(
        await api.post(
            "/v1/custom-fields",
            json={"key": "newsletter_since", "label": "Since", "field_type": "date", "pii": False},
        ),
        201,
    )
    problem(await api.post("/v1/custom-fields", json=TIER), 409)
    no_values = problem(
        await api.post("/v1/custom-fields", json={**TIER, "key": "size", "enum_values": []}), 422
    )
    assert fields_of(no_values) == {"enum_values"}

    gold = ok(
        await api.post(
            "/v1/customers",
            json={
                "last_name": "Gold",
                "extra": {"loyalty_tier": "gold", "newsletter_since": "2024-02-29"},
            },
        ),
        201,
    )
    assert gold["extra"] == {"loyalty_tier": "gold", "newsletter_since": "2024-02-29"}
    wrong = problem(
        await api.patch(
            f"/v1/customers/{gold['id']}",
            json={
                "extra": {"loyalty_tier": "platinum", "newsletter_since": "yesterday", "shoe": 42}
            },
        ),
        422,
    )
    assert fields_of(wrong) == {"extra.loyalty_tier", "extra.newsletter_since", "extra.shoe"}
    assert "gold" in wrong["detail"]

    # Required from now on: a new customer without it is refused.
    ok(await api.patch("/v1/custom-fields/loyalty_tier", json={"required": True}))
    missing = problem(await api.post("/v1/customers", json={"last_name": "None"}), 422)
    assert fields_of(missing) == {"extra.loyalty_tier"}
    ok(
        await api.post(
            "/v1/customers", json={"last_name": "Silver", "extra": {"loyalty_tier": "silver"}}
        ),
        201,
    )

    found = ok(await api.get("/v1/customers", params={"extra.loyalty_tier": "gold"}))
    assert [c["id"] for c in found["items"]] == [gold["id"]]
    unknown = problem(await api.get("/v1/customers", params={"extra.shoe": "42"}), 422)
    assert fields_of(unknown) == {"extra.shoe"}

    indexes = {name async for name in _index_names(db["customers"])}
    assert "extra.loyalty_tier_1" in indexes
    in_use = problem(await api.delete("/v1/custom-fields/loyalty_tier"), 409)
    assert "2 customer(s)" in in_use["detail"]
    listed = ok(await api.get("/v1/custom-fields"))
    assert [f["key"] for f in listed["items"]] == ["loyalty_tier", "newsletter_since"]
    unused = {"key": "shoe_size", "label": "Shoe size", "field_type": "number"}
    ok(await api.post("/v1/custom-fields", json=unused), 201)
    ok(await api.delete("/v1/custom-fields/shoe_size"), 204)
    problem(await api.get("/v1/custom-fields/shoe_size"), 404)


async def _index_names(collection: Any) -> Any:
    async for index in await collection.list_indexes():
        yield index["name"]


async def test_search_by_every_filter_with_sorting_and_cursor_paging(
    api: httpx.AsyncClient, producer: Producer, db: Any
) -> None:
    people = [
        ("Jörg", "Müller", "joerg@example.com", ["vip"]),
        ("Anna", "Mueller", "anna@example.com", []),
        ("Zoë", "Muñoz", "zoe@example.com", ["vip"]),
        ("Ben", "Schmidt", "ben@example.com", []),
    ]
    ids = {}
    for first, last, email, tags in people:
        body = {
            "first_name": first,
            "last_name": last,
            "emails": [{"address": email}],
            "tags": tags,
        }
        if first == "Ben":
            # A longer number that starts with Léna's: found by its own number only.
            body["phones"] = ["+49 171 55500001"]
        ids[first] = ok(await api.post("/v1/customers", json=body), 201)["id"]
    await producer.order(
        email="lena@example.com",
        first_name="Léna",
        last_name="Müller-Lüdenscheidt",
        phone="+49 171 5550000 ext. 12",
    )
    await eventually(count_is(db["customers"], 5), what="the imported customer")

    async def names(**params: Any) -> list[str]:
        page = ok(await api.get("/v1/customers", params=params))
        return [c["first_name"] for c in page["items"]]

    # Case and accents do not matter; any word of the name or the full name matches.
    assert await names(name="MÜL", sort="name") == ["Jörg", "Léna"]
    assert await names(name="mul", sort="name") == ["Jörg", "Léna"]
    assert await names(name="munoz") == ["Zoë"]
    assert await names(name="zoe mu") == ["Zoë"]
    assert await names(name="ludensch") == ["Léna"]
    assert await names(email="ANNA@example.com") == ["Anna"]
    # The number finds her with the extension it was given with; another extension does not.
    assert await names(phone="0171 5550000") == ["Léna"]
    assert await names(phone="0171 5550000 ext. 12") == ["Léna"]
    assert await names(phone="0171 5550000 ext. 13") == []
    assert await names(phone="0171 55500001") == ["Ben"]
    assert await names(channel="shopify") == ["Léna"]
    assert await names(tag="vip") == ["Jörg", "Zoë"]
    number = ok(await api.get(f"/v1/customers/{ids['Ben']}"))["customer_number"]
    assert await names(number=number) == ["Ben"]
    assert await names(sort="name", descending="true") == ["Ben", "Zoë", "Léna", "Jörg", "Anna"]

    ok(await api.post(f"/v1/customers/{ids['Ben']}/disable", json={"reason": "test"}))
    assert await names(status="disabled") == ["Ben"]
    assert "Ben" in await names(status=["active", "disabled"])

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"sort": "name", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = ok(await api.get("/v1/customers", params=params))
        seen += [c["first_name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Anna", "Jörg", "Léna", "Zoë", "Ben"]
    tampered = problem(await api.get("/v1/customers", params={"cursor": "bm90LWEtY3Vyc29y"}), 422)
    assert fields_of(tampered) == {"cursor"}

    indexes = {name async for name in _index_names(db["customers"])}
    assert {"search.names_1", "emails.address_1__id_1", "phones_1", "tags_1", "number_1"} <= indexes


async def test_a_create_retried_after_its_field_was_removed_finds_it_gone(
    api: httpx.AsyncClient,
) -> None:
    """A retry is answered with what the first request made, as it is now: nothing is made
    again, and the answer (404) is one the API's document names for a request with a key."""
    field = {"key": "shoe_size", "label": "Shoe size", "field_type": "number"}
    headers = {"Idempotency-Key": "define-shoe-size-1"}
    ok(await api.post("/v1/custom-fields", json=field, headers=headers), 201)
    assert (await api.delete("/v1/custom-fields/shoe_size")).status_code == 204
    retried = await api.post("/v1/custom-fields", json=field, headers=headers)
    problem(retried, 404)
    assert (await api.get("/v1/custom-fields/shoe_size")).status_code == 404
    document = (await api.get("/openapi.json")).json()
    assert "404" in document["paths"]["/v1/custom-fields"]["post"]["responses"]
