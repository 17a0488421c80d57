"""The suite's own schemathesis check: a valid request may be refused (422) by a business rule,
never by request validation, which would mean the document does not say what is validated."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, unquote

import pytest

from tests.fuzz.checks import map_path_parameters
from tests.fuzz.checks import valid_request_refused_only_by_a_rule as check


def _case(*, positive: bool) -> Any:
    mode = SimpleNamespace(is_positive=positive)
    return SimpleNamespace(meta=SimpleNamespace(generation=SimpleNamespace(mode=mode)))


def _response(status: int, problem: dict[str, Any]) -> Any:
    content = json.dumps(problem).encode()
    return SimpleNamespace(status_code=status, content=content, text=content.decode())


# The check reads nothing of the run's context.
NO_CONTEXT: Any = None
RULE = {"type": "urn:problem:business-rule", "status": 422, "detail": "needs a name"}
INVALID = {"type": "urn:problem:invalid-input", "status": 422, "detail": "extra: cannot be null"}


def test_a_valid_request_refused_by_request_validation_fails() -> None:
    with pytest.raises(AssertionError, match="extra: cannot be null"):
        check(NO_CONTEXT, _response(422, INVALID), _case(positive=True))


@pytest.mark.parametrize(
    ("status", "problem", "positive"),
    [(422, RULE, True), (422, INVALID, False), (409, INVALID, True)],
    ids=["a rule", "an invalid request", "no 422"],
)
def test_anything_else_passes(status: int, problem: dict[str, Any], positive: bool) -> None:
    response = _response(status, problem)
    assert check(NO_CONTEXT, response, _case(positive=positive)) is None


def test_a_percent_in_a_path_parameter_is_sent_as_generated() -> None:
    mapped = map_path_parameters(NO_CONTEXT, {"address_id": "a%BDb", "n": 3})
    # schemathesis then quotes what it unquoted: the server decodes the id generated.
    assert unquote(quote(unquote(mapped["address_id"]), safe="")) == "a%BDb"
    assert mapped["n"] == 3
