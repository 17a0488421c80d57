"""Which failures are worth trying again later."""

from __future__ import annotations

import aiormq.exceptions
import pytest
from pydantic import ValidationError
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    OperationFailure,
    ServerSelectionTimeoutError,
)

from shared.dispatch import InvalidMessage
from shared.redelivery import TransientFailure, is_transient


@pytest.mark.parametrize(
    "error",
    [
        TransientFailure("x"),
        AutoReconnect("primary stepped down"),
        ServerSelectionTimeoutError("no server"),
        TimeoutError(),
        ConnectionResetError(),
        aiormq.exceptions.AMQPConnectionError("closed"),
        OperationFailure(
            "write conflict", code=112, details={"errorLabels": ["TransientTransactionError"]}
        ),
    ],
)
def test_passing_failures(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        InvalidMessage("bad"),
        KeyError("x"),
        ValueError("x"),
        DuplicateKeyError("E11000"),
        OperationFailure("unauthorized", code=13),
    ],
)
def test_failures_that_do_not_pass(error: BaseException) -> None:
    assert not is_transient(error)


def test_a_validation_error_is_not_transient() -> None:
    from shared.contracts.envelope import Actor

    with pytest.raises(ValidationError) as raised:
        Actor.model_validate({})
    assert not is_transient(raised.value)
