"""Bank accounts: IBAN and BIC checked with schwifty; stored encrypted, shown masked.

Encryption itself is the adapter's job (`services.customer.vault`); the domain only decides
what is valid and how the number is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from services.customer.domain.errors import InvalidInput
from shared.contracts.replies import FieldError


@dataclass(frozen=True)
class CheckedAccount:
    iban: str  # compact, upper case
    bic: str | None
    bank_name: str | None
    country_code: str


def check_account(iban: str, bic: str | None, *, path: str) -> CheckedAccount:
    errors: list[FieldError] = []
    checked_iban: IBAN | None = None
    checked_bic: BIC | None = None
    try:
        checked_iban = IBAN(iban)
    except SchwiftyException as error:
        errors.append(FieldError(field=f"{path}.iban", message=str(error)))
    if bic:
        try:
            checked_bic = BIC(bic)
        except SchwiftyException as error:
            errors.append(FieldError(field=f"{path}.bic", message=str(error)))
    if checked_iban is not None and checked_bic is not None:
        country = checked_iban.country_code
        if checked_bic.country_code != country and country not in _SEPA_SHARED.get(
            checked_bic.country_code, ()
        ):
            errors.append(
                FieldError(
                    field=f"{path}.bic",
                    message=f"BIC of {checked_bic.country_code} for an IBAN of {country}",
                )
            )
    if errors:
        raise InvalidInput(errors)
    assert checked_iban is not None
    derived = checked_bic or _bic_of(checked_iban)
    return CheckedAccount(
        iban=checked_iban.compact,
        bic=derived.compact if derived else None,
        bank_name=_bank_name(checked_iban),
        country_code=checked_iban.country_code,
    )


def mask_iban(iban: str) -> str:
    """Country, check digits and the last four characters: enough to recognise an account."""
    hidden = iban[:4] + "*" * (len(iban) - 8) + iban[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))


# Territories whose banks use the BIC country of another (e.g. French overseas departments).
_SEPA_SHARED: dict[str, tuple[str, ...]] = {
    "FR": ("GF", "GP", "MQ", "RE", "PM", "BL", "MF", "YT", "MC"),
    "GB": ("GG", "JE", "IM"),
}


def _bic_of(iban: IBAN) -> BIC | None:
    try:
        return iban.bic
    except SchwiftyException:
        return None


def _bank_name(iban: IBAN) -> str | None:
    try:
        name = iban.bank_name
    except SchwiftyException:
        return None
    return str(name) if name else None
