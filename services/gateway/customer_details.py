"""A customer's addresses and bank accounts in the public API (bank details only masked)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from services.gateway.callers import Caller
from services.gateway.commands import IdempotencyKey, command
from services.gateway.services import Services
from shared.contracts import customer_details as d
from shared.contracts.customers import GetCustomer
from shared.contracts.envelope import Contract

CustomerId = Annotated[str, Path(min_length=1, max_length=64)]
ItemId = Annotated[str, Path(min_length=1, max_length=64)]


class NewAddress(Contract):
    address: d.AddressInput
    default_billing: bool = False
    default_shipping: bool = False


class AddressChange(Contract):
    address: d.AddressInput | None = None
    default_billing: bool | None = None
    default_shipping: bool | None = None


def customer_details_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/customers/{customer_id}", tags=["customers"])

    async def send(message: Any) -> Any:
        return await services.ask("customer", message)

    @router.get("/addresses", response_model=list[d.AddressView])
    async def list_addresses(customer_id: CustomerId, caller: Caller) -> Any:
        view = await send(GetCustomer(customer_id=customer_id, actor=caller))
        return view["addresses"]

    @router.post("/addresses", response_model=d.AddressView, status_code=status.HTTP_201_CREATED)
    async def add_address(
        customer_id: CustomerId,
        body: NewAddress,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        """An address the customer has already (same content) is not added twice."""
        return await send(
            command(
                d.AddAddress,
                caller,
                idempotency_key,
                customer_id=customer_id,
                **body.model_dump(),
            )
        )

    @router.patch("/addresses/{address_id}", response_model=d.AddressView)
    async def change_address(
        customer_id: CustomerId,
        address_id: ItemId,
        body: AddressChange,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        return await send(
            command(
                d.ChangeAddress,
                caller,
                idempotency_key,
                customer_id=customer_id,
                address_id=address_id,
                **body.model_dump(),
            )
        )

    @router.delete("/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def remove_address(
        customer_id: CustomerId,
        address_id: ItemId,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        await send(
            command(
                d.RemoveAddress,
                caller,
                idempotency_key,
                customer_id=customer_id,
                address_id=address_id,
            )
        )
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get("/bank-accounts", response_model=list[d.BankAccountView])
    async def list_bank_accounts(customer_id: CustomerId, caller: Caller) -> Any:
        view = await send(GetCustomer(customer_id=customer_id, actor=caller))
        return view["bank_accounts"]

    @router.post(
        "/bank-accounts", response_model=d.BankAccountView, status_code=status.HTTP_201_CREATED
    )
    async def add_bank_account(
        customer_id: CustomerId,
        account: d.BankAccountInput,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        """IBAN and BIC are checked; the answer shows the IBAN masked."""
        return await send(
            command(
                d.AddBankAccount,
                caller,
                idempotency_key,
                customer_id=customer_id,
                account=account,
            )
        )

    @router.delete("/bank-accounts/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def remove_bank_account(
        customer_id: CustomerId,
        account_id: ItemId,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        await send(
            command(
                d.RemoveBankAccount,
                caller,
                idempotency_key,
                customer_id=customer_id,
                account_id=account_id,
            )
        )
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
