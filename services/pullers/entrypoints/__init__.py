"""How work reaches the pullers: the polling loop, and requests over request/reply."""
