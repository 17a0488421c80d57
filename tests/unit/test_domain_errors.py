"""Domain errors carry no HTTP status; one mapping turns each into its problem."""

from __future__ import annotations

import pytest

from shared import errors
from shared.contracts.replies import FieldError, problem_of


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.field_error("buyer.email", "not an email"), 422),
        (errors.NotFound("Customer", "no customer with id 1"), 404),
        (errors.Conflict("the customer was erased", field="customer_id"), 409),
        (errors.StaleVersion("the customer is at version 3, not 2"), 409),
        (errors.Expired("this link expired"), 410),
    ],
)
def test_each_refusal_has_its_problem(error: errors.DomainError, status: int) -> None:
    problem = problem_of(error)
    assert problem is not None
    assert problem.status == status
    assert problem.detail == error.detail
    assert not hasattr(error, "status")


def test_a_field_error_names_its_field() -> None:
    problem = problem_of(errors.field_error("buyer.email", "not an email"))
    assert problem is not None
    assert problem.errors == (FieldError(field="buyer.email", message="not an email"),)


def test_a_bug_is_no_refusal() -> None:
    assert problem_of(KeyError("x")) is None


def test_a_business_rule_is_told_apart_from_a_request_its_document_refuses() -> None:
    rule = problem_of(errors.field_error("last_name", "a customer needs a name"))
    broken = problem_of(errors.InvalidRequest([FieldError(field="extra", message="not null")]))
    assert rule is not None
    assert broken is not None
    assert (rule.status, rule.type) == (422, "urn:problem:business-rule")
    # As FastAPI's own validation of a request is reported (`shared.problems`).
    assert (broken.status, broken.type) == (422, "urn:problem:invalid-input")
