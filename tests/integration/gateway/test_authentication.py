"""Every caller of the gateway is someone: an API key (stored only as a hash, expiring,
revocable at once on every replica) or a person's token from the identity provider. Only
liveness, readiness, the API's description and docs and the double opt-in link are public."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.gateway.domain.api_keys import hash_secret
from shared.mongo import Document
from tests.conftest import Suite, create_app, running
from tests.support.tokens import IdentityProvider

PUBLIC = {
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("get", "/v1/consents/confirm"),
}


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, methods in document["paths"].items()
        for method in methods
        if method in ("get", "post", "put", "patch", "delete")
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "0123456789abcdef", path)


async def test_every_route_but_the_public_ones_refuses_an_anonymous_caller(
    anonymous: httpx.AsyncClient,
) -> None:
    document = (await anonymous.get("/openapi.json")).json()
    found = operations(document)
    assert len(found) > 40
    for method, path in found:
        if (method, path) in PUBLIC:
            continue
        answer = await anonymous.request(method.upper(), concrete(path), json={})
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", (method, path)
        assert answer.headers["www-authenticate"].startswith("Bearer"), (method, path)
        assert answer.json()["status"] == 401
    for public in ("/health/live", "/docs", "/openapi.json", "/metrics"):
        assert (await anonymous.get(public)).status_code == 200, public


async def test_the_openapi_document_declares_the_security_schemes(
    anonymous: httpx.AsyncClient,
) -> None:
    document = (await anonymous.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "an API key",
    }
    assert schemes["Bearer"]["scheme"] == "bearer"
    for method, path in operations(document):
        operation = document["paths"][path][method]
        if (method, path) in PUBLIC:
            assert "security" not in operation, (method, path)
        else:
            assert {"ApiKey": []} in operation.get("security", []), (method, path)
            assert "401" in operation["responses"], (method, path)


async def test_a_key_made_with_the_bootstrap_key_works_until_it_is_revoked_on_every_replica(
    gateway_suite: Suite, anonymous: httpx.AsyncClient, mongo: AsyncMongoClient[Document]
) -> None:
    made = await gateway_suite.gateway.post(
        "/v1/api-keys", json={"name": "support app", "roles": ["admin"]}
    )
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    assert re.fullmatch(r"crm_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", key)
    key_id = made.json()["id"]
    assert key_id in key

    # Stored only as a hash.
    stored = await gateway_suite.db(mongo, "gateway")["api_keys"].find_one({"_id": key_id})
    assert stored is not None
    assert key.split("_", 2)[2] not in str(stored)
    assert stored["secret_hash"] == hash_secret(key.split("_", 2)[2])

    for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
        assert (await anonymous.get("/v1/roles", headers=headers)).status_code == 200

    listed = (await gateway_suite.gateway.get("/v1/api-keys")).json()["items"]
    [mine] = [k for k in listed if k["id"] == key_id]
    assert "key" not in mine
    assert "secret_hash" not in mine
    assert mine["last_used_at"] is not None

    # A second gateway replica, sharing the database: the revocation holds there at once.
    async with running(create_app("gateway")) as replica:
        other = httpx.AsyncClient(transport=httpx.ASGITransport(app=replica), base_url="http://r")
        async with other:
            assert (await other.get("/v1/roles", headers={"X-API-Key": key})).status_code == 200
            revoked = await gateway_suite.gateway.delete(f"/v1/api-keys/{key_id}")
            assert revoked.status_code == 200
            assert revoked.json()["revoked_at"] is not None
            refused = await other.get("/v1/roles", headers={"X-API-Key": key})
            assert refused.status_code == 401
            assert "revoked" in refused.json()["detail"]
    again = await anonymous.get("/v1/roles", headers={"X-API-Key": key})
    assert again.status_code == 401


async def test_expired_forged_and_unknown_keys_are_refused(
    gateway_suite: Suite, anonymous: httpx.AsyncClient, mongo: AsyncMongoClient[Document]
) -> None:
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    made = await gateway_suite.gateway.post(
        "/v1/api-keys", json={"name": "temp", "roles": ["analyst"], "expires_at": expires}
    )
    assert made.status_code == 201
    key, key_id = made.json()["key"], made.json()["id"]
    assert (
        await anonymous.get("/v1/reports/repeat-purchase-rate", headers={"X-API-Key": key})
    ).status_code != 401

    await gateway_suite.db(mongo, "gateway")["api_keys"].update_one(
        {"_id": key_id}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}}
    )
    expired = await anonymous.get("/v1/roles", headers={"X-API-Key": key})
    assert expired.status_code == 401
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for wrong in (forged, "crm_0000000000000000_" + "A" * 43, "not-a-key", key + "x"):
        assert (await anonymous.get("/v1/roles", headers={"X-API-Key": wrong})).status_code == 401

    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    refused = await gateway_suite.gateway.post(
        "/v1/api-keys", json={"name": "old", "roles": ["admin"], "expires_at": past}
    )
    assert refused.status_code == 422
    unknown_role = await gateway_suite.gateway.post(
        "/v1/api-keys", json={"name": "x", "roles": ["wizard"]}
    )
    assert unknown_role.status_code == 422
    assert unknown_role.json()["errors"][0]["field"] == "roles"


async def test_a_key_without_the_right_to_manage_access_cannot_make_keys(
    gateway_suite: Suite, anonymous: httpx.AsyncClient
) -> None:
    made = await gateway_suite.gateway.post(
        "/v1/api-keys", json={"name": "helpdesk", "roles": ["supporter"]}
    )
    headers = {"X-API-Key": made.json()["key"]}
    refused = await anonymous.post(
        "/v1/api-keys", json={"name": "escalate", "roles": ["admin"]}, headers=headers
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "manage_access"


async def test_a_persons_token_from_the_identity_provider(
    anonymous: httpx.AsyncClient, idp: IdentityProvider
) -> None:
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    admin = idp.token("alice", ["admin"])
    assert (await anonymous.get("/v1/roles", headers=bearer(admin))).status_code == 200
    supporter = idp.token("bob", ["supporter"])
    assert (await anonymous.get("/v1/roles", headers=bearer(supporter))).status_code == 403
    # Within the allowed clock skew (30 s) a just-expired token still holds; beyond it, not.
    assert (
        await anonymous.get("/v1/roles", headers=bearer(idp.token("a", ["admin"], expires_in=-10)))
    ).status_code == 200
    for refused in (
        idp.token("alice", ["admin"], expires_in=-120),
        idp.token("alice", ["admin"], aud="another-app"),
        idp.token("alice", ["admin"], iss="https://evil.example/"),
        IdentityProvider.create_in_memory().token("alice", ["admin"]),
    ):
        answer = await anonymous.get("/v1/roles", headers=bearer(refused))
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["X-API-Key", "Authorization"])
async def test_the_bootstrap_key_is_an_admin(anonymous: httpx.AsyncClient, header: str) -> None:
    from tests.support.access import BOOTSTRAP_KEY

    value = BOOTSTRAP_KEY if header == "X-API-Key" else f"Bearer {BOOTSTRAP_KEY}"
    assert (await anonymous.get("/v1/api-keys", headers={header: value})).status_code == 200
