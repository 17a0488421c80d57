"""The published interfaces under docs/api/ are what the code generates (`make docs`)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from tools.api_docs import API_DIR, HTTP_SERVICES, MESSAGING_SERVICES, ROOT, documents

GENERATED = documents()


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_the_committed_document_is_the_generated_one(path: Path) -> None:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make docs`"
    committed = path.read_text(encoding="utf-8")
    assert committed == GENERATED[path], (
        f"{path.relative_to(ROOT)} differs from what the code generates: run `make docs`"
    )


def test_every_messaging_service_and_http_service_is_published() -> None:
    names = {p.name for p in GENERATED}
    assert {f"{s}.asyncapi.json" for s in MESSAGING_SERVICES} <= names
    assert {f"{s}.openapi.json" for s in HTTP_SERVICES} <= names
    assert {p.name for p in API_DIR.glob("*.json")} == names, "a document nothing generates"


@pytest.mark.parametrize("service", sorted(MESSAGING_SERVICES))
def test_each_asyncapi_document_shows_the_message_schemas(service: str) -> None:
    document = json.loads(GENERATED[API_DIR / f"{service}.asyncapi.json"])
    assert document["asyncapi"].startswith("3.")
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses, service
    assert not any(".replies." in a for a in addresses), "a private reply queue is published"
    # Typed subscribers: each message is a contract with its `type`, or a union of contracts
    # discriminated by `type`.
    schemas = document["components"]["schemas"]
    for name, message in document["components"]["messages"].items():
        payload = message["payload"]
        if "$ref" in payload:
            payload = schemas[unquote(payload["$ref"].rsplit("/", 1)[1])]
        if "oneOf" in payload:
            assert payload["discriminator"] == "type", (service, name)
        else:
            assert "const" in payload["properties"]["type"], (service, name)


def test_the_gateway_document_says_what_its_validation_refuses() -> None:
    document = json.loads(GENERATED[API_DIR / "gateway.openapi.json"])
    schemas = document["components"]["schemas"]
    # A patch cannot clear these: no null (sent, it is refused as invalid input).
    assert "anyOf" not in schemas["CustomerChanges"]["properties"]["extra"]
    for field in ("title", "assignee", "priority"):
        assert "anyOf" not in schemas["TaskChanges"]["properties"][field], field
    # ... and clears these.
    assert {"type": "null"} in schemas["TaskChanges"]["properties"]["due_at"]["anyOf"]
    # A header is sent or not, never null.
    task = document["paths"]["/v1/tasks/{task_id}"]["patch"]
    headers = {p["name"]: p["schema"] for p in task["parameters"] if p["in"] == "header"}
    assert headers["Idempotency-Key"]["type"] == "string"
    assert headers["Idempotency-Key"]["minLength"] == 8
    # The double opt-in link's token, as the consent contract takes it.
    confirm = document["paths"]["/v1/consents/confirm"]["get"]
    (token,) = [p for p in confirm["parameters"] if p["name"] == "token"]
    assert (token["schema"]["minLength"], token["schema"]["maxLength"]) == (20, 200)
    assert "anyOf" not in token["schema"]
