"""Whether a decision may be recorded at all; each refusal names the field it is about.

These checks come before the rules (rules.py): a decision that passes them is recorded, even if
the rules then keep the state as it was.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta

from services.consent.domain.purposes import PurposeDefinition
from services.consent.domain.rules import OPTED_IN, RESTRICTIVE
from shared.contracts.consent import ConsentSource, ConsentState, Evidence
from shared.contracts.replies import FieldError

# Clocks of shops and marketplaces drift; a decision "from the future" beyond this is an error.
CLOCK_SKEW = timedelta(minutes=5)
CHANNEL = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
# What a client of the API may state as the origin of a decision. Imports come from the
# customer service, double opt-in from the confirmation link, merge from a merge.
API_SOURCES = frozenset({ConsentSource.SUPPORTER, ConsentSource.SELF_SERVICE, ConsentSource.API})
# Sources the suite sets itself and no message may claim.
SUITE_SOURCES = frozenset({ConsentSource.DOUBLE_OPT_IN, ConsentSource.MERGE})


def check_purpose(
    key: str, purpose: PurposeDefinition | None, state: ConsentState
) -> tuple[FieldError, ...]:
    if purpose is None:
        return (FieldError(field="purpose", message=f"unknown purpose {key!r}"),)
    if not purpose.active and state not in RESTRICTIVE:
        return (
            FieldError(
                field="purpose",
                message=f"purpose {key!r} is retired: only withdrawals and objections are taken",
            ),
        )
    return ()


def check_channel(channel: str | None) -> tuple[FieldError, ...]:
    if channel is None or CHANNEL.fullmatch(channel):
        return ()
    return (FieldError(field="channel", message="must be a channel slug like 'shopify'"),)


def check_ip_address(value: str | None, *, field: str) -> tuple[FieldError, ...]:
    if value is None:
        return ()
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return (FieldError(field=field, message=f"{value!r} is not an IP address"),)
    return ()


def check_decision(
    *,
    state: ConsentState,
    channel: str | None,
    evidence: Evidence,
    purpose_key: str,
    purpose: PurposeDefinition | None,
    now: datetime,
    from_api: bool,
) -> tuple[FieldError, ...]:
    """Everything wrong with a decision, or () if it may be recorded."""
    errors = [*check_purpose(purpose_key, purpose, state), *check_channel(channel)]
    source = evidence.source
    if from_api and source not in API_SOURCES:
        allowed = ", ".join(sorted(s.value for s in API_SOURCES))
        errors.append(FieldError(field="evidence.source", message=f"must be one of: {allowed}"))
    elif source in SUITE_SOURCES:
        errors.append(
            FieldError(
                field="evidence.source", message=f"{source.value} is set by the suite itself"
            )
        )
    if state == ConsentState.DOUBLE_OPT_IN and source != ConsentSource.ORDER_IMPORT:
        errors.append(
            FieldError(
                field="state",
                message="double opt-in is reached by confirming a double opt-in mail",
            )
        )
    if state in OPTED_IN and source in API_SOURCES and not (evidence.text or evidence.text_version):
        errors.append(
            FieldError(
                field="evidence.text_version",
                message="an opt-in needs the text, or its version, the person agreed to",
            )
        )
    if evidence.decided_at > now + CLOCK_SKEW:
        errors.append(FieldError(field="evidence.decided_at", message="lies in the future"))
    errors += check_ip_address(evidence.ip_address, field="evidence.ip_address")
    return tuple(errors)
