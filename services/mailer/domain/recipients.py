"""Who gets a task's reminder or overdue mail.

A task's assignee is a principal (an API key's id or a person's id), not an address, and the
tasks service knows no addresses. The rule: the assignee is mailed when their principal id is
itself an email address (a person whose identity provider names them by their address); an API
key, or a person known only by an opaque id, gets no mail: their notifications
(`GET /v1/notifications`) still hold every reminder.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def address_of(principal: str) -> str | None:
    """The principal's address (normalised), or None when the principal is not one."""
    if "@" not in principal:
        return None
    try:
        return validate_email(principal, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
