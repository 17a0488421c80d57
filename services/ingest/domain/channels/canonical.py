"""Building the canonical order from what an adapter read, with errors in the channel's words.

An adapter reads the channel's fields and records, for every canonical field it fills, which
channel field the value came from. When the canonical order then refuses a value (too long, not
a currency code), the error names that channel field, so a seller can find it in their shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.ingest.domain.channels.reading import Document, Unmappable, country_code, split_name
from shared.contracts.orders import CanonicalOrder
from shared.contracts.replies import FieldError

# canonical field path -> the channel field it was read from
Origins = dict[str, str]


@dataclass(frozen=True)
class AddressKeys:
    """Where a channel keeps each part of a postal address (dotted keys within the address)."""

    line1: str
    city: str
    country: str
    line2: str | None = None
    # A list of street lines instead of line1/line2 (Adobe Commerce).
    street: str | None = None
    postal_code: str | None = None
    region: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    # One field for the whole name instead of first/last (Amazon, eBay).
    full_name: str | None = None
    company: str | None = None
    phone: str | None = None


_PARTS = ("first_name", "last_name", "company", "line2", "postal_code", "region", "phone")


def postal_address(  # noqa: C901, PLR0912 - channels spell addresses many ways; one reader keeps them in one place
    doc: Document | None, keys: AddressKeys, *, into: str, origins: Origins
) -> dict[str, Any] | None:
    """The address as the canonical order wants it; None when the channel sent none.

    Channels send empty address blocks for orders that ship nothing (WooCommerce, Adobe Commerce
    virtual products): without a street and a city there is no postal address to keep. A street
    without a city or a country, though, is a broken address and is refused.
    """
    if doc is None:
        return None
    if keys.street is not None:
        lines = doc.texts(keys.street)
        line1, line2 = (lines[0] if lines else None), (", ".join(lines[1:]) or None)
        line_key = keys.street
    else:
        line1, line2, line_key = doc.text(keys.line1), None, keys.line1
    city = doc.text(keys.city)
    if line1 is None and city is None:
        return None
    if line1 is None:
        raise Unmappable.at(doc.field(line_key), "is required in an address with a city")
    if city is None:
        raise Unmappable.at(doc.field(keys.city), "is required in an address with a street")
    country = country_code(doc.text(keys.country), doc.field(keys.country))
    if country is None:
        raise Unmappable.at(doc.field(keys.country), "is required in an address")
    address: dict[str, Any] = {"line1": line1, "city": city, "country_code": country}
    origins[f"{into}.line1"] = doc.field(line_key)
    origins[f"{into}.city"] = doc.field(keys.city)
    origins[f"{into}.country_code"] = doc.field(keys.country)
    if line2 is not None:
        address["line2"] = line2
        origins[f"{into}.line2"] = doc.field(line_key)
    for part in _PARTS:
        key = getattr(keys, part)
        if key is not None and (value := doc.text(key)) is not None:
            address[part] = value
            origins[f"{into}.{part}"] = doc.field(key)
    if keys.full_name is not None and "last_name" not in address:
        first, last = split_name(doc.text(keys.full_name))
        for part, value in (("first_name", first), ("last_name", last)):
            if value is not None:
                address[part] = value
                origins[f"{into}.{part}"] = doc.field(keys.full_name)
    return address


def canonical_order(values: dict[str, Any], origins: Origins) -> CanonicalOrder:
    try:
        return CanonicalOrder.model_validate(values)
    except ValidationError as error:
        raise Unmappable(
            [
                FieldError(field=_channel_field(e["loc"], origins), message=e["msg"])
                for e in error.errors()
            ]
        ) from None


def _channel_field(location: tuple[Any, ...], origins: Origins) -> str:
    """The channel field behind a canonical path, or the nearest enclosing one that is known."""
    parts = [str(p) for p in location]
    for end in range(len(parts), 0, -1):
        if (found := origins.get(".".join(parts[:end]))) is not None:
            return found
    return ".".join(parts)
