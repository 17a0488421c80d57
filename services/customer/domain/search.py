"""What a customer is found by: folded names, channels, and its duplicate match keys.

These are stored with the customer (under `search`) and indexed, so that a name prefix is matched
case- and accent-insensitively without collation support from the database.
"""

from __future__ import annotations

import re
from typing import Any

from services.customer.domain.channels import channel_of
from services.customer.domain.customer import Customer
from services.customer.domain.duplicates import match_keys
from services.customer.domain.text import fold


def search_fields(customer: Customer) -> dict[str, Any]:
    first, last, company = (
        fold(customer.first_name),
        fold(customer.last_name),
        fold(customer.company),
    )
    names: list[str] = []
    for value in (f"{first} {last}".strip(), f"{last} {first}".strip(), company):
        if value:
            names.append(value)
            # Every word, so that "schmidt" finds "Anna Maria Schmidt-Weber" too.
            names += re.split(r"[\s-]+", value)
    channels = [channel_of(c) for c in customer.channels]
    return {
        "names": sorted(set(n for n in names if n)),
        "sort_name": f"{last} {first}".strip() or company,
        "channels": sorted({*channels, *customer.channels}),
        "match_keys": match_keys(customer),
        # Reports count new customers per day without date functions in the database.
        "created_day": customer.created_at.date().isoformat(),
    }


def name_prefix(prefix: str) -> str | None:
    """What a name typed into a search is matched against the folded names by: its folded
    form, which they must start with; None if nothing is left to match."""
    return fold(prefix) or None


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """The strings that start with `prefix` are those from it up to (not including) the upper
    bound: the prefix with its last character one higher. Folded text is ASCII, so the last
    character always has a successor."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
