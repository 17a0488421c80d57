"""Custom fields ("DataHub"): their definitions are data, their values live under `extra`.

Every write of a value, from an import or the API, is checked here against the field's
definition; the error names the field as `extra.<key>`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import AnyHttpUrl, TypeAdapter, ValidationError

from services.customer.domain.customer import DomainModel
from services.customer.domain.errors import InvalidInput
from services.customer.domain.identities import email_problem, normalise_email
from shared.contracts.custom_fields import FieldType
from shared.contracts.replies import FieldError

MAX_TEXT = 1000
_URL = TypeAdapter(AnyHttpUrl)


class FieldDefinition(DomainModel):
    key: str
    field_type: FieldType
    label: str
    required: bool = False
    enum_values: tuple[str, ...] = ()
    pii: bool = False
    access_group: str = "custom_fields"
    version: int = 1
    created_at: datetime
    updated_at: datetime


Definitions = Mapping[str, FieldDefinition]


def check_definition(definition: FieldDefinition) -> None:
    if definition.field_type is FieldType.ENUM and not definition.enum_values:
        raise InvalidInput(
            [FieldError(field="enum_values", message="an enum field needs at least one value")]
        )
    if definition.field_type is not FieldType.ENUM and definition.enum_values:
        raise InvalidInput(
            [FieldError(field="enum_values", message="only an enum field has values")]
        )
    if len(set(definition.enum_values)) != len(definition.enum_values):
        raise InvalidInput([FieldError(field="enum_values", message="values must be unique")])


def _text(definition: FieldDefinition, value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be text")
    if len(value) > MAX_TEXT:
        raise ValueError(f"must be at most {MAX_TEXT} characters")
    return value


def _number(definition: FieldDefinition, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _boolean(definition: FieldDefinition, value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _date(definition: FieldDefinition, value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None


def _choice(definition: FieldDefinition, value: Any) -> Any:
    if value not in definition.enum_values:
        raise ValueError("must be one of " + ", ".join(definition.enum_values))
    return value


def _email(definition: FieldDefinition, value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be an email address")
    problem = email_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return normalise_email(value)


def _url(definition: FieldDefinition, value: Any) -> Any:
    try:
        return str(_URL.validate_python(value))
    except ValidationError:
        raise ValueError("must be an http(s) URL") from None


# One checker per field type: each answers the value as stored or raises ValueError with the reason.
_CHECKERS: dict[FieldType, Callable[[FieldDefinition, Any], Any]] = {
    FieldType.STRING: _text,
    FieldType.NUMBER: _number,
    FieldType.BOOLEAN: _boolean,
    FieldType.DATE: _date,
    FieldType.ENUM: _choice,
    FieldType.EMAIL: _email,
    FieldType.URL: _url,
}


def check_value(definition: FieldDefinition, value: Any) -> Any:
    """The value as stored; raises ValueError with the reason if it does not fit the field."""
    return _CHECKERS[definition.field_type](definition, value)


def apply_extra(
    current: Mapping[str, Any],
    changes: Mapping[str, Any],
    definitions: Definitions,
    *,
    check_required: bool,
) -> dict[str, Any]:
    """`current` with `changes` merged in (None removes a key), every value checked."""
    errors: list[FieldError] = []
    result = dict(current)
    for key, value in changes.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(field=f"extra.{key}", message="no custom field with this key"))
            continue
        if value is None:
            result.pop(key, None)
            continue
        try:
            result[key] = check_value(definition, value)
        except ValueError as error:
            errors.append(FieldError(field=f"extra.{key}", message=str(error)))
    if check_required:
        errors += [
            FieldError(field=f"extra.{d.key}", message="required")
            for d in definitions.values()
            if d.required and result.get(d.key) is None and not _errors_for(errors, d.key)
        ]
    if errors:
        raise InvalidInput(errors)
    return result


def value_from_text(definition: FieldDefinition, raw: str) -> Any:
    """A value given as text (a query filter, a CSV cell) in the type values are stored in;
    raises ValueError with the reason if it does not fit the field."""
    kind = definition.field_type
    if kind is FieldType.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("must be a number") from None
        return check_value(definition, int(number) if number.is_integer() else number)
    if kind is FieldType.BOOLEAN:
        if raw.strip().lower() not in ("true", "false"):
            raise ValueError("must be true or false")
        return raw.strip().lower() == "true"
    return check_value(definition, raw)


def filter_value(definition: FieldDefinition, raw: str) -> Any:
    """A filter given as text (a query parameter) in the type the values are stored in."""
    try:
        return value_from_text(definition, raw)
    except ValueError as error:
        raise InvalidInput(
            [FieldError(field=f"extra.{definition.key}", message=str(error))]
        ) from None


def extra_from_text(extra: Mapping[str, Any], definitions: Definitions) -> dict[str, Any]:
    """Custom field values read from text (the cells of an imported file), each by its field's
    type. A key without a field is left for `apply_extra` to refuse."""
    errors: list[FieldError] = []
    result = dict(extra)
    for key, raw in extra.items():
        definition = definitions.get(key)
        if definition is None or not isinstance(raw, str):
            continue
        try:
            result[key] = value_from_text(definition, raw)
        except ValueError as error:
            errors.append(FieldError(field=f"extra.{key}", message=str(error)))
    if errors:
        raise InvalidInput(errors)
    return result


def _errors_for(errors: list[FieldError], key: str) -> bool:
    return any(e.field == f"extra.{key}" for e in errors)
