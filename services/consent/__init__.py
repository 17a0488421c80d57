"""Consent service: marketing consent per customer and purpose, with its evidence ledger."""
