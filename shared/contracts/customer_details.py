"""A customer's postal addresses and bank accounts: what callers send and what they are shown.

Inputs carry values as a person typed them; the customer service normalises them (ISO country,
E.164 phone, IBAN in compact form) and names the field of anything it cannot accept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from shared.contracts.envelope import NOT_BLANK, Command, Contract, Id

Text = Annotated[str, Field(max_length=300)]


class AddressInput(Contract):
    first_name: Text | None = None
    last_name: Text | None = None
    company: Text | None = None
    line1: Annotated[str, Field(min_length=1, max_length=300, pattern=NOT_BLANK)]
    line2: Text | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=300, pattern=NOT_BLANK)]
    region: Text | None = None
    # ISO 3166 alpha-2 or alpha-3 code, or the country's English name: stored as alpha-2.
    country: Annotated[str, Field(min_length=2, max_length=100)]
    phone: Annotated[str, Field(max_length=40)] | None = None


class AddressView(Contract):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    line1: str
    line2: str | None = None
    postal_code: str | None = None
    city: str
    region: str | None = None
    country_code: str
    phone: str | None = None
    # Fields kept as the channel gave them: they could not be normalised (not verified).
    unverified: tuple[str, ...] = ()
    default_billing: bool = False
    default_shipping: bool = False


class BankAccountInput(Contract):
    iban: Annotated[str, Field(min_length=5, max_length=60)]
    # Optional: derived from the IBAN where the bank registry knows it.
    bic: Annotated[str, Field(min_length=8, max_length=15)] | None = None
    holder: Text | None = None


class BankAccountView(Contract):
    """Never the full IBAN: it is stored encrypted and shown masked."""

    id: str
    iban_masked: str
    bic: str | None = None
    bank_name: str | None = None
    country_code: str
    holder: str | None = None
    added_at: datetime


class AddAddress(Command):
    type: Literal["customer.address.add.v1"] = "customer.address.add.v1"
    customer_id: Id
    address: AddressInput
    default_billing: bool = False
    default_shipping: bool = False


class ChangeAddress(Command):
    """Replace an address's content and/or make it a default."""

    type: Literal["customer.address.change.v1"] = "customer.address.change.v1"
    customer_id: Id
    address_id: Id
    address: AddressInput | None = None
    default_billing: bool | None = None
    default_shipping: bool | None = None


class RemoveAddress(Command):
    type: Literal["customer.address.remove.v1"] = "customer.address.remove.v1"
    customer_id: Id
    address_id: Id


class AddBankAccount(Command):
    type: Literal["customer.bank_account.add.v1"] = "customer.bank_account.add.v1"
    customer_id: Id
    account: BankAccountInput


class RemoveBankAccount(Command):
    type: Literal["customer.bank_account.remove.v1"] = "customer.bank_account.remove.v1"
    customer_id: Id
    account_id: Id
