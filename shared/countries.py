"""Countries by their ISO 3166-1 alpha-2 code: the one reading of a country the whole suite uses.

Channels send codes (`DE`, `DEU`) or English names (`Germany`). Kosovo has no ISO code yet, but
every marketplace and the EU use the user-assigned `XK`/`XKX` for it, so it is a country here.
"""

from __future__ import annotations

from typing import Any

import pycountry

# User-assigned codes in common use, by alpha-3: accepted as countries although ISO lists none.
USER_ASSIGNED = {"XKX": "XK"}


def country_code(raw: str | None) -> str | None:
    """The alpha-2 code of an alpha-2 or alpha-3 code or an English country name; None if
    the value names no country."""
    value = (raw or "").strip()
    if not value:
        return None
    upper = value.upper()
    if upper in USER_ASSIGNED.values():
        return upper
    if upper in USER_ASSIGNED:
        return USER_ASSIGNED[upper]
    found: Any = None
    if len(value) == 2 and value.isalpha():
        found = pycountry.countries.get(alpha_2=upper)
    elif len(value) == 3 and value.isalpha():
        found = pycountry.countries.get(alpha_3=upper)
    if found is None and len(value) > 2:
        try:
            found = pycountry.countries.lookup(value)
        except LookupError:
            return None
    return None if found is None else str(found.alpha_2)
