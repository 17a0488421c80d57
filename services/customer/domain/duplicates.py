"""Duplicate candidates: customers that look like the same person, for a person to decide.

Strong identifiers (account, email) link automatically; what is left is weak evidence. A pair
matches when the names are alike AND the two share a phone number or a similar address. Others
are first narrowed by match keys (same phone, same folded last name, same postcode with a last
name that starts alike) stored with each customer and indexed, then scored with rapidfuzz. A
match is proposed to people as a `Candidate`, which they accept (a merge) or dismiss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz

from services.customer.domain.customer import Address, Customer, DomainModel
from services.customer.domain.text import fold
from shared.contracts.duplicates import CandidateStatus
from shared.contracts.envelope import Actor

# As many stored candidates as one customer is compared with.
SIMILAR_LIMIT = 50
NAME_THRESHOLD = 85.0
ADDRESS_THRESHOLD = 85.0
# A shared email that two accounts of one channel use: as good as it gets without merging.
SHARED_EMAIL_SCORE = 95.0


@dataclass(frozen=True)
class Match:
    """Two customers that look like one person, how much (0-100) and why."""

    customer_ids: tuple[str, str]
    score: float
    reasons: tuple[str, ...]

    @property
    def id(self) -> str:
        return candidate_id(*self.customer_ids)


class Candidate(DomainModel):
    """A match proposed to people, and what they decided about it."""

    id: str
    customer_ids: tuple[str, str]
    score: float
    reasons: tuple[str, ...]
    status: CandidateStatus = CandidateStatus.OPEN
    proposed_at: datetime
    decided_at: datetime | None = None
    decided_by: Actor | None = None

    @classmethod
    def proposed(cls, match: Match, *, now: datetime) -> Candidate:
        return cls(
            id=match.id,
            customer_ids=match.customer_ids,
            score=match.score,
            reasons=match.reasons,
            proposed_at=now,
        )


def candidate_id(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return f"{first}:{second}"


def pair(a: str, b: str) -> tuple[str, str]:
    first, second = sorted((a, b))
    return first, second


def match_keys(customer: Customer) -> list[str]:
    """Keys under which likely duplicates of this customer are looked for."""
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


def compare(customer: Customer, other: Customer) -> Match | None:
    """A match if the two look like one person; None otherwise."""
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
    return Match(
        customer_ids=pair(customer.id, other.id),
        score=round((name + evidence) / 2, 1),
        reasons=tuple(reasons),
    )


def shared_email(customer_id: str, owner_id: str, email: str) -> Match:
    """An order carried an account of one customer and the email of another."""
    return Match(
        customer_ids=pair(customer_id, owner_id),
        score=SHARED_EMAIL_SCORE,
        reasons=(f"same email {email} on different accounts",),
    )


def find_matches(customer: Customer, others: Iterable[Customer]) -> list[Match]:
    found = (compare(customer, other) for other in others)
    return sorted((m for m in found if m is not None), key=lambda m: -m.score)


def worth_a_new_look(before: Customer, after: Customer) -> bool:
    """Whether a change may make the customer match others it did not match before: what
    matches are found by (match keys) or judged by (name, phones, addresses) changed."""
    return _evidence(before) != _evidence(after)


def _evidence(customer: Customer) -> tuple[object, ...]:
    return (
        match_keys(customer),
        _full_name(customer),
        _phones(customer),
        [(a.country_code, _place(a)) for a in customer.addresses],
    )


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
