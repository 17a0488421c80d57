"""Developer and operator tools: local runner, embedded database, dead-letter inspection."""
