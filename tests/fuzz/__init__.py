"""schemathesis against the suite's HTTP services: generated requests, every check on."""
