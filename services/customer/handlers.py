"""Message entry points: the command consumer and the query responder."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitRouter

from services.customer.commands import CustomerCommands
from services.customer.queries import CustomerQueries
from shared.contracts.customers import FindCustomers, GetCustomer
from shared.contracts.orders import UpsertCustomerFromOrder
from shared.dispatch import Dispatcher
from shared.rpc import answer
from shared.topology import Topology


def command_router(topology: Topology, commands: CustomerCommands) -> RabbitRouter:
    # Events of other services about customers arrive here too; unhandled ones are skipped.
    dispatcher: Dispatcher[object] = Dispatcher(ignore=("consent.",))
    dispatcher.register(UpsertCustomerFromOrder, commands.upsert_from_order)
    router = RabbitRouter()

    @router.subscriber(topology.customer.subscription(), title="customer commands")
    async def on_command(body: Any) -> None:
        await dispatcher.dispatch(body)

    return router


def query_router(topology: Topology, queries: CustomerQueries) -> RabbitRouter:
    dispatcher: Dispatcher[Any] = Dispatcher()
    dispatcher.register(GetCustomer, queries.get)
    dispatcher.register(FindCustomers, queries.find)
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription("customer"), title="customer queries")
    async def on_query(body: Any) -> dict[str, Any]:
        return await answer(dispatcher, body)

    return router
