"""schemathesis against the gateway's OpenAPI document, the gateway running with every service
it asks (customer, consent, tasks, pullers) and ingest, to which it streams imports, against the
real broker and database: every check on (no 5xx, no status or content type the document does
not state, no valid request refused, invalid ones refused...), a fixed seed and a bounded number
of examples per operation. `make fuzz` runs the same with many more examples (FUZZ_EXAMPLES,
FUZZ_SEED)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests import fuzz
from tests.conftest import Namespace, suite_of
from tests.fuzz import gateway as fuzz_gateway
from tests.integration.ingest.serving import served
from tools.embedded_mongo import free_port

# The gateway has some seventy operations: a few examples each keep `make test` short.
EXAMPLES = fuzz.examples(3)
SERVICES = ("customer", "consent", "tasks", "pullers", "ingest", "gateway")


@pytest.fixture
async def pullers_database(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[None]:
    """The pullers (asked for `GET /v1/integrations`) keep their state in the namespace's own
    database, dropped afterwards."""
    monkeypatch.setenv("PULLERS_DATABASE", namespace.database("pullers"))
    yield
    client: AsyncMongoClient[Document] = AsyncMongoClient(namespace.infra.mongodb_url)
    await client.drop_database(namespace.database("pullers"))
    await client.close()


@pytest.mark.usefixtures("pullers_database")
async def test_gateway_answers_generated_requests_as_its_document_says(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ingest_port = free_port()
    # The gateway streams imports to ingest over HTTP.
    monkeypatch.setenv("GATEWAY_INGEST_URL", f"http://127.0.0.1:{ingest_port}")
    # One client asking as fast as it can: the per-key limit would answer most requests 429
    # (documented, but it leaves the operations behind it untested).
    monkeypatch.setenv("GATEWAY_RATE_LIMIT", "1000000/minute")
    config = tmp_path / "schemathesis.toml"
    config.write_text(fuzz_gateway.config())
    async with (
        suite_of(namespace, SERVICES) as suite,
        served(suite.apps["ingest"], ingest_port),
        served(suite.apps["gateway"]) as url,
    ):
        await fuzz.run(
            url,
            config,
            max_examples=EXAMPLES,
        )
