"""Consent domain logic: pure, no I/O."""
