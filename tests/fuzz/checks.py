"""The suite's own schemathesis check, and a hook, registered by importing this module (the
runs' `hooks`).

`positive_data_acceptance` expects 422 among the answers to a request the document calls valid:
a rule no schema states may still refuse it (a rule across fields, a record it names that does
not exist, a check digit). Such a refusal is a `business-rule` problem; a 422 that is request
validation (`invalid-input`) to a request generated as valid means the document and the
validation disagree, and fails the run.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

from shared.contracts.replies import REQUEST_INVALID


@schemathesis.hook
def map_path_parameters(ctx: schemathesis.HookContext, path_parameters: Any) -> Any:
    """A path parameter as generated: schemathesis unquotes a value before it quotes it (so that
    it may be given escaped), and an id with "%BD" in it would reach the server as the byte 0xBD.
    A "%" escaped here comes out as the "%" generated."""
    if not isinstance(path_parameters, dict):
        return path_parameters
    return {
        k: v.replace("%", "%25") if isinstance(v, str) else v for k, v in path_parameters.items()
    }


@schemathesis.check
def valid_request_refused_only_by_a_rule(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    if response.status_code != 422 or case.meta is None:
        return None
    if not case.meta.generation.mode.is_positive:
        return None
    try:
        problem = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"422 without a problem+json body: {response.text[:300]}") from None
    if not isinstance(problem, dict) or problem.get("type") == REQUEST_INVALID:
        detail = problem.get("detail") if isinstance(problem, dict) else problem
        raise AssertionError(
            "A request valid by the document was refused as invalid, "
            f"so the document does not say what is validated: {detail}"
        )
    return None
