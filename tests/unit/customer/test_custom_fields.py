"""Point 5 in the domain: every value is checked against its field's definition."""

from __future__ import annotations

from typing import Any

import pytest

from services.customer.domain.custom_fields import (
    FieldDefinition,
    apply_extra,
    extra_from_text,
    filter_value,
)
from services.customer.domain.errors import InvalidInput
from shared.contracts.custom_fields import FieldType
from tests.unit.customer.records import T0


def field(key: str, field_type: FieldType, **spec: Any) -> FieldDefinition:
    return FieldDefinition(
        key=key, field_type=field_type, label=key, created_at=T0, updated_at=T0, **spec
    )


FIELDS = {
    f.key: f
    for f in (
        field("nickname", FieldType.STRING),
        field("shoe_size", FieldType.NUMBER),
        field("vegan", FieldType.BOOLEAN),
        field("member_since", FieldType.DATE),
        field("tier", FieldType.ENUM, enum_values=("bronze", "gold"), required=True),
        field("work_email", FieldType.EMAIL),
        field("homepage", FieldType.URL),
    )
}


def test_valid_values_are_stored_normalised() -> None:
    extra = apply_extra(
        {},
        {
            "nickname": "JM",
            "shoe_size": 42.5,
            "vegan": False,
            "member_since": "2024-02-29",
            "tier": "gold",
            "work_email": "JM@Example.com",
            "homepage": "https://example.com/jm",
        },
        FIELDS,
        check_required=True,
    )
    assert extra["work_email"] == "jm@example.com"
    assert extra["homepage"] == "https://example.com/jm"
    assert extra["vegan"] is False


def test_every_wrong_value_is_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        apply_extra(
            {"tier": "gold"},
            {
                "nickname": 5,
                "shoe_size": True,
                "vegan": "yes",
                "member_since": "2024-02-30",
                "tier": "platinum",
                "work_email": "nope",
                "homepage": "ftp://x",
                "unknown": 1,
            },
            FIELDS,
            check_required=False,
        )
    assert {e.field for e in refused.value.errors} == {
        "extra.nickname",
        "extra.shoe_size",
        "extra.vegan",
        "extra.member_since",
        "extra.tier",
        "extra.work_email",
        "extra.homepage",
        "extra.unknown",
    }


def test_null_removes_a_value_and_required_fields_are_enforced_on_create() -> None:
    assert apply_extra(
        {"nickname": "JM", "tier": "gold"}, {"nickname": None}, FIELDS, check_required=False
    ) == {"tier": "gold"}
    with pytest.raises(InvalidInput) as refused:
        apply_extra({}, {"nickname": "JM"}, FIELDS, check_required=True)
    assert [e.field for e in refused.value.errors] == ["extra.tier"]


def test_filters_given_as_text_take_the_field_type() -> None:
    assert filter_value(FIELDS["shoe_size"], "42") == 42
    assert filter_value(FIELDS["vegan"], "TRUE") is True
    assert filter_value(FIELDS["member_since"], "2024-02-29") == "2024-02-29"
    with pytest.raises(InvalidInput):
        filter_value(FIELDS["shoe_size"], "big")


def test_values_of_an_imported_file_are_read_by_the_field_type() -> None:
    cells = {"shoe_size": "42.5", "vegan": "true", "tier": "gold", "unknown": "x", "nickname": "7"}
    assert extra_from_text(cells, FIELDS) == {
        "shoe_size": 42.5,
        "vegan": True,
        "tier": "gold",
        # No such field: left for apply_extra to refuse, naming it.
        "unknown": "x",
        # A text field keeps its text, digits and all.
        "nickname": "7",
    }
    with pytest.raises(InvalidInput) as refused:
        extra_from_text({"shoe_size": "big", "vegan": "ja", "tier": "platinum"}, FIELDS)
    assert {e.field: e.message for e in refused.value.errors} == {
        "extra.shoe_size": "must be a number",
        "extra.vegan": "must be true or false",
        "extra.tier": "must be one of bronze, gold",
    }
