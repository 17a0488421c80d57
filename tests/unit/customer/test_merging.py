"""Point 7 in the domain: nothing any input held is lost, and what makes no sense is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.customer.domain.customer import BankAccount, EmailAddress, OrderStats
from services.customer.domain.errors import Conflict, InvalidInput
from services.customer.domain.merging import check_request, merge
from shared.contracts.customers import CustomerStatus
from tests.unit.customer.records import T0, address, at, customer


def account(fingerprint: str) -> BankAccount:
    return BankAccount(
        id=f"b-{fingerprint}",
        iban_masked="DE89 ****",
        fingerprint=fingerprint,
        ciphertext="v1:x",
        country_code="DE",
        added_at=T0,
    )


def test_the_master_wins_blanks_are_filled_and_lists_are_united() -> None:
    master = customer(
        "m",
        first_name="Anna",
        emails=(EmailAddress(address="a@x.example", primary=True),),
        tags=("vip",),
        extra={"tier": "gold"},
        addresses=(address("a1"),),
        default_billing_id="a1",
        bank_accounts=(account("f1"),),
        stats=OrderStats(order_count=1, revenue={"EUR": Decimal(10)}, first_order_at=at(5)),
    )
    source = customer(
        "s",
        first_name="Anne",
        last_name="Schmidt",
        company="ACME",
        emails=(EmailAddress(address="s@x.example", primary=True),),
        phones=("+4930901820",),
        tags=("b2b", "vip"),
        extra={"tier": "silver", "club": "A"},
        addresses=(address("b1", city="BERLIN"), address("b2", line1="Marktplatz 1")),
        default_shipping_id="b2",
        bank_accounts=(account("f1"), account("f2")),
        channels=("amazon:de",),
        password_reset_required=True,
        stats=OrderStats(
            order_count=2, revenue={"EUR": Decimal(5), "CHF": Decimal(7)}, first_order_at=at(1)
        ),
        created_at=at(-100),
    )
    merged = merge(master, [source], now=at(200))
    record = merged.master
    assert (record.first_name, record.last_name, record.company) == ("Anna", "Schmidt", "ACME")
    assert [(e.address, e.primary) for e in record.emails] == [
        ("a@x.example", True),
        ("s@x.example", False),
    ]
    assert record.phones == ("+4930901820",)
    assert record.tags == ("vip", "b2b")
    assert record.extra == {"tier": "gold", "club": "A"}
    assert [a.id for a in record.addresses] == ["a1", "b2"]
    assert (record.default_billing_id, record.default_shipping_id) == ("a1", "b2")
    assert [a.fingerprint for a in record.bank_accounts] == ["f1", "f2"]
    assert record.channels == ("amazon:de",)
    assert record.password_reset_required
    assert record.stats.order_count == 3
    assert record.stats.revenue == {"EUR": Decimal(15), "CHF": Decimal(7)}
    assert record.stats.first_order_at == at(1)
    assert record.created_at == at(-100)
    assert record.version == master.version + 1
    [tombstone] = merged.tombstones
    assert (tombstone.status, tombstone.merged_into, tombstone.emails) == (
        CustomerStatus.MERGED,
        "m",
        (),
    )


def test_merging_into_itself_or_twice_is_refused_before_reading() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_request("a", ["b", "a", "b"])
    assert [e.field for e in refused.value.errors] == ["source_ids.1", "source_ids.2"]


@pytest.mark.parametrize(
    ("master_status", "source_status", "merged_into", "words"),
    [
        (CustomerStatus.MERGED, CustomerStatus.ACTIVE, "s", "cycle"),
        (CustomerStatus.MERGED, CustomerStatus.ACTIVE, "x", "merge into that one"),
        (CustomerStatus.ERASED, CustomerStatus.ACTIVE, None, "erased"),
        (CustomerStatus.ACTIVE, CustomerStatus.MERGED, "m", "already"),
        (CustomerStatus.ACTIVE, CustomerStatus.ERASED, None, "erased"),
    ],
)
def test_closed_records_and_cycles_are_refused(
    master_status: CustomerStatus,
    source_status: CustomerStatus,
    merged_into: str | None,
    words: str,
) -> None:
    master = customer(
        "m",
        status=master_status,
        merged_into=merged_into if master_status is CustomerStatus.MERGED else None,
    )
    source = customer(
        "s",
        status=source_status,
        merged_into=merged_into if source_status is CustomerStatus.MERGED else None,
    )
    with pytest.raises(Conflict) as refused:
        merge(master, [source], now=at(1))
    assert words in str(refused.value)
