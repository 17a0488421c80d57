"""Where messages enter the consent service: its work queue and its request/reply queue."""
