"""Custom fields ("DataHub"): definitions are data, so adding a field needs no code change.

Values live in a customer's `extra` under the field's key and are validated against its
definition on every write.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import NOT_BLANK, Command, Contract, Query

FieldKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
EnumValue = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]


class FieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"
    EMAIL = "email"
    URL = "url"


class CustomFieldSpec(Contract):
    """What can change about a field after it exists (its key and type cannot)."""

    label: Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
    required: bool = False
    enum_values: tuple[EnumValue, ...] = Field((), max_length=200)
    # Personal data: erased with the customer, and shown only to roles that may see PII.
    pii: bool = False
    # The field group a role needs to read or write the field (enforced by the gateway).
    access_group: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")] = "custom_fields"


class CustomFieldDefinition(CustomFieldSpec):
    key: FieldKey
    field_type: FieldType


class CustomFieldView(CustomFieldDefinition):
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime


class CustomFieldList(Contract):
    items: tuple[CustomFieldView, ...]


class DefineCustomField(Command):
    type: Literal["customer.custom_field.define.v1"] = "customer.custom_field.define.v1"
    definition: CustomFieldDefinition


class CustomFieldChanges(Contract):
    """What to change about a field; what is left out stays as it is."""

    label: Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)] | None = None
    required: bool | None = None
    enum_values: tuple[EnumValue, ...] | None = Field(None, max_length=200)
    pii: bool | None = None
    access_group: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")] | None = None


class ChangeCustomField(Command):
    type: Literal["customer.custom_field.change.v1"] = "customer.custom_field.change.v1"
    key: FieldKey
    changes: CustomFieldChanges


class RemoveCustomField(Command):
    """Refused while any customer holds a value for the field."""

    type: Literal["customer.custom_field.remove.v1"] = "customer.custom_field.remove.v1"
    key: FieldKey


class ListCustomFields(Query):
    type: Literal["customer.custom_fields.list.v1"] = "customer.custom_fields.list.v1"


class GetCustomField(Query):
    type: Literal["customer.custom_field.get.v1"] = "customer.custom_field.get.v1"
    key: FieldKey
