"""Ingest service: turns channel orders into customer upsert commands."""
