"""The pullers' ports to the world: the channels' APIs, ingest, and their own database."""
