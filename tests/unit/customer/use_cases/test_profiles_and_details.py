"""A person creates and edits customers, their addresses and bank accounts (in-memory stores)."""

from __future__ import annotations

from typing import Any

import pytest

from services.customer.domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from shared.contracts.customer_details import (
    AddAddress,
    AddBankAccount,
    AddressInput,
    BankAccountInput,
    RemoveAddress,
    RemoveBankAccount,
)
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import (
    ChangeTags,
    CreateCustomer,
    CustomerCreated,
    CustomerDisabled,
    CustomerDraft,
    CustomerPatch,
    CustomerTagsChanged,
    CustomerUpdated,
    DisableCustomer,
    EmailInput,
    EnableCustomer,
    PasswordResetRequired,
    RequirePasswordReset,
    UpdateCustomer,
)
from tests.unit.customer.fakes import ACTOR, FakeService, fake_service

IBAN = "DE89370400440532013000"
HOME = AddressInput(line1="Hauptstraße 5", postal_code="10115", city="Berlin", country="DE")


@pytest.fixture
def service() -> FakeService:
    return fake_service()


async def create(service: FakeService, **draft: Any) -> str:
    values = {"last_name": "Schmidt", "emails": [EmailInput(address="anna@example.com")]} | draft
    ref = await service.cases.profiles.create(
        CreateCustomer(customer=CustomerDraft(**values), actor=ACTOR)
    )
    return ref["customer_id"]


async def test_a_new_customer_claims_their_emails_and_is_announced(service: FakeService) -> None:
    customer_id = await create(service, addresses=[HOME])
    customer = service.customer(customer_id)
    assert customer.version == 1
    assert customer.provenance["last_name"].by_hand
    assert customer.default_billing_id == customer.addresses[0].id
    assert service.data.identities == {"email:anna@example.com": customer_id}
    assert [a.kind for a in service.history.of(customer_id)] == [ActivityKind.CREATED]
    [created] = service.unit.sent(CustomerCreated)
    assert created.customer.customer_id == customer_id


async def test_an_email_of_another_customer_is_refused_naming_it_and_nothing_is_kept(
    service: FakeService,
) -> None:
    first = await create(service)
    before = dict(service.data.customers)
    with pytest.raises(Conflict) as refused:
        await create(service, last_name="Other")
    assert [e.field for e in refused.value.errors] == ["emails.0.address"]
    assert f"belongs to customer {first}" in refused.value.detail
    assert service.data.customers == before


async def test_an_edit_at_a_stale_version_is_refused(service: FakeService) -> None:
    customer_id = await create(service)
    change = UpdateCustomer(
        customer_id=customer_id,
        set=CustomerPatch(first_name="Anna"),
        expected_version=7,
        actor=ACTOR,
    )
    with pytest.raises(StaleVersion) as refused:
        await service.cases.profiles.update(change)
    assert refused.value.errors[0].field == "expected_version"


async def test_an_edit_releases_the_email_it_drops_and_names_the_changes(
    service: FakeService,
) -> None:
    customer_id = await create(service)
    service.clock.advance()
    new_email = [EmailInput(address="anna@work.example")]
    await service.cases.profiles.update(
        UpdateCustomer(customer_id=customer_id, set=CustomerPatch(emails=new_email), actor=ACTOR)
    )
    assert service.data.identities == {"email:anna@work.example": customer_id}
    [updated] = service.unit.sent(CustomerUpdated)
    assert [c.field for c in updated.changes] == ["emails"]
    assert service.customer(customer_id).updated_at == service.clock.now


async def test_tags_status_and_password_reset_each_announce_themselves(
    service: FakeService,
) -> None:
    customer_id = await create(service)
    await service.cases.profiles.change_tags(
        ChangeTags(customer_id=customer_id, add=("vip",), actor=ACTOR)
    )
    await service.cases.profiles.disable(
        DisableCustomer(customer_id=customer_id, reason="fraud", actor=ACTOR)
    )
    await service.cases.profiles.disable(DisableCustomer(customer_id=customer_id, actor=ACTOR))
    await service.cases.profiles.enable(EnableCustomer(customer_id=customer_id, actor=ACTOR))
    reset = RequirePasswordReset(customer_id=customer_id, actor=ACTOR)
    await service.cases.profiles.require_password_reset(reset)
    await service.cases.profiles.require_password_reset(reset.with_id("again"))
    [tagged] = service.unit.sent(CustomerTagsChanged)
    assert tagged.added == ("vip",)
    # Disabling a disabled customer changes nothing and announces nothing.
    [disabled] = service.unit.sent(CustomerDisabled)
    assert disabled.reason == "fraud"
    # Asking for a reset again is an action of its own.
    assert len(service.unit.sent(PasswordResetRequired)) == 2
    kinds = [a.kind for a in service.history.of(customer_id)]
    assert kinds.count(ActivityKind.PASSWORD_RESET_REQUIRED) == 2
    assert kinds.count(ActivityKind.DISABLED) == 1


async def test_the_same_address_twice_keeps_its_id_and_removing_it_clears_the_defaults(
    service: FakeService,
) -> None:
    customer_id = await create(service)
    add = AddAddress(customer_id=customer_id, address=HOME, actor=ACTOR)
    first = await service.cases.details.add_address(add)
    again = await service.cases.details.add_address(add.with_id("again"))
    assert again == first
    customer = service.customer(customer_id)
    assert len(customer.addresses) == 1
    assert customer.default_shipping_id == first["address_id"]
    await service.cases.details.remove_address(
        RemoveAddress(customer_id=customer_id, address_id=first["address_id"], actor=ACTOR)
    )
    removed = service.customer(customer_id)
    assert (removed.addresses, removed.default_billing_id) == ((), None)


async def test_a_bank_account_is_sealed_once_and_refused_twice(service: FakeService) -> None:
    customer_id = await create(service)
    add = AddBankAccount(customer_id=customer_id, account=BankAccountInput(iban=IBAN), actor=ACTOR)
    ref = await service.cases.details.add_bank_account(add)
    [account] = service.customer(customer_id).bank_accounts
    assert account.id == ref["account_id"]
    assert IBAN not in account.ciphertext
    assert account.ciphertext.startswith(f"sealed:{account.id}:")
    assert account.iban_masked == "DE89 **** **** **** **30 00"
    with pytest.raises(Conflict):
        await service.cases.details.add_bank_account(add.with_id("twice"))
    with pytest.raises(NotFound):
        await service.cases.details.remove_bank_account(
            RemoveBankAccount(customer_id=customer_id, account_id="nope", actor=ACTOR)
        )


async def test_an_invalid_iban_is_refused_before_anything_runs(service: FakeService) -> None:
    customer_id = await create(service)
    bad = BankAccountInput(iban="DE89370400440532013001")
    with pytest.raises(InvalidInput) as refused:
        await service.cases.details.add_bank_account(
            AddBankAccount(customer_id=customer_id, account=bad, actor=ACTOR)
        )
    assert refused.value.errors[0].field == "account.iban"
    assert len(service.unit.inbox) == 1
