"""One client per channel API, each speaking that channel's documented HTTP API."""
