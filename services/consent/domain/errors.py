"""Why the consent service refuses something, in the suite's shared vocabulary (shared.errors).

No HTTP status in sight: `shared.contracts.replies.problem_of` decides the status of each kind
(not found, conflict, expired, invalid input); each refusal names its kind, which callers tell
refusals apart by (a used link is `consent-token-used`, not just any conflict).
"""

from __future__ import annotations

from services.consent.domain.rules import RULE_EXPLAINED, Rule
from shared.contracts.replies import FieldError
from shared.errors import Conflict, Expired, NotFound


class UnknownCustomer(NotFound):
    """The consent service does not know this customer (yet: its directory follows events)."""

    def __init__(
        self, customer_id: str, reason: str = "is not known to the consent service"
    ) -> None:
        super().__init__("Customer", f"customer {customer_id} {reason}")
        self.customer_id = customer_id
        self.errors = (FieldError(field="customer_id", message=self.detail),)


class ErasedCustomer(Expired):
    """The customer was erased: nothing new is recorded about them."""

    kind, title = "customer-erased", "Customer erased"

    def __init__(self, customer_id: str) -> None:
        detail = f"customer {customer_id} was erased"
        super().__init__(detail, errors=(FieldError(field="customer_id", message=detail),))
        self.customer_id = customer_id


class Overruled(Conflict):
    """A caller waiting for the answer is refused a decision the rules would keep out."""

    def __init__(self, rule: Rule) -> None:
        explained = RULE_EXPLAINED[rule]
        super().__init__(
            f"{explained}; nothing was recorded",
            errors=(FieldError(field="state", message=explained),),
        )
        self.rule = rule
        self.kind = "consent-" + rule.value.replace("_", "-")

    title = "Consent decision refused"


class PurposeExists(Conflict):
    kind, title = "purpose-exists", "Purpose exists"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"purpose {key!r} exists; change it instead",
            errors=(FieldError(field="key", message="a purpose with this key exists"),),
        )
        self.key = key


def _on_token(message: str) -> tuple[FieldError]:
    return (FieldError(field="token", message=message),)


class UnknownToken(NotFound):
    """No double opt-in request has this token (never issued, tampered, or long purged)."""

    kind, title = "consent-token-unknown", "Confirmation link unknown"

    def __init__(self) -> None:
        super().__init__("Confirmation link", "this link is not valid")
        self.errors = _on_token(self.detail)


class UsedToken(Conflict):
    """The token confirmed its consent already: a link works once."""

    kind, title = "consent-token-used", "Confirmation link used"

    def __init__(self) -> None:
        message = "this link was used already"
        super().__init__(message, errors=_on_token(message))


class ExpiredToken(Expired):
    kind, title = "consent-token-expired", "Confirmation link expired"

    def __init__(self) -> None:
        message = "this link has expired; request a new mail"
        super().__init__(message, errors=_on_token(message))
