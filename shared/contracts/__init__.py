"""Message contracts shared by all services: the only thing services agree on besides topology."""
