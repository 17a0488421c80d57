from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from services.customer.adapters.vault import BankVault
from services.customer.domain.bank import check_account, mask_iban
from services.customer.domain.errors import InvalidInput


def test_a_valid_iban_is_compacted_and_its_bic_derived() -> None:
    checked = check_account("de89 3704 0044 0532 0130 00", None, path="account")
    assert checked.iban == "DE89370400440532013000"
    assert checked.bic == "COBADEFFXXX"
    assert checked.country_code == "DE"


def test_wrong_iban_and_bic_are_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_account("DE89 3704 0044 0532 0130 01", "NOTAXX12", path="account")
    assert {e.field for e in refused.value.errors} == {"account.iban", "account.bic"}


def test_a_bic_of_another_country_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_account("DE89370400440532013000", "BNPAFRPP", path="account")
    assert refused.value.errors[0].field == "account.bic"


def test_masking_shows_country_check_digits_and_last_four() -> None:
    assert mask_iban("DE89370400440532013000") == "DE89 **** **** **** **30 00"


def test_the_vault_encrypts_binds_to_the_account_and_fingerprints() -> None:
    vault = BankVault("dev-only-a-key-for-tests")
    sealed = vault.encrypt("DE89370400440532013000", account_id="b1")
    assert "DE89" not in sealed
    assert sealed != vault.encrypt("DE89370400440532013000", account_id="b1")
    assert vault.decrypt(sealed, account_id="b1") == "DE89370400440532013000"
    with pytest.raises(InvalidTag):
        vault.decrypt(sealed, account_id="b2")
    with pytest.raises(InvalidTag):
        BankVault("dev-only-another-key").decrypt(sealed, account_id="b1")
    assert vault.fingerprint("DE89370400440532013000") == vault.fingerprint(
        "DE89370400440532013000"
    )
    assert vault.fingerprint("DE89370400440532013000") != BankVault(
        "other-key-1234567"
    ).fingerprint("DE89370400440532013000")
