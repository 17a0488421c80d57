"""schemathesis against the gateway: its configuration, every check on, every request made as
the tests' bootstrap admin (`X-API-Key`), so no operation is refused for want of a role; the
authentication checks still send requests without the key, or with a wrong one, and expect 401.
"""

from __future__ import annotations

import json

from tests.support.access import ADMIN_HEADERS

# The suite's own check (`tests.fuzz.checks`): a valid request refused with 422 must be refused
# by a business rule.
HOOKS = "tests.fuzz.checks"

# A request the document calls valid may still be refused with 422 naming its field for what a
# schema cannot say: a rule across fields (a customer needs a name, a company or an email), a
# record it refers to that does not exist (a role, the customer of a task), the state of the
# data (a customer merged into itself, the admin role losing an action), a check digit (IBAN),
# or a file whose lines are no import. Such a refusal is a `business-rule` problem, which
# `tests.fuzz.checks` holds every 422 to a valid request to: a refusal by request validation
# (the document and the validation disagree) fails the run.
BUSINESS_RULES = (
    "[checks.positive_data_acceptance]\n"
    'expected-statuses = ["2xx", "401", "403", "404", "409", "410", "422", "429"]'
)


def config() -> str:
    """The TOML configuration of a run against the gateway."""
    headers = ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in ADMIN_HEADERS.items())
    return "\n\n".join(
        (
            f"hooks = {json.dumps(HOOKS)}",
            f"headers = {{ {headers} }}",
            "[checks]\nenabled = true",
            BUSINESS_RULES,
            # The seed decides: neither an example database nor a cache carries anything from
            # one run into the next (nor writes into the work tree).
            '[generation]\nmode = "all"\ndatabase = "none"',
            "[cache]\nenabled = false",
        )
    )
