"""Queries over RabbitMQ: concurrent, always answered, and bounded in time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from faststream.rabbit import RabbitRouter

from services.gateway.settings import GatewaySettings
from shared.broker import make_broker
from shared.contracts.customers import GetCustomer
from shared.rpc import RpcClient, ServiceUnavailable
from shared.topology import declare
from tests.conftest import TEST_ACTOR, Namespace, suite_of
from tests.support.broker import queue_depth
from tests.support.waiting import eventually


async def test_queries_are_in_flight_at_the_same_time(namespace: Namespace) -> None:
    """FastStream's own request() would serve these one by one."""
    topology = namespace.topology
    in_flight, most = 0, 0
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription("customer"))
    async def slow_answer(body: Any) -> dict[str, Any]:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.3)
        in_flight -= 1
        return {"result": body["customer_id"]}

    broker = make_broker(GatewaySettings(), service="test", tracer_provider=None)
    broker.include_router(router)
    client = RpcClient(broker, topology, timeout_s=10)
    await broker.connect()
    await declare(broker, topology)
    await broker.start()
    try:
        queries = [GetCustomer(customer_id=f"c{i}", actor=TEST_ACTOR) for i in range(8)]
        replies = await asyncio.gather(*(client.request("customer", q) for q in queries))
    finally:
        await broker.stop()
    assert [r.result for r in replies] == [f"c{i}" for i in range(8)]
    assert most > 1


async def test_a_query_to_a_service_that_is_down_times_out_and_expires(
    namespace: Namespace,
) -> None:
    topology = namespace.topology
    broker = make_broker(GatewaySettings(), service="test", tracer_provider=None)
    client = RpcClient(broker, topology, timeout_s=0.5)
    await broker.connect()
    await declare(broker, topology)
    await broker.start()
    try:
        with pytest.raises(ServiceUnavailable, match="did not answer"):
            await client.request("customer", GetCustomer(customer_id="c1", actor=TEST_ACTOR))
    finally:
        await broker.stop()
    # The request must not wait in the queue to be answered long after its caller gave up.
    queue = topology.rpc_queue("customer").name
    await eventually(lambda: _empty(namespace, queue), what="the request to expire")


async def test_the_gateway_answers_503_when_the_customer_service_is_down(
    namespace: Namespace,
) -> None:
    async with suite_of(namespace, ("gateway",)) as suite:
        response = await suite.gateway.get("/v1/customers", params={"email": "a@example.com"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "The customer service is unavailable"


async def _empty(namespace: Namespace, queue: str) -> bool:
    return await queue_depth(namespace.infra.amqp_url, queue) == 0
