"""How tests call the gateway: as an admin, with the bootstrap key every test namespace sets."""

from __future__ import annotations

BOOTSTRAP_KEY = "test-bootstrap-admin-key-0123456789"
ADMIN_HEADERS = {"X-API-Key": BOOTSTRAP_KEY}
# What the changes the tests make through the gateway are recorded as: the bootstrap key.
ADMIN_ACTOR = {"type": "api", "id": "bootstrap"}
