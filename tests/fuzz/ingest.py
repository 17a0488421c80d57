"""schemathesis against ingest: its configuration, made from the tests' own integration keys.

Every check is on. Each operation carries the credentials of the integration it is for, as
configuration, so schemathesis also proves that a request without them, or with wrong ones,
is refused. The hooks (`ingest_hooks`) make valid canonical orders the integration's own and
sign valid webhooks, so generated orders reach the channel adapters.
"""

from __future__ import annotations

import json

from services.ingest.settings import DEV_IMPORT_TOKEN
from tests.integration.ingest.channels import AMAZON_KEY
from tests.support.orders import INTEGRATION_KEY

HOOKS = "tests.fuzz.ingest_hooks"


# Webhooks and pulled channel orders take the channel's own JSON, which the document can only
# call an object, and an import takes a file, which it can only call a string: generated data
# that is no order of that channel (no file of that kind) is refused naming its field (422),
# the right answer to data the document cannot tell apart from an order.
FREE_FORM = (
    "checks.positive_data_acceptance.expected-statuses = "
    '["2xx", "401", "403", "404", "409", "422", "429"]'
)


def _operation(path: str, *settings: str, token: str | None = None, **parameters: str) -> str:
    lines = ["[[operations]]", f"include-path = {json.dumps(path)}", *settings]
    if token is not None:
        lines.append(f"headers = {{ Authorization = {json.dumps(f'Bearer {token}')} }}")
    if parameters:
        bound = ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in parameters.items())
        lines.append(f"parameters = {{ {bound} }}")
    return "\n".join(lines)


def config() -> str:
    """The TOML configuration of a run against ingest."""
    return "\n\n".join(
        (
            f"hooks = {json.dumps(HOOKS)}",
            "[checks]\nenabled = true",
            # The seed decides: neither an example database nor a cache carries anything from
            # one run into the next (nor writes into the work tree).
            '[generation]\nmode = "all"\ndatabase = "none"',
            "[cache]\nenabled = false",
            _operation("/v1/orders", token=INTEGRATION_KEY),
            # The key of one pulled channel's integration (Amazon's: a key is for one channel).
            _operation(
                "/v1/channels/{channel}/orders", FREE_FORM, token=AMAZON_KEY, channel="amazon"
            ),
            _operation("/v1/imports", FREE_FORM, token=DEV_IMPORT_TOKEN),
            _operation("/v1/imports/{import_id}", token=DEV_IMPORT_TOKEN),
            _operation("/webhooks/shopify", FREE_FORM),
            _operation("/webhooks/woocommerce", FREE_FORM),
        )
    )
