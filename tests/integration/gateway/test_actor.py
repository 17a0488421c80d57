"""What a principal changes through the gateway is recorded as that principal, in the
customer's history and in the events the change causes: a person as `supporter` by their
token's subject, a key as `api` by its id. Nothing new as `api:gateway`."""

from __future__ import annotations

from tests.conftest import Suite
from tests.integration.gateway.conftest import as_key, as_person, new_key
from tests.support.broker import tap
from tests.support.tokens import IdentityProvider


async def test_changes_record_the_person_or_the_key_that_made_them(
    customer_suite: Suite, idp: IdentityProvider
) -> None:
    suite = customer_suite
    events = suite.namespace.topology.events.name
    async with tap(suite.namespace.infra.amqp_url, events, "customer.#") as published:
        async with as_person(suite, idp.token("bob", ["supporter"])) as bob:
            created = await bob.post(
                "/v1/customers",
                json={
                    "first_name": "Nina",
                    "last_name": "Kraus",
                    "emails": [{"address": "nina@example.com"}],
                },
            )
            assert created.status_code == 201, created.text
            customer_id = created.json()["id"]
            note = await bob.post(f"/v1/customers/{customer_id}/notes", json={"text": "VIP"})
            assert note.json()["author"] == {"type": "supporter", "id": "bob"}

        key_id, key = await new_key(suite, "supporter")
        async with as_key(suite, key) as app:
            changed = await app.patch(f"/v1/customers/{customer_id}", json={"language": "de"})
            assert changed.status_code == 200, changed.text

        [created_event] = await published.wait_for(1, "customer.created.v1")
        assert created_event["actor"] == {"type": "supporter", "id": "bob"}
        [updated_event] = await published.wait_for(1, "customer.updated.v1")
        assert updated_event["actor"] == {"type": "api", "id": key_id}

    timeline = (await suite.gateway.get(f"/v1/customers/{customer_id}/timeline")).json()["items"]
    actors = {(a["kind"], a["actor"]["type"], a["actor"]["id"]) for a in timeline}
    assert ("created", "supporter", "bob") in actors
    assert ("updated", "api", key_id) in actors
    assert not [a for a in timeline if a["actor"] == {"type": "api", "id": "gateway"}]
