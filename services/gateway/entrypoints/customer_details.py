"""A customer's addresses and bank accounts in the public API (bank details only masked)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.dependencies import (
    Caller,
    CustomerId,
    IdempotencyKey,
    ItemId,
    ServicesDep,
    Viewer,
    allowed,
)
from services.gateway.use_cases.commands import command
from shared.contracts import customer_details as d
from shared.contracts.customers import CustomerView, GetCustomer
from shared.contracts.envelope import Contract

router = APIRouter(prefix="/v1/customers/{customer_id}", tags=["customers"])
_READ_ADDRESSES = [allowed(reads=(FieldGroup.ADDRESSES,))]
_WRITE_ADDRESSES = [allowed(writes=(FieldGroup.ADDRESSES,))]
_READ_BANK = [allowed(reads=(FieldGroup.BANK,))]
_WRITE_BANK = [allowed(writes=(FieldGroup.BANK,))]


class NewAddress(Contract):
    address: d.AddressInput
    default_billing: bool = False
    default_shipping: bool = False


class AddressChange(Contract):
    address: d.AddressInput | None = None
    default_billing: bool | None = None
    default_shipping: bool | None = None


@router.get("/addresses", dependencies=_READ_ADDRESSES)
async def list_addresses(
    customer_id: CustomerId, caller: Caller, services: ServicesDep, viewer: Viewer
) -> tuple[d.AddressView, ...]:
    query = GetCustomer(customer_id=customer_id, actor=caller)
    addresses = (await services.ask("customer", query, CustomerView)).addresses
    await viewer.record(customer_id, FieldGroup.ADDRESSES, bool(addresses))
    return addresses


@router.post("/addresses", status_code=status.HTTP_201_CREATED, dependencies=_WRITE_ADDRESSES)
async def add_address(
    customer_id: CustomerId,
    body: NewAddress,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> d.AddressView:
    """An address the customer has already (same content) is not added twice."""
    add = command(
        d.AddAddress,
        caller,
        idempotency_key,
        customer_id=customer_id,
        address=body.address,
        default_billing=body.default_billing,
        default_shipping=body.default_shipping,
    )
    return await services.ask("customer", add, d.AddressView)


@router.patch("/addresses/{address_id}", dependencies=_WRITE_ADDRESSES)
async def change_address(
    customer_id: CustomerId,
    address_id: ItemId,
    body: AddressChange,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> d.AddressView:
    change = command(
        d.ChangeAddress,
        caller,
        idempotency_key,
        customer_id=customer_id,
        address_id=address_id,
        address=body.address,
        default_billing=body.default_billing,
        default_shipping=body.default_shipping,
    )
    return await services.ask("customer", change, d.AddressView)


@router.delete(
    "/addresses/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=_WRITE_ADDRESSES,
)
async def remove_address(
    customer_id: CustomerId,
    address_id: ItemId,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    remove = command(
        d.RemoveAddress, caller, idempotency_key, customer_id=customer_id, address_id=address_id
    )
    await services.ask("customer", remove, type(None))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/bank-accounts", dependencies=_READ_BANK, response_model_exclude_unset=True)
async def list_bank_accounts(
    customer_id: CustomerId, caller: Caller, services: ServicesDep, viewer: Viewer
) -> tuple[d.BankAccountView, ...]:
    """Masked (no holder, BIC or bank) unless a role of the caller reads `bank` unmasked."""
    query = GetCustomer(customer_id=customer_id, actor=caller)
    accounts = (await services.ask("customer", query, CustomerView)).bank_accounts
    return await viewer.bank_accounts(customer_id, accounts)


@router.post(
    "/bank-accounts",
    status_code=status.HTTP_201_CREATED,
    dependencies=_WRITE_BANK,
    response_model_exclude_unset=True,
)
async def add_bank_account(
    customer_id: CustomerId,
    account: d.BankAccountInput,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    idempotency_key: IdempotencyKey = None,
) -> d.BankAccountView:
    """IBAN and BIC are checked; the answer shows the IBAN masked."""
    add = command(
        d.AddBankAccount, caller, idempotency_key, customer_id=customer_id, account=account
    )
    added = await services.ask("customer", add, d.BankAccountView)
    [shown] = await viewer.bank_accounts(customer_id, [added])
    return shown


@router.delete(
    "/bank-accounts/{account_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=_WRITE_BANK,
)
async def remove_bank_account(
    customer_id: CustomerId,
    account_id: ItemId,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    remove = command(
        d.RemoveBankAccount, caller, idempotency_key, customer_id=customer_id, account_id=account_id
    )
    await services.ask("customer", remove, type(None))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
