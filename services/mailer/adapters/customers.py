"""The person's language, asked from the customer service over request/reply (`GetCustomer`)."""

from __future__ import annotations

from services.mailer.use_cases.ports import CustomerGone
from shared.contracts.customers import CustomerStatus, CustomerView, GetCustomer
from shared.contracts.envelope import Actor, ActorType
from shared.redelivery import TransientFailure
from shared.rpc import RpcClient, ServiceUnavailable

MAILER = Actor(type=ActorType.SYSTEM, id="mailer")


class CustomerServiceUnavailable(TransientFailure):
    pass


class CustomerLanguages:
    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc

    async def language_of(self, customer_id: str) -> str | None:
        try:
            reply = await self._rpc.request(
                "customer", GetCustomer(customer_id=customer_id, actor=MAILER)
            )
        except ServiceUnavailable as error:
            raise CustomerServiceUnavailable(str(error)) from error
        if reply.problem is not None:
            if reply.problem.status == 404:
                return None
            raise CustomerServiceUnavailable(f"customer service: {reply.problem.detail}")
        customer = CustomerView.model_validate(reply.result)
        if customer.status == CustomerStatus.ERASED:
            raise CustomerGone(customer_id)
        return customer.language
