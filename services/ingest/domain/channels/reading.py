"""Reading a channel's JSON document by path; every error names the channel's own field.

Channels differ in how loosely they type their JSON (Shopify sends ids as numbers, Adobe Commerce
sends amounts as floats and flags as 0/1, WooCommerce sends empty strings for absent values), so
the readers accept each field's documented variants and refuse everything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from shared import countries
from shared.contracts.replies import FieldError

# Kosovo has no ISO 3166 code yet; Shopify, Amazon and eBay all use the user-assigned XK.
_TRUE = frozenset({"1", "yes", "true", "on", "y"})
_FALSE = frozenset({"0", "no", "false", "off", "n", ""})


class Unmappable(Exception):
    """The payload cannot become a canonical order; `errors` name the fields and say why."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = tuple(errors)

    @classmethod
    def at(cls, field: str, message: str) -> Unmappable:
        return cls([FieldError(field=field, message=message)])


class Document:
    """A JSON object of a channel's payload and where it sits in that payload."""

    def __init__(self, data: Mapping[str, Any], path: str = "") -> None:
        self._data = data
        self.path = path

    @classmethod
    def root(cls, payload: Any, name: str = "body") -> Document:
        if not isinstance(payload, Mapping):
            raise Unmappable.at(name, "must be a JSON object")
        return cls(payload)

    def field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str) -> Any:
        """The value at a dotted key; None when it or anything on the way is missing or null."""
        value: Any = self._data
        for part in key.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw(key)
        if isinstance(value, bool):
            raise Unmappable.at(self.field(key), "must be text, not true/false")
        if isinstance(value, int | float):
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise Unmappable.at(self.field(key), "must be text")
        value = value.strip() if value else None
        if not value:
            if required:
                raise Unmappable.at(self.field(key), "is required")
            return None
        return value

    def child(self, key: str, *, required: bool = False) -> Document | None:
        value = self.raw(key)
        if value is None:
            if required:
                raise Unmappable.at(self.field(key), "is required")
            return None
        # PHP serialises an empty associative array as [] (WooCommerce, Adobe Commerce).
        if value == []:
            return None
        if not isinstance(value, Mapping):
            raise Unmappable.at(self.field(key), "must be an object")
        return Document(value, self.field(key))

    def children(self, key: str) -> list[Document]:
        """The objects of a list (an absent or null list is empty)."""
        return list(self._children(key))

    def _children(self, key: str) -> Iterator[Document]:
        value = self.raw(key)
        if value is None:
            return
        if not isinstance(value, list):
            raise Unmappable.at(self.field(key), "must be a list")
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise Unmappable.at(f"{self.field(key)}[{index}]", "must be an object")
            yield Document(item, f"{self.field(key)}[{index}]")

    def texts(self, key: str) -> list[str]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Unmappable.at(self.field(key), "must be a list of text")
        return [v.strip() for v in value if v.strip()]

    def decimal(self, key: str, *, required: bool = False) -> Decimal | None:
        value = self.raw(key)
        if isinstance(value, bool):
            raise Unmappable.at(self.field(key), "must be a number")
        text = str(value).strip() if value is not None else ""
        if not text:
            if required:
                raise Unmappable.at(self.field(key), "is required")
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Unmappable.at(self.field(key), f"{text!r} is not a number") from None
        if not number.is_finite():
            raise Unmappable.at(self.field(key), f"{text!r} is not a number")
        return number

    def integer(self, key: str) -> int | None:
        number = self.decimal(key)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise Unmappable.at(self.field(key), "must be a whole number")
        return int(number)

    def flag(self, key: str) -> bool | None:
        value = self.raw(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int | str) and str(value).strip().lower() in _TRUE | _FALSE:
            return str(value).strip().lower() in _TRUE
        raise Unmappable.at(self.field(key), f"{value!r} is not true or false")

    def moment(
        self, key: str, *, required: bool = False, naive_in: tzinfo | None = None
    ) -> datetime | None:
        """A point in time; `naive_in` is the zone a channel documents for values without one."""
        text = self.text(key, required=required)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise Unmappable.at(self.field(key), f"{text!r} is not an ISO 8601 time") from None
        if moment.tzinfo is None:
            if naive_in is None:
                raise Unmappable.at(self.field(key), f"{text!r} has no time zone")
            moment = moment.replace(tzinfo=naive_in)
        return moment


def country_code(value: str | None, field: str) -> str | None:
    """ISO 3166-1 alpha-2 of what the channel sent in `field`; None when it sent nothing.

    A two-letter code no standard knows (`XX`, a channel's placeholder) is passed on as given:
    the customer service keeps it flagged as unverified rather than lose the address.
    """
    if value is None:
        return None
    code = countries.country_code(value)
    if code is None and len(value.strip()) == 2 and value.strip().isalpha():
        return value.strip().upper()
    if code is None:
        raise Unmappable.at(field, f"{value!r} is not a known country")
    return code


def split_name(full_name: str | None) -> tuple[str | None, str | None]:
    """First and last name from one "full name" field (Amazon, eBay send no split).

    The last word is the family name: right for most names the suite meets, and the full text
    survives either way (nothing is dropped, only where the space falls is a guess).
    """
    if not full_name:
        return None, None
    *first, last = full_name.split()
    return (" ".join(first) or None), last


def language_tag(value: str | None) -> str | None:
    """A BCP 47 tag ("de", "en-GB"), or None for what is not one: a buyer's locale is no
    reason to refuse their order."""
    if not value:
        return None
    primary, _, rest = value.strip().replace("_", "-").partition("-")
    tag = primary.lower() + (f"-{rest}" if rest else "")
    parts = tag.split("-")
    valid = 2 <= len(parts[0]) <= 3 and parts[0].isalpha()
    valid = valid and all(2 <= len(p) <= 8 and p.isalnum() for p in parts[1:])
    return tag if valid else None
