"""Folding text for matching: what a person would call "the same letters".

Search and duplicate detection compare names and addresses as folded text: transliterated to
ASCII (Müller -> muller, Łukasz -> lukasz, Straße -> strasse), case-folded, with single spaces.
The folded form is stored beside the value, so queries need no collation support from the
database.
"""

from __future__ import annotations

from anyascii import anyascii


def fold(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(anyascii(text).casefold().split())


def tidy(text: str | None) -> str | None:
    """Trimmed with single inner spaces; None for nothing but blanks."""
    if text is None:
        return None
    tidied = " ".join(text.split())
    return tidied or None
