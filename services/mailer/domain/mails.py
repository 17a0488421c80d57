"""A mail as the suite writes it, and the language it is written in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mail:
    # The event that asked for it: a mail is sent at most once per event.
    event_id: str
    to: str
    language: str
    subject: str
    text: str
    html: str


def language_for(known: str | None, available: frozenset[str], default: str) -> str:
    """The person's language if a template speaks it (`de-CH` reads as `de`), else `default`."""
    if known:
        primary = known.strip().lower().replace("_", "-").split("-")[0]
        if primary in available:
            return primary
    return default
