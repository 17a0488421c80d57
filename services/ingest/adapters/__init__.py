"""Ingest's ties to infrastructure: the broker it publishes to, the database of its import jobs."""
