"""Consent follows merges and survives erasure in pseudonymised form."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from services.consent.domain.pseudonyms import pseudonym
from services.consent.settings import ConsentSettings
from shared.contracts.customers import CustomerErased, CustomerRef, CustomersMerged
from shared.contracts.envelope import Actor, ActorType, utc_now
from shared.mongo import Document
from tests.conftest import Suite
from tests.integration.consent.conftest import CustomerService, known_to_consent
from tests.integration.consent.messages import record_consent
from tests.support.broker import Tap
from tests.support.waiting import eventually

SUPPORTER = Actor(type=ActorType.SUPPORTER, id="agent-7")


def ref(
    customer_id: str, *, version: int, status: str = "active", email: str | None = None
) -> CustomerRef:
    return CustomerRef(
        customer_id=customer_id,
        customer_number=10001,
        version=version,
        status=status,
        primary_email=email,
    )


async def ledger(suite: Suite, mongo: AsyncMongoClient[Document], customer_id: str) -> list[Any]:
    cursor = suite.db(mongo, "consent")["ledger"].find({"customer_id": customer_id}).sort("seq")
    return [doc async for doc in cursor]


async def entries_count(
    suite: Suite, mongo: AsyncMongoClient[Document], customer_id: str, count: int
) -> None:
    async def enough() -> bool:
        return len(await ledger(suite, mongo, customer_id)) >= count

    await eventually(enough, what=f"{count} ledger entries of {customer_id}")


async def states(suite: Suite, customer_id: str) -> dict[str, str]:
    response = await suite.gateway.get(f"/v1/customers/{customer_id}/consents")
    assert response.status_code == 200, response.text
    return {
        f"{c['purpose']}/{c['channel'] or '*'}": c["state"]
        for c in response.json()["consents"]
        if c["state"] != "none"
    }


async def test_a_merge_carries_the_decisions_over_and_keeps_withdrawals(
    consent_suite: Suite,
    customers: CustomerService,
    events: Tap,
    mongo: AsyncMongoClient[Document],
) -> None:
    for customer_id in ("master", "dup1", "dup2"):
        await customers.create(customer_id)
        await known_to_consent(consent_suite, mongo, customer_id)
    decisions = [
        # The master opted in later than dup1 withdrew: the withdrawal is still kept.
        record_consent("master", "single_opt_in", "self_service", minute=50),
        record_consent("dup1", "withdrawn", "self_service", minute=10),
        # dup2 has a double opt-in for SMS (a channel confirmed it) and one for profiling.
        record_consent("dup2", "double_opt_in", minute=5, purpose="sms"),
        record_consent("dup2", "single_opt_in", "self_service", minute=6, purpose="profiling"),
    ]
    for message in decisions:
        await customers.send(message)
    for customer_id, count in (("master", 1), ("dup1", 1), ("dup2", 2)):
        await entries_count(consent_suite, mongo, customer_id, count)
    before = {c: await ledger(consent_suite, mongo, c) for c in ("master", "dup1", "dup2")}

    merge = CustomersMerged(
        master=ref("master", version=2, email="master@example.com"),
        absorbed_ids=("dup1", "dup2"),
        actor=SUPPORTER,
    )
    await customers.send(merge)
    await customers.send(merge)  # delivered twice
    await entries_count(consent_suite, mongo, "master", 4)

    assert await states(consent_suite, "master") == {
        "email/*": "withdrawn",
        "sms/*": "double_opt_in",
        "profiling/*": "single_opt_in",
    }
    entries = await ledger(consent_suite, mongo, "master")
    assert len(entries) == 4
    carried = {e["purpose"]: e for e in entries if e["evidence"]["source"] == "merge"}
    assert set(carried) == {"email", "sms", "profiling"}
    assert carried["email"]["merged_from"] == {
        "customer_id": "dup1",
        "entry_id": before["dup1"][0]["_id"],
    }
    assert carried["email"]["actor"] == SUPPORTER.model_dump()
    assert carried["sms"]["evidence"]["order_id"] == "5005"  # the original proof goes along

    # The absorbed records' own ledgers are untouched; their states now live on the master.
    for customer_id in ("dup1", "dup2"):
        assert await ledger(consent_suite, mongo, customer_id) == before[customer_id]
    absorbed_view = await consent_suite.gateway.get("/v1/customers/dup1/consents")
    assert absorbed_view.json()["customer_id"] == "master"

    merge_events = [
        e
        for e in await events.wait_for(7, "consent.changed.v1")
        if e["causation_id"] == merge.message_id
    ]
    assert sorted((e["purpose"], e["previous_state"], e["state"]) for e in merge_events) == [
        ("email", "single_opt_in", "withdrawn"),
        ("profiling", "none", "single_opt_in"),
        ("sms", "none", "double_opt_in"),
    ]

    # A late decision for an absorbed record lands on the master, under the master's rules.
    await customers.send(record_consent("dup2", "single_opt_in", decided_at=utc_now()))
    await entries_count(consent_suite, mongo, "master", 5)
    late = (await ledger(consent_suite, mongo, "master"))[-1]
    assert (late["decision"], late["outcome"], late["rule"]) == (
        "single_opt_in",
        "overruled",
        "withdrawal_stands",
    )


async def test_erasure_pseudonymises_the_ledger_and_keeps_the_proof(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("kim", "Kim@Example.com")
    await customers.create("kim-old", "kim.old@example.com")
    for customer_id in ("kim", "kim-old"):
        await known_to_consent(consent_suite, mongo, customer_id)
    gateway = consent_suite.gateway
    recorded = await gateway.post(
        "/v1/customers/kim/consents",
        json={
            "purpose": "email",
            "state": "single_opt_in",
            "evidence": {
                "source": "self_service",
                "text": "Yes, email me offers",
                "text_version": "nl-3",
                "ip_address": "203.0.113.50",
                "user_agent": "Safari/18",
            },
        },
    )
    assert recorded.status_code == 201
    await customers.send(record_consent("kim-old", "withdrawn", "supporter", purpose="post"))
    await entries_count(consent_suite, mongo, "kim-old", 1)
    await customers.send(
        CustomersMerged(
            master=ref("kim", version=2, email="kim@example.com"),
            absorbed_ids=("kim-old",),
            actor=SUPPORTER,
        )
    )
    await entries_count(consent_suite, mongo, "kim", 2)
    started = await gateway.post(
        "/v1/customers/kim/consents/double-opt-in", json={"purpose": "sms", "text_version": "v1"}
    )
    assert started.status_code == 202

    erased = CustomerErased(customer=ref("kim", version=3, status="erased"), actor=SUPPORTER)
    await customers.send(erased)
    await customers.send(erased)  # delivered twice

    db = consent_suite.db(mongo, "consent")

    async def pseudonymised() -> bool:
        left: int = await db["ledger"].count_documents({"pseudonymised_at": None})
        return left == 0

    await eventually(pseudonymised, what="every entry of kim to be pseudonymised")
    key = ConsentSettings().pseudonym_key.get_secret_value().encode()
    entries = [e async for e in db["ledger"].find().sort([("customer_id", 1), ("seq", 1)])]
    assert len(entries) == 3  # kim's two and the absorbed record's one
    for entry in entries:
        assert entry["email"] is None
        assert entry["evidence"]["ip_address"] is None
        assert entry["evidence"]["user_agent"] is None
    own = entries[0]
    assert own["pseudonym"] == pseudonym(key, email="kim@example.com", customer_id="kim")
    # The proof: what was decided, when, how and with which words.
    assert (own["decision"], own["evidence"]["source"], own["evidence"]["text"]) == (
        "single_opt_in",
        "self_service",
        "Yes, email me offers",
    )
    absorbed = next(e for e in entries if e["customer_id"] == "kim-old")
    assert absorbed["pseudonym"] == pseudonym(
        key, email="kim.old@example.com", customer_id="kim-old"
    )
    # Nothing else the service holds names the person any more.
    everything = [
        doc
        for collection in ("ledger", "consents", "customers", "double_opt_in", "outbox")
        async for doc in db[collection].find()
    ]
    text = str(everything)
    for word in (
        "kim@example.com",
        "Kim@Example.com",
        "kim.old@example.com",
        "203.0.113.50",
        "Safari/18",
    ):
        assert word not in text, word

    # The history still shows the (pseudonymised) proof; the current consents are gone.
    history = (await gateway.get("/v1/customers/kim/consents/history")).json()["items"]
    # Newest first: the withdrawal carried over from kim-old (given for kim-old's address).
    assert [e["pseudonym"] for e in history] == [absorbed["pseudonym"], own["pseudonym"]]
    gone = await gateway.get("/v1/customers/kim/consents")
    assert gone.status_code == 410
    assert gone.json()["type"] == "urn:problem:customer-erased"
    refused = await gateway.post(
        "/v1/customers/kim/consents",
        json={"purpose": "email", "state": "withdrawn", "evidence": {"source": "api"}},
    )
    assert refused.status_code == 410
