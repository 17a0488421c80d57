"""Duplicate candidates: records that look like the same person, for a person to decide.

Strong identifiers (account, email) link automatically; what is left is weak evidence. A pair is
proposed when the names are alike AND the records share a phone number or a similar address.
Records are first narrowed by match keys (same phone, same folded last name, same postcode with
a last name that starts alike) stored on each record and indexed, then scored with rapidfuzz.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from services.customer.domain.customer import Address, Customer
from services.customer.domain.text import fold

NAME_THRESHOLD = 85.0
ADDRESS_THRESHOLD = 85.0
# A shared email that two accounts of one channel use: as good as it gets without merging.
SHARED_EMAIL_SCORE = 95.0


@dataclass(frozen=True)
class Candidate:
    customer_ids: tuple[str, str]
    score: float
    reasons: tuple[str, ...]

    @property
    def id(self) -> str:
        return candidate_id(*self.customer_ids)


def candidate_id(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return f"{first}:{second}"


def pair(a: str, b: str) -> tuple[str, str]:
    first, second = sorted((a, b))
    return first, second


def match_keys(customer: Customer) -> list[str]:
    """Keys under which likely duplicates of this record are looked for."""
    if customer.is_closed:
        return []
    keys = [f"phone:{p}" for p in customer.phones]
    keys += [f"phone:{a.phone}" for a in customer.addresses if a.phone]
    last = fold(customer.last_name)
    if last:
        keys.append(f"last_name:{last}")
        # Same postcode and a name that starts alike: catches typos in the last name too.
        keys += [
            f"place:{a.country_code}:{a.postal_code.replace(' ', '')}:{last[:3]}"
            for a in customer.addresses
            if a.postal_code
        ]
    return list(dict.fromkeys(keys))


def compare(customer: Customer, other: Customer) -> Candidate | None:
    """A candidate pair if the two look like one person; None otherwise."""
    if customer.id == other.id or customer.is_closed or other.is_closed:
        return None
    name = _name_score(customer, other)
    if name < NAME_THRESHOLD:
        return None
    reasons = [f"similar name ({name:.0f})"]
    evidence = 0.0
    shared_phones = sorted(set(_phones(customer)) & set(_phones(other)))
    if shared_phones:
        reasons.append(f"same phone {shared_phones[0]}")
        evidence = 100.0
    address = _address_score(customer.addresses, other.addresses)
    if address >= ADDRESS_THRESHOLD:
        reasons.append(f"similar address ({address:.0f})")
        evidence = max(evidence, address)
    if evidence == 0.0:
        return None
    return Candidate(
        customer_ids=pair(customer.id, other.id),
        score=round((name + evidence) / 2, 1),
        reasons=tuple(reasons),
    )


def shared_email(customer_id: str, owner_id: str, email: str) -> Candidate:
    """An order carried an account of one customer and the email of another."""
    return Candidate(
        customer_ids=pair(customer_id, owner_id),
        score=SHARED_EMAIL_SCORE,
        reasons=(f"same email {email} on different accounts",),
    )


def find_candidates(customer: Customer, others: Iterable[Customer]) -> list[Candidate]:
    found = (compare(customer, other) for other in others)
    return sorted((c for c in found if c is not None), key=lambda c: -c.score)


def _full_name(customer: Customer) -> str:
    return fold(" ".join(p for p in (customer.first_name, customer.last_name) if p))


def _name_score(a: Customer, b: Customer) -> float:
    name_a, name_b = _full_name(a), _full_name(b)
    if not name_a or not name_b:
        return 0.0
    return float(fuzz.token_sort_ratio(name_a, name_b))


def _phones(customer: Customer) -> list[str]:
    return [*customer.phones, *(a.phone for a in customer.addresses if a.phone)]


def _place(address: Address) -> str:
    return fold(f"{address.line1} {address.line2 or ''} {address.postal_code or ''} {address.city}")


def _address_score(ours: Iterable[Address], theirs: Iterable[Address]) -> float:
    theirs = list(theirs)
    return max(
        (
            float(fuzz.token_sort_ratio(_place(a), _place(b)))
            for a in ours
            for b in theirs
            if a.country_code == b.country_code
        ),
        default=0.0,
    )
